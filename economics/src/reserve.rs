//! The reserve: its target, the overflow above it that is swept to the treasury, and its
//! coverage of routed volume. The reserve pallet values its holdings, computes its target and
//! sweeps with these functions; the projection engine steps them.
//!
//! ```text
//! target   = max(min_reserve, ⌈target_coverage × trailing_volume⌉)
//! overflow = value − target (0 below the target)
//! sweep    = stable asset first, then NXV at a fresh price: each asset's amount worth what is
//!            left of the overflow (NXV rounded up), at most what the reserve can pay
//! ```

use crate::settlement::{pricing_to_token, token_to_pricing};
use sp_arithmetic::Perbill;

/// The reserve's target value in the pricing unit: `max(min_reserve, ⌈coverage × volume⌉)`.
pub fn target(trailing_volume: u128, target_coverage: Perbill, min_reserve: u128) -> u128 {
	target_coverage.mul_ceil(trailing_volume).max(min_reserve)
}

/// The value above the target (zero at or below it).
pub fn overflow(value: u128, target: u128) -> u128 {
	value.saturating_sub(target)
}

/// The reserve's value against trailing volume, in parts per million (`None` without volume).
pub fn coverage_ppm(value: u128, trailing_volume: u128) -> Option<u64> {
	value
		.checked_mul(1_000_000)
		.and_then(|v| v.checked_div(trailing_volume))
		.map(|v| u64::try_from(v).unwrap_or(u64::MAX))
}

/// What a sweep of `overflow` moves to the treasury: `(stable, native)` amounts. The stable
/// asset goes first (at most `available_stable`), then NXV worth the rest at `price` pricing
/// units per `one` NXV (rounded up, at most `available_native`); without a fresh price
/// (`None`) NXV is not swept.
pub fn sweep(
	overflow: u128,
	available_stable: u128,
	available_native: u128,
	price: Option<(u128, u128)>,
) -> (u128, u128) {
	let stable = overflow.min(available_stable);
	let rest = overflow.saturating_sub(stable);
	let native = match price {
		Some((price, one)) if rest > 0 =>
			pricing_to_token(rest, price, one).unwrap_or(0).min(available_native),
		_ => 0,
	};
	(stable, native)
}

/// The value of `native` NXV at `price` pricing units per `one`, rounded down (how the reserve
/// values its NXV: at the last price).
pub fn native_value(native: u128, price: u128, one: u128) -> u128 {
	token_to_pricing(native, price, one).unwrap_or(0)
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
	use super::*;

	#[test]
	fn the_target_is_coverage_of_volume_rounded_up_never_below_the_minimum() {
		let ten = Perbill::from_percent(10);
		assert_eq!(target(1_000_001, ten, 0), 100_001);
		assert_eq!(target(1_000, ten, 5_000), 5_000);
		assert_eq!(overflow(7_000, 5_000), 2_000);
		assert_eq!(overflow(4_000, 5_000), 0);
		assert_eq!(coverage_ppm(50, 1_000), Some(50_000));
		assert_eq!(coverage_ppm(50, 0), None);
	}

	#[test]
	fn a_sweep_takes_stable_first_then_nxv_worth_the_rest() {
		let nxv = 1_000_000_000_000u128;
		// 3 USDN of overflow: 1 USDN of stable, then 2 USDN of NXV at 0.5 USDN per NXV.
		assert_eq!(
			sweep(3_000_000, 1_000_000, 10 * nxv, Some((500_000, nxv))),
			(1_000_000, 4 * nxv)
		);
		// No fresh price: only the stable asset moves.
		assert_eq!(sweep(3_000_000, 1_000_000, 10 * nxv, None), (1_000_000, 0));
		// At most what is available.
		assert_eq!(sweep(3_000_000, 0, nxv, Some((500_000, nxv))), (0, nxv));
	}
}
