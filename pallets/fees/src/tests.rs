//! Tests of the fees pallet: every call and error, conversion, and the flow ledger.

#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use crate::{mock::*, pallet::Params, Error, Event, FlowTotals};
use frame_support::{assert_noop, assert_ok};
use nexus_primitives::{
	settlement::{FeeParams, Legs},
	traits::{ConversionError, FeePolicy},
};
use proptest::prelude::*;
use sp_runtime::{DispatchError, Perbill};

fn pct(n: u32) -> Perbill {
	Perbill::from_percent(n)
}

/// The defaults with the take rate moved to `take` percent.
fn with_take(take: u32) -> FeeParams {
	FeeParams { take_rate: pct(take), ..FeeParams::defaults() }
}

fn legs(provider: u128, treasury: u128, buyback: u128, validators: u128, reserve: u128) -> Legs {
	Legs { provider, treasury, buyback, validators, reserve }
}

#[test]
fn genesis_starts_with_the_defaults() {
	build_and_execute(|| {
		assert_eq!(Params::<Test>::get(), FeeParams::defaults());
		assert_eq!(<Fees as FeePolicy<u32>>::params(), FeeParams::defaults());
		let status = Fees::fee_status();
		assert_eq!(status.next_change_at, 0);
		assert_eq!(status.max_take_rate, pct(30));
	});
}

#[test]
fn set_params_should_work_and_emit_old_and_new() {
	build_and_execute(|| {
		let new = with_take(12);
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), new));
		assert_eq!(Params::<Test>::get(), new);
		System::assert_last_event(Event::ParamsChanged { old: FeeParams::defaults(), new }.into());
		assert_eq!(Fees::fee_status().next_change_at, 1 + COOLDOWN);
	});
}

#[test]
fn set_params_should_fail_for_a_signed_origin() {
	build_and_execute(|| {
		assert_noop!(
			Fees::set_params(RuntimeOrigin::signed(1), with_take(12)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn set_params_should_fail_when_shares_do_not_sum_to_one() {
	build_and_execute(|| {
		let bad = FeeParams { treasury_share: pct(36), ..FeeParams::defaults() };
		assert_noop!(
			Fees::set_params(RuntimeOrigin::root(), bad),
			Error::<Test>::SharesDoNotSumToOne
		);
	});
}

#[test]
fn set_params_should_fail_when_take_rate_above_hard_cap() {
	build_and_execute(|| {
		// Walk the take rate to the cap in allowed steps, then try one point more.
		for (i, take) in [20, 25, 30].into_iter().enumerate() {
			System::set_block_number(1 + (i as u64 + 1) * COOLDOWN);
			assert_ok!(Fees::set_params(RuntimeOrigin::root(), with_take(take)));
		}
		System::set_block_number(100);
		let over = FeeParams { take_rate: Perbill::from_parts(300_000_001), ..with_take(30) };
		assert_noop!(Fees::set_params(RuntimeOrigin::root(), over), Error::<Test>::TakeRateTooHigh);
	});
}

#[test]
fn set_params_should_fail_when_discount_cap_above_hard_cap() {
	build_and_execute(|| {
		let bad = FeeParams { max_discount: pct(31), ..FeeParams::defaults() };
		assert_noop!(
			Fees::set_params(RuntimeOrigin::root(), bad),
			Error::<Test>::DiscountCapTooHigh
		);
	});
}

#[test]
fn set_params_should_fail_when_nxv_discount_above_cap() {
	build_and_execute(|| {
		let bad = FeeParams { nxv_discount: pct(21), ..FeeParams::defaults() };
		assert_noop!(
			Fees::set_params(RuntimeOrigin::root(), bad),
			Error::<Test>::AssetDiscountAboveCap
		);
	});
}

#[test]
fn set_params_should_fail_when_a_field_moves_more_than_max_step() {
	build_and_execute(|| {
		assert_noop!(
			Fees::set_params(RuntimeOrigin::root(), with_take(21)),
			Error::<Test>::StepTooLarge
		);
		// Shares move too: 35/25/10/30 → 41/19/10/30 moves two shares by 6 points.
		let bad =
			FeeParams { treasury_share: pct(41), buyback_share: pct(19), ..FeeParams::defaults() };
		assert_noop!(Fees::set_params(RuntimeOrigin::root(), bad), Error::<Test>::StepTooLarge);
		// Exactly one step is allowed.
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), with_take(20)));
	});
}

#[test]
fn set_params_should_fail_within_the_cooldown() {
	build_and_execute(|| {
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), with_take(14)));
		System::set_block_number(COOLDOWN);
		assert_noop!(
			Fees::set_params(RuntimeOrigin::root(), with_take(13)),
			Error::<Test>::TooSoon
		);
		System::set_block_number(1 + COOLDOWN);
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), with_take(13)));
	});
}

