//! The runtime API of milestone emissions.

use crate::{Metric, Progress};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

/// A milestone with the progress of its metric.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct MilestoneStatus<BlockNumber> {
	/// Its index.
	pub index: u32,
	/// What it measures.
	pub metric: Metric,
	/// The value to reach.
	pub threshold: u128,
	/// Its tranche of NXV.
	pub tranche: u128,
	/// The metric's value now.
	pub progress: u128,
	/// The block its release started, once reached.
	pub released_at: Option<BlockNumber>,
}

/// The emissions pool, its milestones and what was released.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct EmissionsStatus<AccountId, BlockNumber> {
	/// The pool's account.
	pub account: AccountId,
	/// NXV in the pool above its existential deposit.
	pub pool: u128,
	/// The metrics.
	pub progress: Progress,
	/// Every milestone, past and future.
	pub milestones: Vec<MilestoneStatus<BlockNumber>>,
	/// Released so far (vested or deferred).
	pub released: u128,
	/// Tranches of milestones not yet reached.
	pub committed: u128,
	/// Shares waiting to be vested.
	pub deferred: u128,
	/// NXV in the pool no milestone claims yet (room for future milestones).
	pub uncommitted: u128,
	/// The current round.
	pub round: u32,
	/// Weight accrued in it.
	pub round_weight: u128,
	/// Providers with weight in it.
	pub round_providers: u32,
	/// The milestone whose tranche is being shared out, if any.
	pub releasing: Option<u32>,
}

sp_api::decl_runtime_apis! {
	/// What clients read about milestone emissions.
	pub trait EmissionsApi<AccountId, BlockNumber> where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// Milestones, progress, released and remaining.
		fn emissions_status() -> EmissionsStatus<AccountId, BlockNumber>;
		/// `who`'s deferred share and its weight in the current round.
		fn provider_emissions(who: AccountId) -> (u128, u128);
	}
}
