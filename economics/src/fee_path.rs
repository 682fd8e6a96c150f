//! The pace of fee changes: how far one change may move the fee parameters, and the sequence of
//! changes that reaches a proposal from the parameters in force.
//!
//! Governance moves each field of [`FeeParams`] by at most a step per change (the fees pallet's
//! `MaxStep`, 5 percentage points in the runtime), and changes are a cooldown apart. A proposal
//! further away is reached by a sequence of referenda: [`steps_towards`] plans it, each step a
//! valid set of parameters (shares summing to 100 %, the bounds held) within the step of the one
//! before. The fees pallet enacts a change only if [`within_step`] holds, so a planned sequence
//! is exactly one the runtime accepts, one referendum at a time.

use crate::settlement::{FeeParams, ParamsError};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Saturating, Perbill};

/// The most changes a planned sequence holds (at the runtime's 5-point step, a field crosses
/// its whole range in 20).
pub const MAX_PATH_STEPS: u32 = 64;

/// Why no sequence of changes reaches a proposal.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub enum PathError {
	/// The proposal breaks a hard bound, so no change may ever enact it.
	Invalid(ParamsError),
	/// The proposal is what is in force: there is nothing to enact.
	Unchanged,
	/// The step is zero: no field may move.
	ZeroStep,
	/// More than [`MAX_PATH_STEPS`] changes would be needed.
	TooManySteps,
}

/// `|a − b|`.
pub fn distance(a: Perbill, b: Perbill) -> Perbill {
	if a > b {
		a.saturating_sub(b)
	} else {
		b.saturating_sub(a)
	}
}

/// The fields of `p` in a fixed order: take rate, treasury, buyback, validators and reserve
/// shares, NXV discount, discount cap.
pub fn fields(p: &FeeParams) -> [Perbill; 7] {
	[
		p.take_rate,
		p.treasury_share,
		p.buyback_share,
		p.validators_share,
		p.reserve_share,
		p.nxv_discount,
		p.max_discount,
	]
}

fn from_fields(f: [Perbill; 7]) -> FeeParams {
	let [take_rate, treasury_share, buyback_share, validators_share, reserve_share, nxv_discount, max_discount] =
		f;
	FeeParams {
		take_rate,
		treasury_share,
		buyback_share,
		validators_share,
		reserve_share,
		nxv_discount,
		max_discount,
	}
}

/// Whether one change from `old` to `new` moves no field by more than `step`: the pace bound
/// the fees pallet enforces on every change.
pub fn within_step(old: &FeeParams, new: &FeeParams, step: Perbill) -> bool {
	fields(old)
		.iter()
		.zip(fields(new).iter())
		.all(|(a, b)| distance(*a, *b) <= step)
}

/// `from + (to − from) × k / n`, rounded towards `from` (so each of the `n` moves is at most
/// `⌈|to − from| / n⌉`), exactly `to` at `k = n`.
fn between(from: Perbill, to: Perbill, k: u32, n: u32) -> Perbill {
	let (a, b) = (u64::from(from.deconstruct()), u64::from(to.deconstruct()));
	let part = |d: u64| d.saturating_mul(u64::from(k)).checked_div(u64::from(n)).unwrap_or(d);
	let v = if b >= a {
		a.saturating_add(part(b.saturating_sub(a)))
	} else {
		a.saturating_sub(part(a.saturating_sub(b)))
	};
	// Between two `Perbill`s, so it fits.
	Perbill::from_parts(u32::try_from(v).unwrap_or(u32::MAX))
}

/// Step `k` of `n` from `from` to `to`: every field interpolated, the reserve share taking what
/// the other three leave (so the shares sum to exactly 100 %), the NXV discount held under the
/// discount cap.
fn step_of(from: &FeeParams, to: &FeeParams, k: u32, n: u32) -> FeeParams {
	let mut f = fields(from);
	for (slot, target) in f.iter_mut().zip(fields(to)) {
		*slot = between(*slot, target, k, n);
	}
	let mut p = from_fields(f);
	p.reserve_share = Perbill::one()
		.saturating_sub(p.treasury_share)
		.saturating_sub(p.buyback_share)
		.saturating_sub(p.validators_share);
	p.nxv_discount = p.nxv_discount.min(p.max_discount);
	p
}

