//! Types of the tiers pallet: the tier table, seeker and provider stake ledgers.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{pallet_prelude::ConstU32, BoundedVec};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Permill;

/// Index of a tier in the tier table: 0 is the entry tier (threshold 0), higher is better.
pub type TierIndex = u8;

/// The most tiers any table may hold (a hard bound on `Config::MaxTiers`, so that a tier index
/// fits a `u8` with room to spare).
pub type HardMaxTiers = ConstU32<16>;

/// What a tier gives a seeker who holds at least its threshold.
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
pub struct TierParams<Balance> {
	/// Active stake (NXV planck) needed to reach this tier.
	pub threshold: Balance,
	/// Metered units (input + output) the gateway lets this tier use per rate window.
	pub rate_limit: u64,
	/// Whether premium-lane capsules serve this tier.
	pub premium_lanes: bool,
	/// Failover priority when capacity is short: higher is served first.
	pub failover_priority: u8,
	/// Commitment discount on the list price (capped, with the payment-asset discount, by the
	/// fee parameters' maximum combined discount).
	pub commitment_discount: Permill,
}

impl<Balance: sp_runtime::traits::Zero> TierParams<Balance> {
	/// The entry tier that grants nothing: threshold 0, no rate, no premium lanes, no priority,
	/// no discount.
	pub fn grants_nothing() -> Self {
		Self {
			threshold: Balance::zero(),
			rate_limit: 0,
			premium_lanes: false,
			failover_priority: 0,
			commitment_discount: Permill::zero(),
		}
	}
}

/// A tier table: entries ordered by strictly increasing threshold, the first at threshold 0.
pub type BoundedTiers<Balance, MaxTiers> = BoundedVec<TierParams<Balance>, MaxTiers>;

/// A part of a stake that is unbonding: still held, no longer counted, released at `unlock_at`.
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
pub struct UnlockChunk<Balance, BlockNumber> {
	/// Amount that unlocks.
	pub amount: Balance,
	/// First block at which `withdraw_unbonded` releases it.
	pub unlock_at: BlockNumber,
}

/// A staker's ledger. The whole of `active` plus every chunk in `unlocking` is held from the
/// account under the ledger's hold reason (checked by `try_state`).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxChunks))]
pub struct StakeLedger<Balance, BlockNumber, MaxChunks: frame_support::traits::Get<u32>> {
	/// Stake that counts (for a seeker's tier, for a provider's multiplier).
	pub active: Balance,
	/// Stake on its way out, oldest first.
	pub unlocking: BoundedVec<UnlockChunk<Balance, BlockNumber>, MaxChunks>,
}

impl<Balance: Default, BlockNumber, MaxChunks: frame_support::traits::Get<u32>> Default
	for StakeLedger<Balance, BlockNumber, MaxChunks>
{
	fn default() -> Self {
		Self { active: Balance::default(), unlocking: BoundedVec::default() }
	}
}
