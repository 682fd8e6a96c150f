//! The buyback: how much of the pot's stable asset an epoch may swap for NXV on the
//! constant-product pool within the slippage bound, and what the swap yields. The buyback
//! pallet bounds its swap with [`max_within_slippage`]; the projection engine steps the pool
//! with [`amount_out`], the formula of polkadot-sdk's asset-conversion pallet (the runtime's
//! tests check the two agree on the real pool).

use sp_arithmetic::{
	helpers_128bit::multiply_by_rational_with_rounding, traits::Saturating, Permill, Rounding,
};

/// What swapping `amount_in` of the stable asset yields from a pool holding `reserves`
/// (stable, native) with a liquidity fee of `fee`: `⌊x·(1−f)·N / (S + x·(1−f))⌋` with the fee
/// applied in millionths, as asset-conversion computes it. `None` on an empty pool or overflow.
pub fn amount_out(amount_in: u128, reserves: (u128, u128), fee: Permill) -> Option<u128> {
	let (stable, native) = reserves;
	if stable == 0 || native == 0 {
		return None;
	}
	let keep = u128::from(1_000_000u32.saturating_sub(fee.deconstruct()));
	let in_after_fee = amount_in.checked_mul(keep)?;
	let denominator = stable.checked_mul(1_000_000)?.checked_add(in_after_fee)?;
	multiply_by_rational_with_rounding(in_after_fee, native, denominator, Rounding::Down)
}

/// The most of `max` whose swap out of `reserves` (stable, native) yields at least
/// `(1 − slippage)` of what it is worth at the spot price `native/stable`, given the pool's
/// output function `out`. The yield per unit falls as the amount grows (price impact), so the
/// acceptable amounts are an interval from zero and a binary search finds its end in at most
/// 128 steps.
pub fn max_within_slippage(
	max: u128,
	reserves: (u128, u128),
	slippage: Permill,
	out: impl Fn(u128) -> Option<u128>,
) -> u128 {
	let (stable, native) = reserves;
	if stable == 0 || native == 0 {
		return 0;
	}
	let ok = |x: u128| -> bool {
		let spot = multiply_by_rational_with_rounding(x, native, stable, Rounding::Down);
		match (spot, out(x)) {
			(Some(spot), Some(got)) =>
				got > 0 && got >= Permill::one().saturating_sub(slippage).mul_floor(spot),
			_ => false,
		}
	};
	if ok(max) {
		return max;
	}
	let (mut lo, mut hi) = (0u128, max);
	// Invariant: ok(lo) or lo == 0; !ok(hi).
	while hi.saturating_sub(lo) > 1 {
		let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
		if ok(mid) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	lo
}

/// The least amount a swap of `amount_in` must yield: `(1 − slippage)` of its spot value.
pub fn min_out(amount_in: u128, reserves: (u128, u128), slippage: Permill) -> u128 {
	let spot =
		multiply_by_rational_with_rounding(amount_in, reserves.1, reserves.0, Rounding::Down)
			.unwrap_or(0);
	Permill::one().saturating_sub(slippage).mul_floor(spot)
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
	use super::*;

	#[test]
	fn five_percent_slippage_swaps_about_five_percent_of_the_pool() {
		let usdn = 1_000_000u128;
		let nxv = 1_000_000_000_000u128;
		let pool = (1_000_000 * usdn, 1_000_000 * nxv);
		let fee = Permill::from_parts(3_000);
		let x = max_within_slippage(200_000 * usdn, pool, Permill::from_percent(5), |x| {
			amount_out(x, pool, fee)
		});
		// S·(s − f)/((1 − s)(1 − f)) ≈ 49,622.55 USDN.
		assert!(x > 49_600 * usdn && x < 49_650 * usdn, "{x}");
		let got = amount_out(x, pool, fee).unwrap();
		assert!(got >= min_out(x, pool, Permill::from_percent(5)));
		// At or under the fee no amount is within the bound.
		let none = max_within_slippage(usdn, pool, Permill::from_parts(3_000), |x| {
			amount_out(x, pool, fee)
		});
		assert_eq!(none, 0);
		assert_eq!(amount_out(1, (0, 1), fee), None);
	}
}