#[test]
fn set_params_should_fail_when_unchanged() {
	build_and_execute(|| {
		assert_noop!(
			Fees::set_params(RuntimeOrigin::root(), FeeParams::defaults()),
			Error::<Test>::Unchanged
		);
	});
}

#[test]
fn fee_path_is_a_sequence_of_changes_set_params_enacts_at_its_blocks() {
	use nexus_primitives::fee_path::PathError;
	build_and_execute(|| {
		// 15 → 27 % take and the reserve's share 30 → 18 % to the treasury: three changes.
		let target = FeeParams {
			take_rate: pct(27),
			treasury_share: pct(47),
			reserve_share: pct(18),
			..FeeParams::defaults()
		};
		let path = Fees::fee_path(target).unwrap();
		assert_eq!(path.len(), 3);
		assert_eq!(path.last().unwrap().params, target);
		// The first may be enacted now (block 1), each next a cooldown later.
		let blocks: Vec<u64> = path.iter().map(|s| s.enactable_from).collect();
		assert_eq!(blocks, vec![1, 1 + COOLDOWN, 1 + 2 * COOLDOWN]);
		for step in &path {
			// One block early is too soon (but for the first, which is due now).
			if step.enactable_from > 1 {
				System::set_block_number(step.enactable_from - 1);
				assert_noop!(
					Fees::set_params(RuntimeOrigin::root(), step.params),
					Error::<Test>::TooSoon
				);
			}
			System::set_block_number(step.enactable_from);
			assert_ok!(Fees::set_params(RuntimeOrigin::root(), step.params));
		}
		assert_eq!(Params::<Test>::get(), target);
		// Going there at once was never allowed.
		assert_eq!(Fees::fee_path(target), Err(PathError::Unchanged));
		let back = FeeParams::defaults();
		assert_ok!(Fees::fee_path(back));
		System::set_block_number(1 + 2 * COOLDOWN);
		// Within the cooldown the first step waits for it.
		assert_eq!(Fees::fee_path(back).unwrap()[0].enactable_from, 1 + 3 * COOLDOWN);
		assert_eq!(
			Fees::fee_path(FeeParams { take_rate: pct(31), ..back }),
			Err(PathError::Invalid(nexus_primitives::settlement::ParamsError::TakeRateTooHigh))
		);
	});
}

#[test]
fn set_nxv_price_should_work_and_fail_on_zero_or_bad_origin() {
	build_and_execute(|| {
		System::set_block_number(5);
		assert_ok!(Fees::set_nxv_price(RuntimeOrigin::root(), 3_000_000));
		System::assert_last_event(
			Event::NxvPriceSet { old: Some(2_000_000), new: 3_000_000 }.into(),
		);
		let status = Fees::price_status();
		assert_eq!(
			(status.price, status.set_at, status.stale_at, status.stale),
			(Some(3_000_000), Some(5), Some(25), false)
		);
		assert_noop!(Fees::set_nxv_price(RuntimeOrigin::root(), 0), Error::<Test>::ZeroPrice);
		assert_noop!(Fees::set_nxv_price(RuntimeOrigin::signed(1), 1), DispatchError::BadOrigin);
	});
}

