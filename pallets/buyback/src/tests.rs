//! Tests of the buyback/rebates pot: every call's errors, exact rebate sums over several
//! blocks, the buyback's burn and slippage bound, and the usage tally.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::arithmetic_side_effects,
	clippy::indexing_slicing,
	clippy::panic
)]

use crate::{
	impls::max_within_slippage, mock::*, Amounts, Claimable, Closings, CurrentEpoch, Error, Event,
	Owed, Programme, ProgrammeTotals, Spend, Tallies,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect as _, fungibles::Inspect},
};
use nexus_primitives::traits::{StableForNative, UsageObserver};
use sp_runtime::{DispatchError, Permill};

fn spend(seeker: AccountId, volume: u128) {
	<Buyback as UsageObserver<AccountId>>::on_settled(&seeker, &100, volume);
}

fn buyback(pct: u32) -> Programme {
	Programme::Buyback { max_slippage: Permill::from_percent(pct) }
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Buyback(e) = r.event { Some(e) } else { None })
		.collect()
}

fn usdn(who: AccountId) -> u128 {
	NativeAndAssets::balance(StableAsset::get(), &who)
}

#[test]
fn rebates_sum_exactly_to_the_epochs_amount_over_several_blocks() {
	build_and_execute((0, 0), || {
		// Spends 1 : 2 : 4 : 6 share 1,000 NXV and 333 USDN units: no share is a whole number.
		for (who, s) in [(1, 1), (2, 2), (3, 4), (4, 6)] {
			spend(who, s);
		}
		fund_pot(1_000, 333);
		assert_eq!(Buyback::available(), Amounts { native: 1_000, stable: 333 });
		run_to_block(EPOCH);
		assert!(events().contains(&Event::EpochClosed {
			epoch: 0,
			programme: Programme::Rebates,
			spend: 13,
			seekers: 4,
			available: Amounts { native: 1_000, stable: 333 },
		}));
		// The close reserves the amounts; the pass visits 2 seekers a block.
		assert_eq!(Owed::<Test>::get(), Amounts { native: 1_000, stable: 333 });
		assert_eq!(Buyback::available(), Amounts::default());
		assert!(Closings::<Test>::get().is_some());
		run_to_block(EPOCH + 1);
		assert_eq!(Closings::<Test>::get().unwrap().remaining, 2);
		run_to_block(EPOCH + 2);
		assert!(Closings::<Test>::get().is_none());

		let shares: Vec<Amounts> = (1..=4).map(Claimable::<Test>::get).collect();
		let sum = shares.iter().fold(Amounts::default(), |a, b| a.saturating_add(*b));
		assert_eq!(sum, Amounts { native: 1_000, stable: 333 });
		// Each share is its pro-rata amount, rounded down or up.
		for (i, s) in [1u128, 2, 4, 6].iter().enumerate() {
			let native = 1_000 * s / 13;
			assert!(shares[i].native == native || shares[i].native == native + 1);
			let stable = 333 * s / 13;
			assert!(shares[i].stable == stable || shares[i].stable == stable + 1);
		}
		assert!(events().contains(&Event::RebatesAssigned {
			epoch: 0,
			amounts: Amounts { native: 1_000, stable: 333 },
			seekers: 4,
		}));
		assert_eq!(ProgrammeTotals::<Test>::get().rebated, sum);
		assert_eq!(Spend::<Test>::iter_prefix(0).count(), 0);

		// Claims pay exactly the shares and leave the pot at its minimums.
		let before = (Balances::balance(&3), usdn(3));
		assert_ok!(Buyback::claim_rebates(RuntimeOrigin::signed(3)));
		assert_eq!(Balances::balance(&3), before.0 + shares[2].native);
		assert_eq!(usdn(3), before.1 + shares[2].stable);
		assert!(events().contains(&Event::RebatesClaimed { who: 3, amounts: shares[2] }));
		for who in [1, 2, 4] {
			assert_ok!(Buyback::claim_rebates(RuntimeOrigin::signed(who)));
		}
		assert_eq!(Owed::<Test>::get(), Amounts::default());
		assert_eq!(Buyback::holdings(), Amounts::default());
		assert_eq!(ProgrammeTotals::<Test>::get().claimed, sum);
	});
}