/// The fewest changes that lead from `from` to `to`, each moving no field by more than `step`
/// and each a valid set of parameters: the sequence of referenda that enacts a proposal the
/// pace bound does not allow at once. The last element is `to`; one element means one change
/// suffices.
pub fn steps_towards(
	from: &FeeParams,
	to: &FeeParams,
	step: Perbill,
) -> Result<Vec<FeeParams>, PathError> {
	to.validate().map_err(PathError::Invalid)?;
	if from == to {
		return Err(PathError::Unchanged);
	}
	if step.is_zero() {
		return Err(PathError::ZeroStep);
	}
	let widest = fields(from)
		.iter()
		.zip(fields(to).iter())
		.map(|(a, b)| distance(*a, *b).deconstruct())
		.max()
		.unwrap_or(0);
	let fewest = widest.div_ceil(step.deconstruct()).max(1);
	// Rounding the reserve share (the remainder) or the NXV discount (held under the cap) can
	// move a field a few parts per billion past the step; one change more absorbs it.
	for n in fewest..=fewest.saturating_add(2).min(MAX_PATH_STEPS) {
		let mut prev = *from;
		let mut path = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
		let mut fits = true;
		for k in 1..=n {
			let p = if k == n { *to } else { step_of(from, to, k, n) };
			// A step that rounds back to the one before is no change (the runtime would refuse
			// it as `Unchanged`): skipped.
			if p == prev {
				continue;
			}
			if p.validate().is_err() || !within_step(&prev, &p, step) {
				fits = false;
				break;
			}
			path.push(p);
			prev = p;
		}
		if fits {
			return Ok(path);
		}
	}
	Err(PathError::TooManySteps)
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
	use super::*;
	use proptest::prelude::*;

	fn pct(n: u32) -> Perbill {
		Perbill::from_percent(n)
	}

	#[test]
	fn one_change_when_within_the_step() {
		let from = FeeParams::defaults();
		let to = FeeParams { take_rate: pct(18), ..from };
		assert_eq!(steps_towards(&from, &to, pct(5)), Ok(alloc::vec![to]));
	}

	#[test]
	fn a_far_proposal_takes_several_changes_each_valid() {
		let from = FeeParams::defaults();
		// Take 15 → 28 (13 points) and the reserve 30 → 15 with the treasury 35 → 50.
		let to = FeeParams {
			take_rate: pct(28),
			treasury_share: pct(50),
			reserve_share: pct(15),
			..from
		};
		let path = steps_towards(&from, &to, pct(5)).unwrap();
		assert_eq!(path.len(), 3);
		assert_eq!(path.last(), Some(&to));
		let mut prev = from;
		for p in &path {
			assert_eq!(p.validate(), Ok(()));
			assert!(within_step(&prev, p, pct(5)));
			prev = *p;
		}
	}

	#[test]
	fn refusals_are_named() {
		let from = FeeParams::defaults();
		assert_eq!(steps_towards(&from, &from, pct(5)), Err(PathError::Unchanged));
		let bad = FeeParams { take_rate: pct(31), ..from };
		assert_eq!(
			steps_towards(&from, &bad, pct(5)),
			Err(PathError::Invalid(ParamsError::TakeRateTooHigh))
		);
		let to = FeeParams { take_rate: pct(16), ..from };
		assert_eq!(steps_towards(&from, &to, Perbill::zero()), Err(PathError::ZeroStep));
		// One part per billion per change cannot cross 30 points in 64 changes.
		let far = FeeParams { take_rate: pct(30), ..from };
		assert_eq!(
			steps_towards(&from, &far, Perbill::from_parts(1)),
			Err(PathError::TooManySteps)
		);
	}

	fn params() -> impl Strategy<Value = FeeParams> {
		(
			0u32..=300_000_000,
			0u32..=1_000_000_000,
			0u32..=1_000_000_000,
			0u32..=1_000_000_000,
			0u32..=300_000_000,
			0u32..=300_000_000,
		)
			.prop_map(|(take, t, b, v, cap, nxv)| {
				// Three cuts of 100 % into four shares.
				let mut cuts = [t, b, v];
				cuts.sort();
				let [c1, c2, c3] = cuts;
				FeeParams {
					take_rate: Perbill::from_parts(take),
					treasury_share: Perbill::from_parts(c1),
					buyback_share: Perbill::from_parts(c2 - c1),
					validators_share: Perbill::from_parts(c3 - c2),
					reserve_share: Perbill::from_parts(1_000_000_000 - c3),
					nxv_discount: Perbill::from_parts(nxv.min(cap)),
					max_discount: Perbill::from_parts(cap),
				}
			})
	}

	proptest! {
		/// Any valid proposal is reached by the fewest changes the widest move needs (or one
		/// more), every one of them valid and within the step: what the fees pallet accepts.
		#[test]
		fn every_planned_change_is_one_the_runtime_accepts(
			from in params(),
			to in params(),
			step in 10_000_000u32..=100_000_000,
		) {
			prop_assume!(from != to);
			let step = Perbill::from_parts(step);
			let widest = fields(&from).iter().zip(fields(&to).iter())
				.map(|(a, b)| distance(*a, *b).deconstruct()).max().unwrap();
			let fewest = widest.div_ceil(step.deconstruct()).max(1) as usize;
			if fewest > MAX_PATH_STEPS as usize {
				// A move of more than 64 steps is refused by name, never cut short.
				prop_assert_eq!(steps_towards(&from, &to, step), Err(PathError::TooManySteps));
				return Ok(());
			}
			let path = steps_towards(&from, &to, step).unwrap();
			prop_assert!(path.len() >= fewest && path.len() <= fewest + 2);
			prop_assert_eq!(path.last(), Some(&to));
			let mut prev = from;
			for p in &path {
				prop_assert_eq!(p.validate(), Ok(()));
				prop_assert!(within_step(&prev, p, step));
				prop_assert!(p != &prev);
				prev = *p;
			}
		}
	}
}
