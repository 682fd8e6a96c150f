//! The runtime API of the fees pallet: parameters with their bounds, the NXV price and flows.

use crate::{FeeStatus, FlowTotals, PriceStatus};
use alloc::vec::Vec;
use codec::Codec;

sp_api::decl_runtime_apis! {
	/// What clients read about fees.
	pub trait FeesApi<AssetKind, BlockNumber> where
		AssetKind: Codec,
		BlockNumber: Codec,
	{
		/// The fee parameters in force, their hard bounds and when they may next change.
		fn fee_parameters() -> FeeStatus<BlockNumber>;
		/// The NXV price, when it was set and whether it is stale.
		fn nxv_price() -> PriceStatus<BlockNumber>;
		/// Settled flows per payment asset from the start of the flow bucket containing
		/// `since` (at most `FlowHistory` buckets back) to now.
		fn flows(since: BlockNumber) -> Vec<(AssetKind, FlowTotals)>;
		/// Lifetime flows per payment asset.
		fn flow_totals() -> Vec<(AssetKind, FlowTotals)>;
	}
}
