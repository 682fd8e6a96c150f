#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use super::*;
use crate::{
	emissions::locked_at,
	settlement::{combined_discount, price_list, Rate},
};
use sp_arithmetic::{Perbill, Permill};

const USDN: u128 = 1_000_000;
const NXV: u128 = 1_000_000_000_000;
const DAY: u64 = 14_400;

fn start() -> Start {
	Start {
		params: FeeParams::defaults(),
		block: 1_000,
		blocks_per_day: DAY,
		nxv_price: USDN,
		one_nxv: NXV,
		history: alloc::vec![
			alloc::vec![
				HistoryLine { native: false, tier_discount: Permill::zero(), list: 50_000 * USDN },
				HistoryLine {
					native: true,
					tier_discount: Permill::from_percent(7),
					list: 20_000 * USDN
				},
			],
			alloc::vec![HistoryLine {
				native: false,
				tier_discount: Permill::zero(),
				list: 30_000 * USDN
			}],
		],
		reserve: Pot { stable: 200_000 * USDN, native: 0 },
		target_coverage: Perbill::from_percent(10),
		min_reserve: 10_000 * USDN,
		trailing_volume: 1_500_000 * USDN,
		treasury: Pot { stable: 0, native: 250_000_000 * NXV },
		buyback: Pot::default(),
		buyback_slippage: Some(Permill::from_percent(5)),
		epoch_days: 7,
		pool: Some(Pool {
			stable: 1_000_000 * USDN,
			native: 1_000_000 * NXV,
			fee: Permill::from_parts(3_000),
		}),
		settled_volume: 0,
		milestones: alloc::vec![
			Milestone { index: 0, threshold: 1_000_000 * USDN, tranche: 10_000_000 * NXV },
			Milestone { index: 1, threshold: 1_000_000_000 * USDN, tranche: 60_000_000 * NXV },
		],
		emissions_pool: 300_000_000 * NXV,
		vesting_period: 365 * DAY,
		schedules: alloc::vec![Schedule {
			locked: 150_000_000 * NXV,
			per_block: 9_512_937_595_129,
			start_block: 100 * DAY
		}],
		total_supply: 1_000_000_000 * NXV,
		circulating: 100_000_000 * NXV,
		bonded: 44_000_000 * NXV,
	}
}

fn scenario() -> Scenario {
	Scenario {
		paths: 200,
		days: 365,
		seed: 7,
		demand_scale: 1.0,
		demand_growth: 0.5,
		shock: None,
		price_drift: 0.0,
		price_volatility: 0.6,
		refund_rate: 0.01,
		treasury_spend: 20_000 * USDN,
		shortfall_below: 0.9,
	}
}

#[test]
fn a_seed_gives_the_same_paths_and_another_seed_others() {
	let a = project(&start(), &scenario()).unwrap();
	assert_eq!(a, project(&start(), &scenario()).unwrap());
	let b = project(&start(), &Scenario { seed: 8, ..scenario() }).unwrap();
	assert_ne!(a.treasury_value, b.treasury_value);
	assert_eq!(a.coverage.p50.len(), 365);
}

#[test]
fn a_days_take_is_the_settlement_rules_applied_to_its_lines() {
	// One day of history, no trend, no volatility: every path's day is that history day.
	let mut s = start();
	s.history.truncate(1);
	let sc =
		Scenario { paths: 3, days: 1, demand_growth: 0.0, price_volatility: 0.0, ..scenario() };
	let p = project(&s, &sc).unwrap();
	let params = FeeParams::defaults();
	let by_rule: u128 = s.history[0]
		.iter()
		.map(|l| {
			let asset = if l.native { params.nxv_discount } else { Perbill::zero() };
			let tier = Perbill::from_parts(l.tier_discount.deconstruct() * 1_000);
			let d = combined_discount(asset, tier, params.max_discount);
			let rate = if l.native { Rate::Token { price: USDN, one: NXV } } else { Rate::Par };
			let priced = price_list(l.list, d, &rate, &params).unwrap();
			// NXV legs are valued back at the price (1 USDN per NXV here).
			if l.native {
				priced.legs.take() / (NXV / USDN)
			} else {
				priced.legs.take()
			}
		})
		.sum();
	assert_eq!(p.take.p50[0] as u128, by_rule);
	assert_eq!(p.take.p10[0], p.take.p90[0]);
}

#[test]
fn a_release_never_pays_more_than_the_pool_holds() {
	// The first milestone's 10M NXV tranche against a pool of 4M: 4M vest, nothing more.
	let s = Start { emissions_pool: 4_000_000 * NXV, schedules: alloc::vec![], ..start() };
	let sc =
		Scenario { paths: 5, days: 365, price_volatility: 0.0, price_drift: 0.0, ..scenario() };
	let p = project(&s, &sc).unwrap();
	assert_eq!(p.milestones[0].probability, 1.0);
	let unlocked: f64 = p.unlocks.iter().map(|u| u.released[1]).sum();
	assert!(unlocked <= 4_000_000.0 + 1.0, "{unlocked}");
	assert!(unlocked > 3_000_000.0, "{unlocked}");
}

#[test]
fn demand_scales_the_take() {
	let sc = Scenario { paths: 20, days: 30, price_volatility: 0.0, ..scenario() };
	let one = project(&start(), &sc).unwrap();
	let ten = project(&start(), &Scenario { demand_scale: 10.0, ..sc }).unwrap();
	let ratio = ten.fees.p50[29] / one.fees.p50[29];
	assert!((ratio - 10.0).abs() < 0.01, "{ratio}");
}

