//! One path: the economy stepped day by day (see the module docs of [`super`] for the order).

use super::{
	day::{settle_day, DaySettled},
	rng::Rng,
	stats::Book,
	Scenario, Schedule, Start,
};
use crate::{
	buyback::{amount_out, max_within_slippage},
	emissions::{locked_at, next_release, per_block},
	reserve,
	settlement::{pricing_to_token, token_to_pricing, FeeParams},
};
use alloc::vec::Vec;

/// Days of volume the reserve's target covers (the fees pallet's `CoverageBuckets`).
const TRAILING_DAYS: usize = 30;
const DAYS_PER_YEAR: f64 = 365.0;

/// An amount in the pricing unit as a float (for the distributions).
pub(super) fn f(x: u128) -> f64 {
	x as f64
}

/// A float back to an amount (negative and non-finite values are zero).
pub(super) fn int(x: f64) -> u128 {
	if x.is_finite() && x > 0.0 {
		x as u128
	} else {
		0
	}
}

/// The demand multiplier of `day`: the scale, the trend and the shock.
fn demand_factor(s: &Scenario, day: u32) -> f64 {
	let trend = s.demand_scale * libm::pow(1.0 + s.demand_growth, f64::from(day) / DAYS_PER_YEAR);
	let shock = match s.shock {
		Some(k) if day >= k.day => {
			let since = f64::from(day.saturating_sub(k.day));
			let recovered = if k.recovery_days == 0 {
				0.0
			} else {
				(since / f64::from(k.recovery_days)).min(1.0)
			};
			1.0 - k.drop * (1.0 - recovered)
		},
		_ => 1.0,
	};
	trend * shock
}

/// Pays `value` (pricing unit) out of `pot`, stable first, then NXV at `price`; returns what
/// could not be paid.
fn pay(pot: &mut super::Pot, value: u128, price: u128, one: u128) -> u128 {
	let stable = value.min(pot.stable);
	pot.stable = pot.stable.saturating_sub(stable);
	let rest = value.saturating_sub(stable);
	if rest == 0 {
		return 0;
	}
	let want = pricing_to_token(rest, price, one).unwrap_or(u128::MAX);
	let native = want.min(pot.native);
	pot.native = pot.native.saturating_sub(native);
	if native == want {
		0
	} else {
		rest.saturating_sub(token_to_pricing(native, price, one).unwrap_or(0))
	}
}