#[test]
fn to_asset_converts_pricing_units_rounding_up() {
	build_and_execute(|| {
		// The stable asset is the pricing unit.
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&USDN, 1_234), Ok(1_234));
		// NXV at 2 USDN: 1 USDN (10^6 units) is half an NXV.
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&NXV, 1_000_000), Ok(UNIT / 2));
		// One pricing unit at 2,000,000 per NXV is exactly 500,000 planck.
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&NXV, 3), Ok(1_500_000));
		assert_ok!(Fees::set_nxv_price(RuntimeOrigin::root(), 3_000_000));
		// At 3 USDN, 10^12 / 3,000,000 = 333,333.3… planck: rounded up.
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&NXV, 1), Ok(333_334));
		// The rate a batch's event carries, so that anyone recomputes its charges.
		use nexus_primitives::settlement::Rate;
		assert_eq!(<Fees as FeePolicy<u32>>::rate(&USDN), Ok(Rate::Par));
		assert_eq!(
			<Fees as FeePolicy<u32>>::rate(&NXV),
			Ok(Rate::Token { price: 3_000_000, one: UNIT })
		);
		assert_eq!(<Fees as FeePolicy<u32>>::to_pricing(&NXV, 333_334), Some(1));
		assert_eq!(<Fees as FeePolicy<u32>>::to_pricing(&USDN, 7), Some(7));
		assert_eq!(<Fees as FeePolicy<u32>>::to_pricing(&9, 7), None);
	});
}

#[test]
fn to_asset_should_fail_for_unsupported_asset_missing_or_stale_price_and_overflow() {
	build_and_execute(|| {
		assert_eq!(
			<Fees as FeePolicy<u32>>::to_asset(&9, 1),
			Err(ConversionError::UnsupportedAsset)
		);
		assert_eq!(
			<Fees as FeePolicy<u32>>::to_asset(&NXV, u128::MAX),
			Err(ConversionError::Overflow)
		);
		// Genesis price set at block 0: fresh through block 20, stale from 21.
		System::set_block_number(PRICE_AGE);
		assert!(<Fees as FeePolicy<u32>>::to_asset(&NXV, 1).is_ok());
		System::set_block_number(PRICE_AGE + 1);
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&NXV, 1), Err(ConversionError::StalePrice));
		assert!(Fees::price_status().stale);
		crate::pallet::NxvPrice::<Test>::kill();
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&NXV, 1), Err(ConversionError::NoPrice));
		// The stable asset never depends on the price.
		assert_eq!(<Fees as FeePolicy<u32>>::to_asset(&USDN, 1), Ok(1));
	});
}

#[test]
fn asset_discount_applies_to_nxv_only() {
	build_and_execute(|| {
		assert!(<Fees as FeePolicy<u32>>::is_payment_asset(&NXV));
		assert!(<Fees as FeePolicy<u32>>::is_payment_asset(&USDN));
		assert!(!<Fees as FeePolicy<u32>>::is_payment_asset(&2));
		assert_eq!(<Fees as FeePolicy<u32>>::asset_discount(&NXV), pct(10));
		assert_eq!(<Fees as FeePolicy<u32>>::asset_discount(&USDN), Perbill::zero());
	});
}

