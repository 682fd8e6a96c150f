//! The runtime API clients use to browse capsules.
//!
//! `capsules` pages through ids in order and does bounded work per call: it returns at most
//! [`MAX_PAGE`] capsules and looks at most [`MAX_SCAN`] ids, then hands back a cursor. A page
//! may therefore hold fewer capsules than asked (even none) while `next` is still `Some`: keep
//! calling with `from = next` until it is `None`.

use crate::{CapsuleId, CapsuleStatus, Lane, PendingPrice, Price, QuotaWindow};
use alloc::vec::Vec;
use codec::{Codec, Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Permill;

/// Most capsules one `capsules` call returns.
pub const MAX_PAGE: u32 = 100;
/// Most capsule ids one `capsules` call looks at.
pub const MAX_SCAN: u64 = 1_000;

/// A capsule as clients see it: its spec, the price in force now and its effective status.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct CapsuleInfo<AccountId, Balance, BlockNumber> {
	/// The capsule's id.
	pub id: CapsuleId,
	/// The provider.
	pub owner: AccountId,
	/// The upstream offering.
	pub offering: Vec<u8>,
	/// Standard or premium.
	pub lane: Lane,
	/// The price in force at the block queried.
	pub price: Price<Balance>,
	/// An announced price that is not yet in force.
	pub pending_price: Option<PendingPrice<Balance, BlockNumber>>,
	/// Metered units per quota window.
	pub capacity: u64,
	/// The quota window.
	pub window: QuotaWindow,
	/// Requests served at once.
	pub concurrency: u32,
	/// Region slug.
	pub region: Vec<u8>,
	/// Hash of the endpoint and credential held by the gateway.
	pub endpoint_commitment: H256,
	/// Free-form metadata.
	pub metadata: Vec<u8>,
	/// The status routing uses: a capsule on an offering that no longer permits resale shows
	/// as `Suspended`.
	pub status: CapsuleStatus<BlockNumber>,
	/// NXV bond held (slashable).
	pub bond: Balance,
	/// NXV metadata deposit held.
	pub deposit: Balance,
	/// Trust (EWMA of session outcomes).
	pub trust: Permill,
	/// Latest reported uptime.
	pub uptime: Permill,
}

/// Which status a listing filter selects (a retired capsule matches `Retired` whatever its
/// release block).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum StatusFilter {
	/// Routable.
	Active,
	/// Paused by its provider.
	Paused,
	/// Suspended by governance or by its offering.
	Suspended,
	/// Retired, bond not yet released.
	Retired,
}

impl StatusFilter {
	/// Whether `status` is of this kind.
	pub fn matches<B>(&self, status: &CapsuleStatus<B>) -> bool {
		matches!(
			(self, status),
			(StatusFilter::Active, CapsuleStatus::Active) |
				(StatusFilter::Paused, CapsuleStatus::Paused) |
				(StatusFilter::Suspended, CapsuleStatus::Suspended) |
				(StatusFilter::Retired, CapsuleStatus::Retired { .. })
		)
	}
}

/// A listing filter: each field that is set must match.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct CapsuleFilter<AccountId> {
	/// Only this lane.
	pub lane: Option<Lane>,
	/// Only this offering.
	pub offering: Option<Vec<u8>>,
	/// Only this effective status.
	pub status: Option<StatusFilter>,
	/// Only this provider's capsules.
	pub owner: Option<AccountId>,
}

impl<AccountId> Default for CapsuleFilter<AccountId> {
	fn default() -> Self {
		Self { lane: None, offering: None, status: None, owner: None }
	}
}

impl<AccountId: PartialEq> CapsuleFilter<AccountId> {
	/// Whether `info` passes every set field.
	pub fn matches<B, N>(&self, info: &CapsuleInfo<AccountId, B, N>) -> bool {
		self.lane.is_none_or(|l| l == info.lane) &&
			self.offering.as_ref().is_none_or(|o| *o == info.offering) &&
			self.status.as_ref().is_none_or(|s| s.matches(&info.status)) &&
			self.owner.as_ref().is_none_or(|o| *o == info.owner)
	}
}

/// One page of a listing.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct CapsulePage<AccountId, Balance, BlockNumber> {
	/// Matching capsules, in id order.
	pub capsules: Vec<CapsuleInfo<AccountId, Balance, BlockNumber>>,
	/// Where the next call should start (`from`), or `None` when every id has been looked at.
	pub next: Option<CapsuleId>,
}

/// An offering as clients see it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct OfferingInfo {
	/// The offering id (what capsules list under).
	pub id: Vec<u8>,
	/// Whether its terms permit resale.
	pub resale_permitted: bool,
	/// The model ids that name it (see the pallet docs).
	pub aliases: Vec<Vec<u8>>,
}

sp_api::decl_runtime_apis! {
	/// The capsule registry.
	///
	/// Version 2 added `offerings` (with their model aliases).
	#[api_version(2)]
	pub trait CapsulesApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// Capsule `id` with the price in force and its effective status, if it exists.
		fn capsule(id: CapsuleId) -> Option<CapsuleInfo<AccountId, Balance, BlockNumber>>;
		/// Capsules matching `filter`, starting at id `from`, at most `limit` (capped at
		/// [`MAX_PAGE`]); see the module docs for the cursor.
		fn capsules(
			filter: CapsuleFilter<AccountId>,
			from: CapsuleId,
			limit: u32,
		) -> CapsulePage<AccountId, Balance, BlockNumber>;
		/// Whether `offering` is listed and permits resale (`None` if it is not listed).
		fn offering(offering: Vec<u8>) -> Option<bool>;
		/// Every listed offering, with its model aliases, in id order. Offerings are curated by
		/// governance (a short list), so this is not paged.
		#[api_version(2)]
		fn offerings() -> Vec<OfferingInfo>;
	}
}
