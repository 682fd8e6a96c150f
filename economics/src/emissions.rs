//! Emissions: which milestone releases next, and the vesting schedule a released share gets.
//! The emissions pallet releases and vests with these; the projection engine steps them.
//!
//! ```text
//! next release = the first milestone (by index) not released whose metric has reached its threshold
//! per_block    = max(1, ⌈amount / vesting_period⌉)            (linear, no cliff, from the release)
//! ```

/// The index of the milestone that releases next: the first, by index, not yet released whose
/// metric's progress has reached its threshold. `milestones` yields `(released, progress,
/// threshold)` per milestone.
pub fn next_release(milestones: impl IntoIterator<Item = (bool, u128, u128)>) -> Option<usize> {
	milestones
		.into_iter()
		.position(|(released, progress, threshold)| !released && progress >= threshold)
}

/// The per-block unlock of `amount` vesting linearly over `period` blocks: rounded up, so the
/// schedule ends on or before its last block, and at least one planck.
pub fn per_block(amount: u128, period: u128) -> u128 {
	amount.div_ceil(period.max(1)).max(1)
}

/// What a schedule of `locked` unlocking `per_block` from block `start` still locks at block
/// `now` (pallet-vesting's rule: nothing before `start`, then linear).
pub fn locked_at(locked: u128, per_block: u128, start: u64, now: u64) -> u128 {
	let elapsed = u128::from(now.saturating_sub(start));
	locked.saturating_sub(per_block.saturating_mul(elapsed))
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
	use super::*;

	#[test]
	fn the_first_reached_unreleased_milestone_releases() {
		let ms = [(true, 50, 10), (false, 50, 100), (false, 50, 20)];
		assert_eq!(next_release(ms), Some(2));
		assert_eq!(next_release([(false, 5, 10)]), None);
	}

	#[test]
	fn vesting_rounds_the_unlock_up_and_ends_within_the_period() {
		assert_eq!(per_block(10, 3), 4);
		assert_eq!(per_block(1, 1_000), 1);
		assert_eq!(locked_at(10, 4, 100, 99), 10);
		assert_eq!(locked_at(10, 4, 100, 101), 6);
		assert_eq!(locked_at(10, 4, 100, 103), 0);
	}
}
