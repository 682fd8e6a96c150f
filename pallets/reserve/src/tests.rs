//! Tests of the reserve: claims, refunds, valuation, coverage and sweeps.

#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use crate::{mock::*, pallet::Paid, Error, Event};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::NativeOrWithId, fungibles::Inspect, Get, Hooks},
	weights::Weight,
};
use nexus_primitives::{
	settlement::Legs,
	traits::{FeePolicy, ReserveFund},
};
use sp_core::H256;
use sp_runtime::DispatchError;

const NXV: u128 = 1_000_000_000_000;

fn usdn() -> Asset {
	NativeOrWithId::WithId(USDN_ID)
}

fn balance(asset: Asset, who: AccountId) -> u128 {
	<<Test as crate::pallet::Config>::Assets as Inspect<AccountId>>::balance(asset, &who)
}

fn settled_volume(volume: u128) {
	<Fees as FeePolicy<Asset>>::note_settled(
		&usdn(),
		1,
		volume,
		&Legs { provider: volume, ..Default::default() },
	);
}

#[test]
fn pay_claim_should_work_and_emit_event() {
	build_and_execute(5_000, 0, || {
		assert_ok!(Reserve::pay_claim(
			RuntimeOrigin::root(),
			usdn(),
			7,
			1_200,
			H256::repeat_byte(1)
		));
		assert_eq!(balance(usdn(), 7), 1_200);
		assert_eq!(Paid::<Test>::get(usdn()), 1_200);
		System::assert_last_event(
			Event::ClaimPaid { asset: usdn(), to: 7, amount: 1_200, reason: H256::repeat_byte(1) }
				.into(),
		);
	});
}

#[test]
fn pay_claim_should_fail_for_bad_origin_zero_unsupported_or_insufficient() {
	build_and_execute(5_000, 0, || {
		assert_noop!(
			Reserve::pay_claim(RuntimeOrigin::signed(1), usdn(), 7, 1, H256::zero()),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Reserve::pay_claim(RuntimeOrigin::root(), usdn(), 7, 0, H256::zero()),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Reserve::pay_claim(
				RuntimeOrigin::root(),
				NativeOrWithId::WithId(7),
				7,
				1,
				H256::zero()
			),
			Error::<Test>::UnsupportedAsset
		);
		// The asset's minimum balance (1) stays: 4,999 is the most it pays.
		assert_noop!(
			Reserve::pay_claim(RuntimeOrigin::root(), usdn(), 7, 5_000, H256::zero()),
			Error::<Test>::InsufficientReserve
		);
		assert_ok!(Reserve::pay_claim(RuntimeOrigin::root(), usdn(), 7, 4_999, H256::zero()));
	});
}

#[test]
fn refunds_are_paid_in_full_and_booked() {
	build_and_execute(300, 0, || {
		assert_ok!(<Reserve as ReserveFund<AccountId, Asset>>::pay(&usdn(), &7, 299));
		assert_eq!(balance(usdn(), 7), 299);
		assert_eq!(Paid::<Test>::get(usdn()), 299);
		System::assert_last_event(Event::RefundPaid { asset: usdn(), to: 7, amount: 299 }.into());
		assert_eq!(Fees::lifetime_totals()[1].1.refunded, 299);
		// A refund of zero moves nothing and books nothing.
		let events = System::events().len();
		assert_ok!(<Reserve as ReserveFund<AccountId, Asset>>::pay(&usdn(), &7, 0));
		assert_eq!(System::events().len(), events);
	});
}

#[test]
fn refunds_fail_whole_when_the_reserve_holds_less() {
	build_and_execute(300, 0, || {
		// 300 held, 1 is the asset's minimum balance: 299 is the most a refund can be.
		assert_noop!(
			<Reserve as ReserveFund<AccountId, Asset>>::pay(&usdn(), &7, 300),
			Error::<Test>::InsufficientReserve
		);
		assert_eq!(balance(usdn(), 7), 0);
		assert_eq!(Paid::<Test>::get(usdn()), 0);
		assert_eq!(Fees::lifetime_totals()[1].1.refunded, 0);
	});
}

#[test]
fn status_values_holdings_and_coverage() {
	build_and_execute(5_000, NXV, || {
		settled_volume(100_000);
		let s = Reserve::status();
		// 5,000 USDN units + (1 NXV + 10 planck ED) at 2,000,000 per NXV (rounded down).
		assert_eq!(s.value, 5_000 + 2_000_000);
		assert_eq!(s.trailing_volume, 100_000);
		assert_eq!(s.coverage_ppm, Some(2_005_000 * 1_000_000 / 100_000));
		assert_eq!(s.target_value, 10_000);
		assert_eq!(s.overflow, 2_005_000 - 10_000);
	});
}

