//! What a projection starts from, what it varies, and what it answers.

use super::Bands;
use crate::settlement::{FeeParams, ParamsError};
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};
use sp_arithmetic::{Perbill, Permill};

/// One line of a day of usage history: what seekers with one tier discount paying in one asset
/// were charged at list price (the chain's `UsageDays`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HistoryLine {
	/// Paid in NXV (else in the stable asset).
	pub native: bool,
	/// The tier (commitment) discount.
	pub tier_discount: Permill,
	/// The list price of the line's receipts, in the pricing unit.
	pub list: u128,
}

/// Holdings of the stable asset and NXV.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pot {
	/// Stable asset (the pricing unit's asset), in its smallest unit.
	pub stable: u128,
	/// NXV, in planck.
	pub native: u128,
}

/// The constant-product pool the buyback swaps on.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pool {
	/// Stable asset in the pool.
	pub stable: u128,
	/// NXV in the pool.
	pub native: u128,
	/// The liquidity fee.
	pub fee: Permill,
}

/// A milestone not yet released: cumulative settled volume (pricing unit) and its tranche (NXV).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Milestone {
	/// The milestone's index on chain.
	pub index: u32,
	/// Settled volume that reaches it.
	pub threshold: u128,
	/// NXV it releases.
	pub tranche: u128,
}

/// A vesting schedule (pallet-vesting): `locked` NXV unlocking `per_block` from `start_block`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
	/// Locked at `start_block`.
	pub locked: u128,
	/// Unlocked per block.
	pub per_block: u128,
	/// The first block it unlocks at.
	pub start_block: u64,
}

/// The chain's state a projection starts from, read at one block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Start {
	/// The fee parameters the projection runs under (today's, or a proposal).
	pub params: FeeParams,
	/// The block the state was read at.
	pub block: u64,
	/// Blocks per day.
	pub blocks_per_day: u64,
	/// NXV price: pricing units per NXV.
	pub nxv_price: u128,
	/// Planck per NXV.
	pub one_nxv: u128,
	/// The usage history, one entry per day with usage, each its lines.
	pub history: Vec<Vec<HistoryLine>>,
	/// The reserve's holdings.
	pub reserve: Pot,
	/// The reserve's target coverage of trailing volume.
	pub target_coverage: Perbill,
	/// The reserve's minimum target (pricing unit).
	pub min_reserve: u128,
	/// Settled volume of the last 30 days (pricing unit), as the fees pallet sums it.
	pub trailing_volume: u128,
	/// The treasury's holdings.
	pub treasury: Pot,
	/// The buyback/rebates pot's holdings available to the next epoch.
	pub buyback: Pot,
	/// The buyback's slippage bound, or `None` for rebates.
	pub buyback_slippage: Option<Permill>,
	/// Days per buyback epoch.
	pub epoch_days: u32,
	/// The pool (`None`: no pool, no buyback).
	pub pool: Option<Pool>,
	/// Cumulative settled volume (the milestones' metric).
	pub settled_volume: u128,
	/// The milestones on settled volume not yet released, by index.
	pub milestones: Vec<Milestone>,
	/// NXV left in the emissions pool (a release never pays more than is left).
	pub emissions_pool: u128,
	/// Blocks over which a released tranche vests.
	pub vesting_period: u64,
	/// Vesting schedules in force (genesis allocations and released tranches).
	pub schedules: Vec<Schedule>,
	/// Total NXV supply.
	pub total_supply: u128,
	/// Circulating NXV (the float).
	pub circulating: u128,
	/// NXV bonded by validators and nominators (what the validators' pot pays).
	pub bonded: u128,
}

/// A demand shock: from `day`, demand falls by `drop` (0.5 = −50 %), recovering linearly over
/// `recovery_days` (0: for good).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Shock {
	/// The day it strikes (0 = the first projected day).
	pub day: u32,
	/// The share of demand lost.
	pub drop: f64,
	/// Days to recover.
	pub recovery_days: u32,
}