/// Runs path `p` of `scenario` from `start` under `params`, recording into `book`.
pub fn run(
	start: &Start,
	params: &FeeParams,
	scenario: &Scenario,
	seed: u64,
	book: &mut Book,
	p: u32,
) {
	let mut rng = Rng::new(seed);
	let one = start.one_nxv;
	let bpd = start.blocks_per_day;
	let mut price = start.nxv_price as f64;
	let mut reserve_pot = start.reserve;
	let mut treasury = start.treasury;
	let mut pot = start.buyback;
	let mut pool = start.pool;
	let mut settled = start.settled_volume;
	let mut released = alloc::vec![false; start.milestones.len()];
	let mut tranches: Vec<Schedule> = Vec::new();
	// What the pool still holds beyond the tranches in force (on chain a milestone is only
	// added if the pool covers it, so this only binds a start state read mid-release).
	let mut pool_left = start.emissions_pool;
	let mut circulating = start.circulating;
	let mut total = start.total_supply;
	// Trailing volume: the chain's 30-day sum spread evenly, then the projected days.
	let mut trailing =
		[start.trailing_volume.checked_div(TRAILING_DAYS as u128).unwrap_or(0); TRAILING_DAYS];
	let mut fees = 0u128;
	let mut emissions = 0u128;
	let mut validators_native = 0u128;
	let mut shortfall_day = None;
	let mut days_short = 0u32;
	let mut exhausted = false;
	let mut treasury_exhausted = false;
	let drift = (scenario.price_drift -
		scenario.price_volatility * scenario.price_volatility / 2.0) /
		DAYS_PER_YEAR;
	let vol = scenario.price_volatility / libm::sqrt(DAYS_PER_YEAR);
	for day in 0..scenario.days {
		let block_before = start.block.saturating_add(u64::from(day).saturating_mul(bpd));
		let block = block_before.saturating_add(bpd);
		price *= libm::exp(drift + vol * rng.normal());
		let px = int(price).max(1);

		// 1. Demand, priced and split.
		let sample = if start.history.is_empty() {
			&[][..]
		} else {
			start
				.history
				.get(rng.below(start.history.len()))
				.map(Vec::as_slice)
				.unwrap_or(&[])
		};
		let settled_today = settle_day(sample, demand_factor(scenario, day), params, px, one);
		let DaySettled { volume, take, net, .. } = settled_today;
		let (stable_net, native_net) = (net.stable, net.native);
		for (pot_of, legs) in [
			(&mut reserve_pot, settled_today.reserve),
			(&mut treasury, settled_today.treasury),
			(&mut pot, settled_today.buyback),
		] {
			pot_of.stable = pot_of.stable.saturating_add(legs.stable);
			pot_of.native = pot_of.native.saturating_add(legs.native);
			// NXV paid into the pots leaves the float.
			circulating = circulating.saturating_sub(legs.native);
		}
		// The validators' share is paid out to stakers each era, back into the float.
		validators_native = validators_native.saturating_add(settled_today.validators.native);
		fees = fees.saturating_add(take);

		// 2. Refunds, from the reserve.
		let refund_stable = int(f(stable_net) * scenario.refund_rate);
		let refund_native = int(f(native_net) * scenario.refund_rate);
		if refund_stable > reserve_pot.stable || refund_native > reserve_pot.native {
			exhausted = true;
		}
		reserve_pot.stable = reserve_pot.stable.saturating_sub(refund_stable);
		let paid_native = refund_native.min(reserve_pot.native);
		reserve_pot.native = reserve_pot.native.saturating_sub(paid_native);
		circulating = circulating.saturating_add(paid_native);

		// 3. The reserve: target, shortfall, sweep.
		if let Some(slot) = trailing.get_mut(usize::try_from(day).unwrap_or(0) % TRAILING_DAYS) {
			*slot = volume;
		}
		let trailing_volume = trailing.iter().fold(0u128, |a, v| a.saturating_add(*v));
		let target = reserve::target(trailing_volume, start.target_coverage, start.min_reserve);
		let value =
			reserve_pot
				.stable
				.saturating_add(reserve::native_value(reserve_pot.native, px, one));
		if f(value) < f(target) * scenario.shortfall_below {
			shortfall_day = shortfall_day.or(Some(day));
			days_short = days_short.saturating_add(1);
		}
		let (swept_stable, swept_native) = reserve::sweep(
			reserve::overflow(value, target),
			reserve_pot.stable,
			reserve_pot.native,
			Some((px, one)),
		);
		reserve_pot.stable = reserve_pot.stable.saturating_sub(swept_stable);
		reserve_pot.native = reserve_pot.native.saturating_sub(swept_native);
		treasury.stable = treasury.stable.saturating_add(swept_stable);
		treasury.native = treasury.native.saturating_add(swept_native);
		let reserve_value =
			reserve_pot
				.stable
				.saturating_add(reserve::native_value(reserve_pot.native, px, one));

		// 4. The treasury spends.
		let treasury_native_before = treasury.native;
		if pay(&mut treasury, scenario.treasury_spend, px, one) > 0 {
			treasury_exhausted = true;
		}
		circulating =
			circulating.saturating_add(treasury_native_before.saturating_sub(treasury.native));
		let treasury_value =
			treasury.stable.saturating_add(reserve::native_value(treasury.native, px, one));

		// 5. The buyback pot at the epoch's end.
		if day.saturating_add(1).checked_rem(start.epoch_days) == Some(0) {
			match (start.buyback_slippage, pool.as_mut()) {
				(Some(slippage), Some(pl)) => {
					let reserves = (pl.stable, pl.native);
					let fee = pl.fee;
					let x = max_within_slippage(pot.stable, reserves, slippage, |x| {
						amount_out(x, reserves, fee)
					});
					let out = if x > 0 { amount_out(x, reserves, fee).unwrap_or(0) } else { 0 };
					pl.stable = pl.stable.saturating_add(x);
					pl.native = pl.native.saturating_sub(out);
					pot.stable = pot.stable.saturating_sub(x);
					let burned = pot.native.saturating_add(out);
					pot.native = 0;
					total = total.saturating_sub(burned);
				},
				(Some(_), None) => {
					// No pool: the held NXV still burns; the stable asset carries.
					total = total.saturating_sub(pot.native);
					pot.native = 0;
				},
				(None, _) => {
					// Rebates: paid out to the seekers (NXV back into the float).
					circulating = circulating.saturating_add(pot.native);
					pot = super::Pot::default();
				},
			}
		}

		// 6. Emissions: one release a day at most (one per round on chain).
		settled = settled.saturating_add(volume);
		let due = next_release(
			start
				.milestones
				.iter()
				.zip(released.iter())
				.map(|(m, r)| (*r, settled, m.threshold)),
		);
		if let Some(i) = due {
			if let (Some(m), Some(r)) = (start.milestones.get(i), released.get_mut(i)) {
				*r = true;
				book.milestone(i, p, day);
				let tranche = m.tranche.min(pool_left);
				pool_left = pool_left.saturating_sub(tranche);
				tranches.push(Schedule {
					locked: tranche,
					per_block: per_block(tranche, u128::from(start.vesting_period)),
					start_block: block_before,
				});
				emissions =
					emissions.saturating_add(token_to_pricing(tranche, px, one).unwrap_or(0));
			}
		}
		let unlocked =
			|s: &Schedule| {
				locked_at(s.locked, s.per_block, s.start_block, block_before)
					.saturating_sub(locked_at(s.locked, s.per_block, s.start_block, block))
			};
		let scheduled: u128 = start.schedules.iter().map(unlocked).fold(0, u128::saturating_add);
		let from_tranches: u128 = tranches.iter().map(unlocked).fold(0, u128::saturating_add);
		circulating = circulating.saturating_add(scheduled).saturating_add(from_tranches);

		// 7. Arbitrage the pool to the day's price, keeping its product.
		if let Some(pl) = pool.as_mut() {
			let k = f(pl.stable) * f(pl.native);
			let spot = price / one as f64;
			if k > 0.0 && spot > 0.0 {
				pl.stable = int(libm::sqrt(k * spot));
				pl.native = int(libm::sqrt(k / spot));
			}
		}

		book.day(
			p,
			day,
			super::stats::Day {
				coverage: if target == 0 { 0.0 } else { f(reserve_value) / f(target) },
				reserve: f(reserve_value),
				treasury: f(treasury_value),
				float: if total == 0 { 0.0 } else { f(circulating) / f(total) },
				take: f(take),
				fees: f(fees),
				emissions: f(emissions),
				scheduled_unlock: f(scheduled) / one as f64,
				released_unlock: f(from_tranches) / one as f64,
			},
		);
	}
	let years = f64::from(scenario.days) / DAYS_PER_YEAR;
	let validator_yield =
		if start.bonded == 0 { 0.0 } else { f(validators_native) / f(start.bonded) / years };
	let runway = if scenario.treasury_spend == 0 {
		None
	} else {
		let px = int(price).max(1);
		let value = treasury.stable.saturating_add(reserve::native_value(treasury.native, px, one));
		Some(f(value) / f(scenario.treasury_spend))
	};
	book.path_end(
		p,
		(shortfall_day, days_short),
		exhausted,
		treasury_exhausted,
		runway,
		validator_yield,
	);
}