#[test]
fn coverage_is_none_without_volume_and_target_is_the_minimum() {
	build_and_execute(5_000, 0, || {
		let s = Reserve::status();
		assert_eq!(s.coverage_ppm, None);
		assert_eq!(s.target_value, MIN_RESERVE);
	});
}

#[test]
fn sweep_moves_stable_overflow_to_treasury_and_then_fails_with_no_overflow() {
	build_and_execute(15_000, 0, || {
		settled_volume(100_000);
		assert_ok!(Reserve::sweep_overflow(RuntimeOrigin::signed(1)));
		assert_eq!(balance(usdn(), TREASURY), 5_000);
		assert_eq!(Reserve::status().value, 10_000);
		System::assert_last_event(
			Event::OverflowSwept { asset: usdn(), amount: 5_000, target: 10_000 }.into(),
		);
		assert_noop!(Reserve::sweep_overflow(RuntimeOrigin::signed(1)), Error::<Test>::NoOverflow);
		assert_noop!(Reserve::sweep_overflow(RuntimeOrigin::none()), DispatchError::BadOrigin);
	});
}

#[test]
fn sweep_takes_nxv_when_the_stable_asset_is_short_and_stops_at_the_target() {
	build_and_execute(500, NXV, || {
		assert_ok!(Reserve::sweep_overflow(RuntimeOrigin::signed(1)));
		// All USDN above its minimum balance, then NXV worth the rest of the overflow.
		assert_eq!(balance(usdn(), TREASURY), 499);
		assert!(balance(NativeOrWithId::Native, TREASURY) > 10);
		let value = Reserve::status().value;
		assert!(value + 1 >= MIN_RESERVE && value <= MIN_RESERVE + 1, "value {value}");
	});
}

#[test]
fn sweep_skips_nxv_at_a_stale_price() {
	build_and_execute(1, NXV, || {
		System::set_block_number(2_000);
		assert_noop!(Reserve::sweep_overflow(RuntimeOrigin::signed(1)), Error::<Test>::NoOverflow);
	});
}

#[test]
fn on_idle_sweeps_once_per_period_within_the_weight_given() {
	build_and_execute(15_000, 0, || {
		let big = Weight::from_parts(u64::MAX, u64::MAX);
		// Block 1 < 0 + SWEEP: not due.
		assert_eq!(Reserve::on_idle(1, big), Weight::zero());
		assert_eq!(balance(usdn(), TREASURY), 0);
		// Due, but no room in the block.
		assert_eq!(Reserve::on_idle(SWEEP, Weight::zero()), Weight::zero());
		assert_eq!(balance(usdn(), TREASURY), 0);
		assert!(Reserve::on_idle(SWEEP, big).any_gt(Weight::zero()));
		assert_eq!(balance(usdn(), TREASURY), 15_000 - MIN_RESERVE);
	});
}

#[test]
fn integrity_test_passes() {
	new_test_ext(0, 0).execute_with(|| {
		<Reserve as Hooks<u64>>::integrity_test();
	});
}

proptest::proptest! {
	/// One sweep of the pallet equals the projection engine's reserve step on the same state
	/// (holdings, trailing volume, NXV price): the same target, the same overflow, the same
	/// amounts of each asset moved to the treasury.
	#[test]
	fn a_sweep_is_the_engines_reserve_step(
		held_usdn in 0u128..50_000_000_000,
		held_nxv in 0u128..100_000 * NXV,
		volume in 0u128..1_000_000_000_000,
		price in 1u128..10_000_000,
	) {
		use nexus_primitives::economics::reserve;
		build_and_execute(held_usdn, held_nxv, || {
			settled_volume(volume);
			assert_ok!(Fees::set_nxv_price(RuntimeOrigin::root(), price));
			let stable_before = Reserve::available(&usdn());
			let native_before = Reserve::available(&NativeOrWithId::Native);
			let (_, value) = Reserve::holdings();
			let target = reserve::target(
				<Fees as FeePolicy<Asset>>::trailing_volume(),
				<Test as crate::Config>::TargetCoverage::get(),
				<Test as crate::Config>::MinReserve::get(),
			);
			assert_eq!(Reserve::target_value(), target);
			assert_eq!(value, balance(usdn(), Reserve::account_id()) + reserve::native_value(balance(NativeOrWithId::Native, Reserve::account_id()), price, NXV));
			let (stable, native) = reserve::sweep(
				reserve::overflow(value, target), stable_before, native_before, Some((price, NXV)),
			);
			let treasury = (balance(usdn(), TREASURY), balance(NativeOrWithId::Native, TREASURY));
			let swept = Reserve::sweep_overflow(RuntimeOrigin::signed(1));
			assert_eq!(swept.is_ok(), stable + native > 0);
			assert_eq!(balance(usdn(), TREASURY) - treasury.0, stable);
			assert_eq!(balance(NativeOrWithId::Native, TREASURY) - treasury.1, native);
		});
	}
}