/// What varies between paths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
	/// Paths.
	pub paths: u32,
	/// Days per path.
	pub days: u32,
	/// The generator's seed (the same seed gives the same paths).
	pub seed: u64,
	/// Demand as a multiple of the history's (1: as it was; 1,000: a thousand times the
	/// traffic, for a young chain whose history is small).
	pub demand_scale: f64,
	/// Demand's trend per year (0.5 = +50 % a year).
	pub demand_growth: f64,
	/// A demand shock, if any.
	pub shock: Option<Shock>,
	/// The NXV price's drift per year (geometric Brownian motion).
	pub price_drift: f64,
	/// The NXV price's volatility per year.
	pub price_volatility: f64,
	/// The share of what seekers pay that the reserve refunds (failed sessions that were
	/// charged, upheld disputes).
	pub refund_rate: f64,
	/// What the treasury spends per day, in the pricing unit.
	pub treasury_spend: u128,
	/// A day counts as a shortfall when the reserve's value is below this share of its target
	/// (0.9: more than 10 % under). The reserve sweeps everything above its target daily, so
	/// with growing volume it sits just under the target most days; the threshold separates
	/// that from a real shortfall.
	pub shortfall_below: f64,
}

/// The distributions of a projection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Projection {
	/// Paths stepped.
	pub paths: u32,
	/// Days per path.
	pub days: u32,
	/// The reserve's value ÷ its target, per day (1 = at target).
	pub coverage: Bands,
	/// The reserve's value, per day (pricing unit).
	pub reserve_value: Bands,
	/// The treasury's value, per day (pricing unit).
	pub treasury_value: Bands,
	/// Circulating ÷ total supply, per day.
	pub float_share: Bands,
	/// The protocol's take per day (pricing unit).
	pub take: Bands,
	/// Cumulative protocol take (pricing unit).
	pub fees: Bands,
	/// Cumulative value of the emissions released (pricing unit, at the price of the day of
	/// release).
	pub emissions: Bands,
	/// The share of paths on which the reserve falls below `shortfall_below` of its target on
	/// some day.
	pub shortfall_probability: f64,
	/// The first such day, over the paths that fall below (p10, p50, p90).
	pub shortfall_day: Option<[f64; 3]>,
	/// Days below the threshold per path (p10, p50, p90).
	pub shortfall_days: [f64; 3],
	/// The share of paths on which the reserve cannot pay a day's refunds.
	pub exhausted_probability: f64,
	/// Days of spending the treasury holds at the horizon (p10, p50, p90; `None` without
	/// spending).
	pub runway_days: Option<[f64; 3]>,
	/// The share of paths on which the treasury cannot pay its spending on some day.
	pub treasury_exhausted_probability: f64,
	/// Validators' fee-only yield per year: the NXV fee leg paid to the reward pot ÷ bonded NXV
	/// (p10, p50, p90).
	pub validator_yield: [f64; 3],
	/// Cumulative fees ÷ value of emissions released at the horizon, over the paths that
	/// released any (p10, p50, p90).
	pub fees_over_emissions: Option<[f64; 3]>,
	/// Per milestone: its index, the share of paths that reach it, and the median day.
	pub milestones: Vec<MilestoneOdds>,
	/// NXV unlocking per 30 days: genesis schedules, and released tranches (p10, p50, p90).
	pub unlocks: Vec<UnlockPeriod>,
}

/// The odds of one milestone within the horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MilestoneOdds {
	/// The milestone.
	pub index: u32,
	/// Share of paths that reach it.
	pub probability: f64,
	/// Median day it is reached on, over the paths that reach it.
	pub median_day: Option<f64>,
}

/// NXV unlocking in one 30-day period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnlockPeriod {
	/// The period's first day.
	pub from_day: u32,
	/// Unlocked from the schedules in force at the start (the same on every path), in NXV.
	pub scheduled: f64,
	/// Unlocked from tranches released during the projection, in NXV (p10, p50, p90).
	pub released: [f64; 3],
}

/// One point of a parameter sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepPoint {
	/// The parameters.
	pub params: FeeParams,
	/// The providers' share of what seekers pay (1 − take rate).
	pub provider_share: f64,
	/// The protocol's median take per day over the horizon (pricing unit).
	pub take_per_day: f64,
	/// The share of paths on which the reserve is at or above `shortfall_below` of its target
	/// at the horizon (a reserve that starts under its target counts if its inflow brings it
	/// back).
	pub coverage_held: f64,
}

/// Why a projection cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectionError {
	/// The fee parameters break a hard bound.
	InvalidParams(ParamsError),
	/// Paths are 0 or above [`super::MAX_PATHS`].
	Paths,
	/// Days are 0 or above [`super::MAX_DAYS`].
	Days,
	/// No NXV price, planck per NXV or blocks per day.
	NoPrice,
	/// A scenario figure out of range (a demand scale ≤ 0, growth ≤ −100 %, negative
	/// volatility, a rate or the
	/// shortfall threshold outside 0–1, a number that is not finite).
	Scenario,
	/// A sweep of no points or more than [`super::MAX_SWEEP_POINTS`].
	GridSize,
}
