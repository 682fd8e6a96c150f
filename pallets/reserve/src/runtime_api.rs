//! The runtime API of the reserve.

use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// The reserve's state: holdings, value, coverage against trailing volume, and its target.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ReserveStatus<AccountId, AssetKind> {
	/// The reserve's account.
	pub account: AccountId,
	/// Balance per payment asset.
	pub holdings: Vec<(AssetKind, u128)>,
	/// Their value in the pricing unit (NXV at the last price).
	pub value: u128,
	/// Settled volume over the trailing coverage window (pricing unit).
	pub trailing_volume: u128,
	/// `value / trailing_volume` in parts per million (`None` without volume).
	pub coverage_ppm: Option<u64>,
	/// The target coverage.
	pub target_coverage: Perbill,
	/// The value never swept.
	pub min_reserve: u128,
	/// `max(min_reserve, target_coverage × trailing_volume)`.
	pub target_value: u128,
	/// Value above the target (what a sweep would move).
	pub overflow: u128,
	/// Paid out (refunds and claims), per asset.
	pub paid: Vec<(AssetKind, u128)>,
	/// Swept to the treasury, per asset.
	pub swept: Vec<(AssetKind, u128)>,
}

sp_api::decl_runtime_apis! {
	/// What clients read about the reserve.
	pub trait ReserveApi<AccountId, AssetKind> where
		AccountId: Codec,
		AssetKind: Codec,
	{
		/// Holdings, value, coverage ratio, target and overflow.
		fn reserve_status() -> ReserveStatus<AccountId, AssetKind>;
	}
}
