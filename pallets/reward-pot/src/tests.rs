//! Unit tests of the reward pot: the payout never mints, fee credits land in the pot, the
//! timing is bounded.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	mock::*, Error, Event, SessionLength, SessionLengthOf, SessionsPerEra, SessionsPerEraOf,
	TotalCommitted,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{
		fungible::{Balanced, Inspect},
		tokens::{Fortitude, Precision, Preservation},
		Get, OnUnbalanced,
	},
};
use sp_runtime::traits::BadOrigin;
use sp_staking::EraPayout;

fn payout() -> (Balance, Balance) {
	<RewardPot as EraPayout<Balance>>::era_payout(1_000, Balances::total_issuance(), 3_600_000)
}

#[test]
fn era_payout_should_be_zero_when_the_pot_is_empty() {
	build_and_execute(ED, || {
		let issuance = Balances::total_issuance();
		assert_eq!(payout(), (0, 0));
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(TotalCommitted::<Test>::get(), 0);
	});
}

#[test]
fn era_payout_should_burn_what_the_pot_can_pay_and_keep_it_alive() {
	build_and_execute(ED + 500, || {
		let issuance = Balances::total_issuance();
		assert_eq!(payout(), (500, 0));
		assert_eq!(Balances::balance(&pot()), ED);
		assert_eq!(Balances::total_issuance(), issuance - 500);
		assert_eq!(TotalCommitted::<Test>::get(), 500);
		System::assert_last_event(Event::RewardCommitted { amount: 500, pot_remaining: ED }.into());
		// The next era sees only what arrived since: nothing.
		assert_eq!(payout(), (0, 0));
	});
}

#[test]
fn committed_rewards_minted_back_never_exceed_what_was_burned() {
	build_and_execute(ED + 1_000, || {
		let issuance = Balances::total_issuance();
		let (reward, rest) = payout();
		assert_eq!(rest, 0);
		// Staking mints the stakers' shares when they claim (each rounded down).
		let shares = [reward / 3, reward / 3, reward / 3];
		for (who, share) in [2u64, 3, 4].into_iter().zip(shares) {
			let debt = Balances::deposit(&who, share, Precision::BestEffort).unwrap();
			drop(debt);
		}
		assert!(Balances::total_issuance() <= issuance);
		assert_eq!(issuance - Balances::total_issuance(), reward - shares.iter().sum::<Balance>());
	});
}

#[test]
fn fee_credits_should_land_in_the_pot() {
	build_and_execute(ED, || {
		let issuance = Balances::total_issuance();
		let credit = Balances::withdraw(
			&1,
			300,
			Precision::Exact,
			Preservation::Preserve,
			Fortitude::Polite,
		)
		.unwrap();
		RewardPot::on_unbalanced(credit);
		assert_eq!(Balances::balance(&pot()), ED + 300);
		assert_eq!(Balances::total_issuance(), issuance);
		assert_eq!(RewardPot::available(), 300);
	});
}

#[test]
fn set_timing_should_update_the_getters() {
	build_and_execute(ED, || {
		assert_eq!((SessionLengthOf::<Test>::get(), SessionsPerEraOf::<Test>::get()), (10, 3));
		assert_ok!(RewardPot::set_timing(RuntimeOrigin::root(), 600, 6));
		assert_eq!((SessionLength::<Test>::get(), SessionsPerEra::<Test>::get()), (600, 6));
		System::assert_last_event(
			Event::TimingSet { session_length: 600, sessions_per_era: 6 }.into(),
		);
	});
}

#[test]
fn set_timing_should_fail_out_of_bounds_or_for_non_admin() {
	build_and_execute(ED, || {
		assert_noop!(
			RewardPot::set_timing(RuntimeOrigin::root(), 4, 6),
			Error::<Test>::SessionLengthOutOfBounds
		);
		assert_noop!(
			RewardPot::set_timing(RuntimeOrigin::root(), 601, 6),
			Error::<Test>::SessionLengthOutOfBounds
		);
		assert_noop!(
			RewardPot::set_timing(RuntimeOrigin::root(), 10, 0),
			Error::<Test>::SessionsPerEraOutOfBounds
		);
		assert_noop!(
			RewardPot::set_timing(RuntimeOrigin::root(), 10, 25),
			Error::<Test>::SessionsPerEraOutOfBounds
		);
		assert_noop!(RewardPot::set_timing(RuntimeOrigin::signed(1), 10, 6), BadOrigin);
	});
}

#[test]
fn genesis_defaults_to_the_longest_session_and_six_per_era() {
	use sp_runtime::BuildStorage;
	let storage = crate::GenesisConfig::<Test>::default().build_storage().unwrap();
	sp_io::TestExternalities::new(storage).execute_with(|| {
		assert_eq!((SessionLength::<Test>::get(), SessionsPerEra::<Test>::get()), (600, 6));
	});
}

#[test]
#[should_panic(expected = "genesis session timing is invalid")]
fn genesis_should_reject_out_of_bounds_timing() {
	use sp_runtime::BuildStorage;
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	crate::GenesisConfig::<Test> { session_length: 1, sessions_per_era: 1 }
		.assimilate_storage(&mut storage)
		.unwrap();
}

#[test]
fn getters_never_return_zero_even_without_genesis_timing() {
	build_and_execute(ED, || {
		SessionLength::<Test>::kill();
		SessionsPerEra::<Test>::kill();
		assert_eq!(SessionLengthOf::<Test>::get(), 5, "MinSessionLength");
		assert_eq!(SessionsPerEraOf::<Test>::get(), 1);
		// Restore valid timing for the invariants checked after the test.
		assert_ok!(RewardPot::set_timing(RuntimeOrigin::root(), 10, 3));
	});
}

#[test]
fn claimed_rewards_are_counted_so_outstanding_is_what_is_still_burned() {
	use frame_support::traits::Currency;
	build_and_execute(ED + 1_000, || {
		assert_eq!(payout().0, 1_000);
		assert_eq!(crate::Outstanding::<Test>::get(), 1_000);
		let issuance = Balances::total_issuance();
		// Staking mints a claim and hands the imbalance to `Reward`.
		let minted = <Balances as Currency<AccountId>>::deposit_creating(&7, 600);
		<crate::CountClaimed<Test> as OnUnbalanced<_>>::on_unbalanced(minted);
		assert_eq!(Balances::total_issuance(), issuance + 600);
		assert_eq!(crate::TotalClaimed::<Test>::get(), 600);
		assert_eq!(crate::Outstanding::<Test>::get(), 400);
	});
}