#[test]
fn flows_are_booked_per_asset_and_bucket() {
	build_and_execute(|| {
		<Fees as FeePolicy<u32>>::note_settled(&USDN, 2, 1_000, &legs(850, 53, 37, 15, 45));
		System::set_block_number(BUCKET + 1);
		<Fees as FeePolicy<u32>>::note_settled(&USDN, 1, 100, &legs(85, 5, 4, 1, 5));
		<Fees as FeePolicy<u32>>::note_settled(&NXV, 1, 200, &legs(85, 5, 4, 1, 5));
		<Fees as FeePolicy<u32>>::note_refund(&USDN, 30);

		let all = Fees::flows_since(0);
		let usdn = all.iter().find(|(a, _)| *a == USDN).unwrap().1;
		assert_eq!(usdn.receipts, 3);
		assert_eq!(usdn.volume, 1_100);
		assert_eq!(usdn.net, 1_100);
		assert_eq!(usdn.refunded, 30);
		// From the second bucket only.
		let recent = Fees::flows_since(BUCKET);
		let usdn = recent.iter().find(|(a, _)| *a == USDN).unwrap().1;
		assert_eq!((usdn.receipts, usdn.net), (1, 100));
		let nxv = recent.iter().find(|(a, _)| *a == NXV).unwrap().1;
		assert_eq!((nxv.receipts, nxv.volume, nxv.net), (1, 200, 100));
		assert_eq!(<Fees as FeePolicy<u32>>::trailing_volume(), 1_300);
		let lifetime = Fees::lifetime_totals();
		assert_eq!(lifetime.iter().find(|(a, _)| *a == USDN).unwrap().1.receipts, 3);
	});
}

#[test]
fn flow_buckets_age_out_of_the_ring_and_the_coverage_window() {
	build_and_execute(|| {
		<Fees as FeePolicy<u32>>::note_settled(&USDN, 1, 1_000, &legs(1_000, 0, 0, 0, 0));
		// COVERAGE buckets later the first bucket leaves the trailing volume ...
		System::set_block_number(BUCKET * u64::from(COVERAGE) + 1);
		assert_eq!(<Fees as FeePolicy<u32>>::trailing_volume(), 0);
		assert_eq!(Fees::flows_since(0)[1].1.volume, 1_000);
		// ... HISTORY buckets later it leaves the ring; the slot is reused afresh.
		System::set_block_number(BUCKET * u64::from(HISTORY) + 1);
		assert_eq!(Fees::flows_since(0)[1].1, FlowTotals::default());
		<Fees as FeePolicy<u32>>::note_settled(&USDN, 1, 7, &legs(7, 0, 0, 0, 0));
		assert_eq!(Fees::flows_since(0)[1].1.volume, 7);
		// Lifetime totals keep everything.
		assert_eq!(Fees::lifetime_totals()[1].1.volume, 1_007);
	});
}

fn arb_params() -> impl Strategy<Value = FeeParams> {
	(0u32..=400_000_000, 0u32..=1_000_000_000, 0u32..=1_000_000_000, 0u32..=1_000_000_000).prop_map(
		|(take, a, b, c)| {
			let t = a.min(1_000_000_000);
			let bb = b.min(1_000_000_000 - t);
			let v = c.min(1_000_000_000 - t - bb);
			FeeParams {
				take_rate: Perbill::from_parts(take),
				treasury_share: Perbill::from_parts(t),
				buyback_share: Perbill::from_parts(bb),
				validators_share: Perbill::from_parts(v),
				reserve_share: Perbill::from_parts(1_000_000_000 - t - bb - v),
				nxv_discount: pct(10),
				max_discount: pct(20),
			}
		},
	)
}

proptest! {
	#[test]
	fn whatever_is_accepted_keeps_providers_above_half(p in arb_params()) {
		new_test_ext().execute_with(|| {
			let ok = Fees::set_params(RuntimeOrigin::root(), p).is_ok();
			let stored = Params::<Test>::get();
			prop_assert_eq!(stored.validate(), Ok(()));
			prop_assert!(stored.take_rate < pct(50));
			if ok {
				prop_assert_eq!(stored, p);
				prop_assert!(p.take_rate <= pct(20), "one step from 15%");
			} else {
				prop_assert_eq!(stored, FeeParams::defaults());
			}
			Ok(())
		})?;
	}
}
