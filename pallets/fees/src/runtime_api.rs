//! The runtime API of the fees pallet: parameters with their bounds, the NXV price and flows.

use crate::{FeeStatus, FeeStep, FlowTotals, ParamsChange, PriceStatus};
use alloc::vec::Vec;
use codec::Codec;
use nexus_primitives::{fee_path::PathError, settlement::FeeParams};

sp_api::decl_runtime_apis! {
	/// What clients read about fees.
	///
	/// Version 2 adds `fee_path` and `fee_changes`.
	#[api_version(2)]
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
		/// The sequence of fee changes that reaches `target` from the parameters in force, each
		/// within the per-change bound, with the first block each may be enacted at (a cooldown
		/// apart): the referenda a proposal beyond one step needs. Since version 2.
		fn fee_path(target: FeeParams) -> Result<Vec<FeeStep<BlockNumber>>, PathError>;
		/// The last enacted changes of the fee parameters, oldest first (at most
		/// `MaxParamsHistory`). Since version 2.
		fn fee_changes() -> Vec<ParamsChange<BlockNumber>>;
	}
}
