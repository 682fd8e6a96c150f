//! The projection engine: the economy stepped day by day over many scenario paths with the
//! runtime's own rules, and the distributions of what token holders ask before a fee vote —
//! will the reserve stay at its target, how much of the supply floats and when it unlocks, how
//! long the treasury lasts, what validators earn from fees alone, and whether fees or
//! emissions back the token.
//!
//! Every rule a path applies is a function the pallets call too: a day's usage is priced and
//! split by [`crate::settlement::price_list`] (settlement), the reserve's target, overflow and
//! sweep are [`crate::reserve`] (the reserve pallet), the buyback's slippage bound is
//! [`crate::buyback::max_within_slippage`] (the buyback pallet) on the pool's own formula,
//! releases and vesting are [`crate::emissions`] (the emissions pallet, pallet-vesting). What
//! is not a runtime rule is the scenario: how demand, the NXV price, refunds and treasury
//! spending move ([`Scenario`]), drawn from a seeded generator so a run is reproducible.
//!
//! A path starts from the chain's state ([`Start`], read at one block) and each day:
//! 1. demand: a day of the chain's usage history drawn at random (bootstrap), scaled by the growth
//!    trend and the shock; each of its lines priced under the parameters at the day's NXV price,
//!    split into legs ([`settle_day`]);
//! 2. refunds: the refund rate of what seekers paid, paid by the reserve (a reserve that cannot pay
//!    is *exhausted* that day);
//! 3. the reserve: its legs in, its target from trailing 30-day volume, the overflow swept to the
//!    treasury (daily, stable first); a day below a share of the target (the scenario's
//!    `shortfall_below`) is a *shortfall*;
//! 4. the treasury: its legs and sweeps in, its spending out;
//! 5. the buyback pot: at each epoch's end, rebates (paid out to seekers) or a buyback on the pool
//!    within the slippage bound, with the bought and held NXV burned;
//! 6. emissions: settled volume accrues; a reached milestone releases its tranche into a year's
//!    vesting; genesis schedules and released tranches unlock day by day;
//! 7. the pool is arbitraged to the day's NXV price (its constant product kept).

mod day;
mod path;
mod rng;
mod stats;
mod types;

pub use day::{settle_day, DaySettled};
pub use stats::Bands;
pub use types::*;

use crate::settlement::FeeParams;
use alloc::vec::Vec;

/// The most paths one run steps.
pub const MAX_PATHS: u32 = 10_000;
/// The longest horizon, in days.
pub const MAX_DAYS: u32 = 3_650;

/// Projects `scenario` from `start`: `scenario.paths` paths of `scenario.days` days, and the
/// distributions over them.
pub fn project(start: &Start, scenario: &Scenario) -> Result<Projection, ProjectionError> {
	check(start, scenario, &start.params)?;
	let mut book = stats::Book::new(scenario.days, scenario.paths, start);
	for p in 0..scenario.paths {
		let seed = rng::seed_of(scenario.seed, p);
		path::run(start, &start.params, scenario, seed, &mut book, p);
	}
	Ok(book.finish(scenario))
}

/// Projects `scenario` under each of `grid`'s parameters (same seeds, so the points differ by
/// the parameters alone): the trade-off between the providers' share, the protocol's take and
/// the chance the reserve is at its target at the horizon.
pub fn sweep(
	start: &Start,
	scenario: &Scenario,
	grid: &[FeeParams],
) -> Result<Vec<SweepPoint>, ProjectionError> {
	if grid.is_empty() || grid.len() > MAX_SWEEP_POINTS {
		return Err(ProjectionError::GridSize);
	}
	grid.iter()
		.map(|params| {
			check(start, scenario, params)?;
			let mut book = stats::Book::new(scenario.days, scenario.paths, start);
			for p in 0..scenario.paths {
				path::run(start, params, scenario, rng::seed_of(scenario.seed, p), &mut book, p);
			}
			Ok(book.point(*params, scenario))
		})
		.collect()
}

/// The most points one sweep projects.
pub const MAX_SWEEP_POINTS: usize = 256;

fn check(start: &Start, scenario: &Scenario, params: &FeeParams) -> Result<(), ProjectionError> {
	params.validate().map_err(ProjectionError::InvalidParams)?;
	if scenario.paths == 0 || scenario.paths > MAX_PATHS {
		return Err(ProjectionError::Paths);
	}
	if scenario.days == 0 || scenario.days > MAX_DAYS {
		return Err(ProjectionError::Days);
	}
	if start.nxv_price == 0 || start.one_nxv == 0 || start.blocks_per_day == 0 {
		return Err(ProjectionError::NoPrice);
	}
	let finite = |x: f64| x.is_finite();
	let ok = finite(scenario.demand_scale) &&
		scenario.demand_scale > 0.0 &&
		finite(scenario.demand_growth) &&
		scenario.demand_growth > -1.0 &&
		finite(scenario.price_drift) &&
		finite(scenario.price_volatility) &&
		scenario.price_volatility >= 0.0 &&
		(0.0..=1.0).contains(&scenario.refund_rate) &&
		(0.0..=1.0).contains(&scenario.shortfall_below) &&
		scenario.shock.as_ref().is_none_or(|s| (0.0..=1.0).contains(&s.drop));
	if !ok {
		return Err(ProjectionError::Scenario);
	}
	Ok(())
}

#[cfg(test)]
mod tests;
