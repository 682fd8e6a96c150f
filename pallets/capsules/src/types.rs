//! Types of the capsule registry.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use nexus_primitives::settlement::UnitPrices;
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_core::H256;
use sp_runtime::Permill;

/// Identifier of a capsule: a counter, never reused.
pub type CapsuleId = u64;

/// Identifier of an upstream offering (e.g. `claude-opus`, `gpt-5`): a short ASCII slug.
pub type OfferingId<MaxLen> = BoundedVec<u8, MaxLen>;

/// The service lane of a capsule: premium lanes serve only tiers that include them.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub enum Lane {
	/// Open to every tier.
	Standard,
	/// Open to tiers with `premium_lanes`.
	Premium,
}

/// The reset period of an upstream plan's quota, which a capsule's capacity counts against.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub enum QuotaWindow {
	/// A rolling hour.
	Hour,
	/// A rolling day.
	Day,
	/// A rolling week.
	Week,
}

/// Where a capsule is in its life.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum CapsuleStatus<BlockNumber> {
	/// Listed and routable.
	Active,
	/// Taken off routing by its provider; can resume.
	Paused,
	/// Taken off routing by governance, or because its offering no longer permits resale.
	Suspended,
	/// Retired by its provider; the bond is released from `bond_release_at`.
	Retired {
		/// First block at which `release_bond` returns the bond.
		bond_release_at: BlockNumber,
	},
}

/// A capsule's prices in the pricing unit (the stable asset's smallest unit) per 1,000
/// metered units of each kind.
///
/// Four kinds, because agents resend large cached prefixes every turn and upstreams bill them
/// apart: a prompt-cache read costs about a tenth of plain input at Anthropic and a cache
/// write about 1.25×. Pricing them as plain input would misprice such sessions up to tenfold.
/// An upstream that bills no cache writes apart (OpenAI's) states its input price for
/// `per_1k_cache_write`. Every price is non-zero.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Serialize,
	Deserialize,
)]
pub struct Price<Balance> {
	/// Price per 1,000 input units.
	pub per_1k_input: Balance,
	/// Price per 1,000 output units (reasoning included).
	pub per_1k_output: Balance,
	/// Price per 1,000 input units read from the upstream's prompt cache.
	pub per_1k_cache_read: Balance,
	/// Price per 1,000 input units written to the upstream's prompt cache.
	pub per_1k_cache_write: Balance,
}

impl<Balance: Copy + Into<u128>> Price<Balance> {
	/// The prices as settlement's pricing maths takes them.
	pub fn unit_prices(&self) -> UnitPrices {
		UnitPrices {
			input: self.per_1k_input.into(),
			output: self.per_1k_output.into(),
			cache_read: self.per_1k_cache_read.into(),
			cache_write: self.per_1k_cache_write.into(),
		}
	}
}

impl<Balance: sp_runtime::traits::Zero> Price<Balance> {
	/// Whether any of the four prices is zero (registration and announcements refuse it).
	pub fn has_zero(&self) -> bool {
		self.per_1k_input.is_zero() ||
			self.per_1k_output.is_zero() ||
			self.per_1k_cache_read.is_zero() ||
			self.per_1k_cache_write.is_zero()
	}
}

/// A price change announced now that takes effect at `effective_at`, so quotes stay honest.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct PendingPrice<Balance, BlockNumber> {
	/// The new price.
	pub price: Price<Balance>,
	/// First block at which it applies.
	pub effective_at: BlockNumber,
}

/// What a provider states when registering a capsule.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxOfferingLen, MaxRegionLen, MaxMetadataLen))]
pub struct CapsuleSpec<
	Balance: Clone + PartialEq + Eq + Debug,
	MaxOfferingLen: Get<u32>,
	MaxRegionLen: Get<u32>,
	MaxMetadataLen: Get<u32>,
> {
	/// The upstream offering (must be listed and permit resale).
	pub offering: OfferingId<MaxOfferingLen>,
	/// Standard or premium.
	pub lane: Lane,
	/// The prices per 1,000 input, output, cache-read and cache-write units.
	pub price: Price<Balance>,
	/// Metered units the capsule can serve per quota window.
	pub capacity: u64,
	/// The upstream plan's reset period.
	pub window: QuotaWindow,
	/// Requests it serves at once.
	pub concurrency: u32,
	/// Region slug (e.g. `eu-west`).
	pub region: BoundedVec<u8, MaxRegionLen>,
	/// Hash of the endpoint and credential the provider hands the gateway; the endpoint itself
	/// never goes on chain.
	pub endpoint_commitment: H256,
	/// Free-form metadata (JSON by convention); pays a storage deposit per byte.
	pub metadata: BoundedVec<u8, MaxMetadataLen>,
}

/// A registered capsule.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxOfferingLen, MaxRegionLen, MaxMetadataLen))]
pub struct Capsule<
	AccountId: Clone + PartialEq + Eq + Debug,
	Balance: Clone + PartialEq + Eq + Debug,
	BlockNumber: Clone + PartialEq + Eq + Debug,
	MaxOfferingLen: Get<u32>,
	MaxRegionLen: Get<u32>,
	MaxMetadataLen: Get<u32>,
> {
	/// The provider.
	pub owner: AccountId,
	/// What the provider stated; `price` is the price in force.
	pub spec: CapsuleSpec<Balance, MaxOfferingLen, MaxRegionLen, MaxMetadataLen>,
	/// A price change waiting for its notice delay.
	pub pending_price: Option<PendingPrice<Balance, BlockNumber>>,
	/// Lifecycle state.
	pub status: CapsuleStatus<BlockNumber>,
	/// NXV held from the owner as the capsule's bond (slashable).
	pub bond: Balance,
	/// NXV held from the owner for the metadata's storage.
	pub deposit: Balance,
	/// Exponentially weighted average of session outcomes (served = 1, else 0).
	pub trust: Permill,
	/// The latest gateway health report's share of probes answered.
	pub uptime: Permill,
}

/// A capsule registered at genesis (development and test chains): registered exactly as by
/// `register`, so its owner must be able to pay bond and deposit.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenesisCapsule<AccountId, Balance> {
	/// The provider.
	pub owner: AccountId,
	/// The upstream offering (listed in the same genesis).
	pub offering: alloc::vec::Vec<u8>,
	/// Standard or premium.
	pub lane: Lane,
	/// Prices per 1,000 input, output, cache-read and cache-write units.
	pub price: Price<Balance>,
	/// Units per quota window.
	pub capacity: u64,
	/// The quota window.
	pub window: QuotaWindow,
	/// Requests served at once.
	pub concurrency: u32,
	/// Region slug.
	pub region: alloc::vec::Vec<u8>,
	/// Endpoint commitment.
	pub endpoint_commitment: H256,
	/// Metadata.
	pub metadata: alloc::vec::Vec<u8>,
}