#[test]
fn a_deeper_shock_makes_shortfalls_likelier_and_cuts_the_take() {
	let base = project(&start(), &scenario()).unwrap();
	let shock = |drop| {
		project(
			&start(),
			&Scenario { shock: Some(Shock { day: 60, drop, recovery_days: 0 }), ..scenario() },
		)
		.unwrap()
	};
	let (half, most) = (shock(0.5), shock(0.9));
	assert!(half.take.p50[200] < base.take.p50[200]);
	assert!(most.take.p50[200] < half.take.p50[200]);
	// Less volume, less of it to the milestones.
	assert!(most.milestones[0].probability <= base.milestones[0].probability);
	assert!(most.fees.p50[364] < half.fees.p50[364]);
}

#[test]
fn more_refunds_make_shortfalls_likelier() {
	let at = |refund_rate| project(&start(), &Scenario { refund_rate, ..scenario() }).unwrap();
	let (low, mid, high) = (at(0.0), at(0.03), at(0.2));
	assert!(low.shortfall_probability <= mid.shortfall_probability);
	assert!(mid.shortfall_probability <= high.shortfall_probability);
	assert!(high.shortfall_probability > 0.9, "{}", high.shortfall_probability);
	assert!(low.shortfall_probability < 0.5, "{}", low.shortfall_probability);
	assert!(high.exhausted_probability >= mid.exhausted_probability);
	assert!(high.coverage.p50[300] < low.coverage.p50[300]);
}

#[test]
fn the_unlock_calendar_follows_the_vesting_rule() {
	let s = start();
	let p = project(&s, &scenario()).unwrap();
	let sched = s.schedules[0];
	for (k, period) in p.unlocks.iter().enumerate() {
		let from = s.block + k as u64 * 30 * DAY;
		let to = s.block + ((k as u64 + 1) * 30).min(365) * DAY;
		let expect = locked_at(sched.locked, sched.per_block, sched.start_block, from) -
			locked_at(sched.locked, sched.per_block, sched.start_block, to);
		let got = period.scheduled;
		assert!(
			(got - expect as f64 / NXV as f64).abs() < 1e-3 * (1.0 + got),
			"period {k}: {got} vs {expect}"
		);
	}
	// Nothing unlocks before the schedule starts (day 99), then 9.51 NXV a block.
	assert_eq!(p.unlocks[0].scheduled, 0.0);
	assert!(p.unlocks[4].scheduled > 0.0);
}

#[test]
fn a_higher_take_pays_providers_less_and_the_protocol_more() {
	let sc = Scenario { paths: 50, days: 120, ..scenario() };
	let grid: alloc::vec::Vec<FeeParams> = [10u32, 15, 20, 25]
		.iter()
		.map(|t| FeeParams { take_rate: Perbill::from_percent(*t), ..FeeParams::defaults() })
		.collect();
	let points = sweep(&start(), &sc, &grid).unwrap();
	for w in points.windows(2) {
		assert!(w[1].provider_share < w[0].provider_share);
		assert!(w[1].take_per_day > w[0].take_per_day);
		assert!(w[1].coverage_held >= w[0].coverage_held);
	}
	// Refunds of 3 % outrun a reserve fed 30 % of a 10 % take (3 % of what seekers pay)
	// but not of a 25 % take (7.5 %).
	let sc = Scenario { refund_rate: 0.04, ..sc };
	let points = sweep(&start(), &sc, &grid).unwrap();
	assert!(points[0].coverage_held < 0.5, "{:?}", points[0]);
	assert!(points[3].coverage_held > 0.5, "{:?}", points[3]);
}

#[test]
fn bad_runs_are_refused_by_name() {
	let s = start();
	assert_eq!(project(&s, &Scenario { paths: 0, ..scenario() }), Err(ProjectionError::Paths));
	assert_eq!(
		project(&s, &Scenario { paths: MAX_PATHS + 1, ..scenario() }),
		Err(ProjectionError::Paths)
	);
	assert_eq!(project(&s, &Scenario { days: 0, ..scenario() }), Err(ProjectionError::Days));
	assert_eq!(
		project(&s, &Scenario { refund_rate: 1.5, ..scenario() }),
		Err(ProjectionError::Scenario)
	);
	assert_eq!(
		project(&s, &Scenario { shortfall_below: -0.1, ..scenario() }),
		Err(ProjectionError::Scenario)
	);
	assert_eq!(
		project(&s, &Scenario { demand_growth: f64::NAN, ..scenario() }),
		Err(ProjectionError::Scenario)
	);
	assert_eq!(
		project(&Start { nxv_price: 0, ..start() }, &scenario()),
		Err(ProjectionError::NoPrice)
	);
	let bad = FeeParams { take_rate: Perbill::from_percent(31), ..FeeParams::defaults() };
	assert_eq!(
		project(&Start { params: bad, ..start() }, &scenario()),
		Err(ProjectionError::InvalidParams(crate::settlement::ParamsError::TakeRateTooHigh))
	);
	assert_eq!(sweep(&s, &scenario(), &[]), Err(ProjectionError::GridSize));
}

#[test]
fn without_history_nothing_is_earned_but_vesting_still_unlocks() {
	let s = Start { history: alloc::vec![], ..start() };
	let p = project(&s, &Scenario { paths: 10, ..scenario() }).unwrap();
	assert!(p.fees.p90.iter().all(|x| *x == 0.0));
	assert!(p.float_share.p50[364] > p.float_share.p50[0]);
	assert_eq!(p.milestones[0].probability, 0.0);
}