#[test]
fn claim_needs_something_owed_and_pays_once() {
	build_and_execute((0, 0), || {
		assert_noop!(
			Buyback::claim_rebates(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToClaim
		);
		spend(1, 5);
		fund_pot(100, 0);
		run_to_block(EPOCH + 1);
		assert_ok!(Buyback::claim_rebates(RuntimeOrigin::signed(1)));
		assert_noop!(
			Buyback::claim_rebates(RuntimeOrigin::signed(1)),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn an_epoch_without_spend_carries_the_pot_over() {
	build_and_execute((0, 0), || {
		fund_pot(500, 50);
		run_to_block(EPOCH + 1);
		assert_eq!(CurrentEpoch::<Test>::get(), 1);
		assert_eq!(Owed::<Test>::get(), Amounts::default());
		assert_eq!(Buyback::available(), Amounts { native: 500, stable: 50 });
		// The next epoch's seekers share everything.
		spend(2, 7);
		run_to_block(2 * EPOCH + 1);
		assert_eq!(Claimable::<Test>::get(2), Amounts { native: 500, stable: 50 });
	});
}

#[test]
fn owed_rebates_are_not_spent_by_a_later_epoch() {
	build_and_execute((1_000_000, 1_000_000), || {
		spend(1, 1);
		fund_pot(300, 0);
		run_to_block(EPOCH + 1);
		assert_eq!(Claimable::<Test>::get(1).native, 300);
		// Governance switches to buyback; the next epoch burns only what came in since.
		assert_ok!(Buyback::set_programme(RuntimeOrigin::root(), buyback(2)));
		fund_pot(40, 0);
		run_to_block(2 * EPOCH + 1);
		assert_eq!(ProgrammeTotals::<Test>::get().burned, 40);
		assert_ok!(Buyback::claim_rebates(RuntimeOrigin::signed(1)));
		assert_eq!(Balances::balance(&1), 1_300);
	});
}

#[test]
fn buyback_swaps_and_burns_and_issuance_falls_by_exactly_the_burn() {
	build_and_execute((1_000_000, 2_000_000), || {
		assert_ok!(Buyback::set_programme(RuntimeOrigin::root(), buyback(2)));
		assert!(events()
			.contains(&Event::ProgrammeChanged { old: Programme::Rebates, new: buyback(2) }));
		spend(1, 10);
		fund_pot(70, 1_000);
		let issuance = Balances::total_issuance();
		let pool_native = Balances::balance(&POOL);
		run_to_block(EPOCH);
		// 1,000 USDN units at 2 NXV each, less 0.3% and a little impact: 1,992.
		let bought = 1_992;
		assert!(events().contains(&Event::BoughtBack {
			epoch: 0,
			stable_in: 1_000,
			native_out: bought,
			burned: 70 + bought,
			stable_carried: 0,
		}));
		assert_eq!(Balances::total_issuance(), issuance - 70 - bought);
		assert_eq!(Balances::balance(&POOL), pool_native - bought);
		assert_eq!(usdn(POOL), 1_001_000);
		let t = ProgrammeTotals::<Test>::get();
		assert_eq!((t.swapped_stable, t.bought_native, t.burned), (1_000, bought, 70 + bought));
		// The pot keeps its minimums; the epoch's tallies are cleared without rebates.
		assert_eq!(Buyback::holdings(), Amounts::default());
		run_to_block(EPOCH + 1);
		assert_eq!(Claimable::<Test>::get(1), Amounts::default());
		assert!(Closings::<Test>::get().is_none());
	});
}

#[test]
fn buyback_stays_within_the_slippage_bound_and_carries_the_rest() {
	// A thin pool: 10,000,000 USDN units against 10,000,000 NXV.
	build_and_execute((10_000_000, 10_000_000), || {
		assert_ok!(Buyback::set_programme(RuntimeOrigin::root(), buyback(1)));
		fund_pot(0, 5_000_000);
		run_to_block(EPOCH);
		let Some(Event::BoughtBack { stable_in, native_out, stable_carried, .. }) =
			events().into_iter().find(|e| matches!(e, Event::BoughtBack { .. }))
		else {
			panic!("no buyback")
		};
		assert_eq!(stable_carried, 5_000_000 - stable_in);
		// At 1% allowed and a 0.3% fee, the pool takes about 0.7% of its reserve:
		// 0.997 / (1 + 0.997·x/R) ≥ 0.99 ⇔ x ≤ 70,920 (a few units more pass on rounding).
		assert!((70_900..=70_970).contains(&stable_in), "swapped {stable_in}");
		assert!(native_out >= Permill::from_percent(99) * stable_in);
		// One more unit would have broken the bound.
		let r = (10_000_000, 10_000_000);
		assert_eq!(max_within_slippage::<Test>(5_000_000, r, Permill::from_percent(1)), stable_in);
		let more = Pool::amount_out(stable_in + 1, r).unwrap();
		assert!(more < Permill::from_percent(99) * (stable_in + 1));
		assert_eq!(Buyback::available().stable, stable_carried);
	});
}

#[test]
fn buyback_without_a_pool_burns_nxv_and_keeps_the_stable_asset() {
	build_and_execute((0, 0), || {
		assert_ok!(Buyback::set_programme(RuntimeOrigin::root(), buyback(3)));
		fund_pot(25, 400);
		run_to_block(EPOCH);
		assert!(events().contains(&Event::BoughtBack {
			epoch: 0,
			stable_in: 0,
			native_out: 0,
			burned: 25,
			stable_carried: 400,
		}));
		assert_eq!(Buyback::available(), Amounts { native: 0, stable: 400 });
	});
}

#[test]
fn set_programme_checks_origin_and_slippage() {
	build_and_execute((0, 0), || {
		assert_noop!(
			Buyback::set_programme(RuntimeOrigin::signed(1), buyback(1)),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Buyback::set_programme(RuntimeOrigin::root(), buyback(0)),
			Error::<Test>::SlippageOutOfBounds
		);
		assert_noop!(
			Buyback::set_programme(RuntimeOrigin::root(), buyback(6)),
			Error::<Test>::SlippageOutOfBounds
		);
		assert_ok!(Buyback::set_programme(RuntimeOrigin::root(), buyback(5)));
		assert_ok!(Buyback::set_programme(RuntimeOrigin::root(), Programme::Rebates));
	});
}

#[test]
fn refunds_come_out_of_the_tally() {
	build_and_execute((0, 0), || {
		spend(1, 10);
		spend(2, 5);
		<Buyback as UsageObserver<AccountId>>::on_refunded(&1, &100, 4);
		assert_eq!(Spend::<Test>::get(0, 1), 6);
		<Buyback as UsageObserver<AccountId>>::on_refunded(&2, &100, 50);
		assert!(!Spend::<Test>::contains_key(0, 2));
		let t = Tallies::<Test>::get(0);
		assert_eq!((t.spend, t.seekers), (6, 1));
		// A refund of a seeker without spend this epoch changes nothing.
		<Buyback as UsageObserver<AccountId>>::on_refunded(&3, &100, 50);
		assert_eq!(Tallies::<Test>::get(0).spend, 6);
	});
}

#[test]
fn a_full_epoch_reports_the_spend_it_cannot_tally() {
	build_and_execute((0, 0), || {
		for who in 1..=4 {
			spend(who, 1);
		}
		spend(5, 9);
		assert!(events().contains(&Event::SpendNotTallied { epoch: 0, who: 5, spend: 9 }));
		// Known seekers still add to their spend.
		spend(4, 2);
		assert_eq!(Tallies::<Test>::get(0).spend, 6);
	});
}

#[test]
fn a_batch_tallies_each_seeker_once_and_the_epoch_once() {
	build_and_execute((0, 0), || {
		spend(1, 5);
		// A batch of three seekers (one known, one new, one without volume) and a provider list
		// the rebates ignore.
		<Buyback as UsageObserver<AccountId>>::on_settled_batch(
			&[(1, 2), (2, 7), (3, 0)],
			&[(100, 9)],
		);
		assert_eq!((Spend::<Test>::get(0, 1), Spend::<Test>::get(0, 2)), (7, 7));
		assert!(!Spend::<Test>::contains_key(0, 3));
		let t = Tallies::<Test>::get(0);
		assert_eq!((t.spend, t.seekers), (14, 2));
		// The epoch's seeker bound (4) holds within a batch: seeker 6, the fifth, is reported.
		<Buyback as UsageObserver<AccountId>>::on_settled_batch(&[(4, 1), (5, 3), (6, 4)], &[]);
		let t = Tallies::<Test>::get(0);
		assert_eq!((t.spend, t.seekers), (18, 4));
		assert!(!events().iter().any(|e| matches!(e, Event::SpendNotTallied { who: 5, .. })));
		assert!(events().contains(&Event::SpendNotTallied { epoch: 0, who: 6, spend: 4 }));
	});
}

#[test]
fn spend_during_a_close_counts_in_the_new_epoch() {
	build_and_execute((0, 0), || {
		for who in 1..=4 {
			spend(who, 1);
		}
		fund_pot(8, 0);
		run_to_block(EPOCH);
		assert!(Closings::<Test>::get().is_some());
		spend(5, 3);
		assert_eq!(Spend::<Test>::get(1, 5), 3);
		run_to_block(EPOCH + 2);
		assert_eq!((1..=4).map(|w| Claimable::<Test>::get(w).native).sum::<u128>(), 8);
		assert_eq!(Claimable::<Test>::get(5), Amounts::default());
	});
}

#[test]
fn an_epoch_waits_for_the_previous_pass() {
	build_and_execute((0, 0), || {
		for who in 1..=4 {
			spend(who, 1);
		}
		fund_pot(8, 0);
		run_to_block(EPOCH);
		assert_eq!(CurrentEpoch::<Test>::get(), 1);
		run_to_block(2 * EPOCH + 3);
		assert_eq!(CurrentEpoch::<Test>::get(), 2);
	});
}
