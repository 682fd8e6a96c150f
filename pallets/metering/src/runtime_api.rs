//! The runtime API of the metering pallet: quotes, what-if pricing, sessions, escrow and
//! gateways.

use crate::{
	EscrowLedger, Gateway, QuoteBreakdown, RejectReason, Replay, ReplayError, Session, SessionId,
	Simulation, SimulationError, WorkloadLine,
};
use alloc::vec::Vec;
use codec::Codec;
use nexus_primitives::{receipts::Units, settlement::FeeParams};

sp_api::decl_runtime_apis! {
	/// What seekers, providers, gateways and dashboards read about metering.
	///
	/// Version 2 adds `simulate`; version 3 quotes the four unit kinds (input, output, cache
	/// read, cache write) instead of input and output; version 4 drops `receipt` and
	/// `signing_payload`, which served version-1 receipts (retired: a receipt batch's payload is
	/// [`nexus_primitives::receipts::signing_payload`], its receipts' fate is in its
	/// `BatchSettled` event and commitment); version 5 adds `replay`.
	#[api_version(5)]
	pub trait MeteringApi<AccountId, AssetKind, BlockNumber> where
		AccountId: Codec,
		AssetKind: Codec,
		BlockNumber: Codec,
	{
		/// The price of a request of `units` on `capsule` for `seeker` paying in `asset`:
		/// list, discounts, net and every leg — exactly what settlement would charge now
		/// (usage caps, session caps and lanes aside).
		fn quote(
			seeker: AccountId,
			capsule: u64,
			units: Units,
			asset: AssetKind,
		) -> Result<QuoteBreakdown, RejectReason>;
		/// Versions 1 and 2: the price of `in_units` input and `out_units` output units.
		#[changed_in(3)]
		fn quote(
			seeker: AccountId,
			capsule: u64,
			in_units: u64,
			out_units: u64,
			asset: AssetKind,
		) -> Result<QuoteBreakdown, RejectReason>;
		/// A session, open or awaiting release.
		fn session(id: SessionId) -> Option<Session<AccountId, AssetKind, BlockNumber>>;
		/// A seeker's sessions.
		fn sessions_of(seeker: AccountId) -> Vec<(SessionId, Session<AccountId, AssetKind, BlockNumber>)>;
		/// A seeker's escrow per asset.
		fn escrow(who: AccountId) -> Vec<(AssetKind, EscrowLedger)>;
		/// A gateway.
		fn gateway(id: u32) -> Option<Gateway<AccountId>>;
		/// Prices a what-if `workload` (lines of capsule, tier, asset, units and request
		/// count) under proposed fee parameters `params`, through the function settlement
		/// charges with, at today's capsule prices, tier table and NXV price: each line's
		/// per-request quote and total, and totals per asset (seeker cost, provider income,
		/// each pot's inflow). Call it with today's parameters for the other side of a
		/// comparison. Since version 2.
		fn simulate(
			params: FeeParams,
			workload: Vec<WorkloadLine<AssetKind>>,
		) -> Result<Simulation<AssetKind>, SimulationError>;
		/// The served usage of the last `days` days (today included; at most the history kept,
		/// `UsageHistoryDays`) as settled and re-priced under proposed fee parameters `params`
		/// with the function settlement prices with: per day, per line (asset × tier discount)
		/// and per asset, with every leg. Since version 5.
		fn replay(params: FeeParams, days: u32) -> Result<Replay<AssetKind>, ReplayError>;
	}
}
