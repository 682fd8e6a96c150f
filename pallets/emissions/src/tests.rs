//! Tests of milestone emissions: milestones release exactly their tranche once, shares follow
//! volume × multiplier into vesting schedules, governance can only add future milestones, and
//! nothing mints.

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::arithmetic_side_effects,
	clippy::indexing_slicing
)]

use crate::{
	mock::*, CurrentRound, Deferred, DeferredTotal, Error, Event, Metric, MetricsProgress,
	Milestones, Released, Releasing, Rounds,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::Inspect, VestingSchedule},
};
use nexus_primitives::traits::UsageObserver;
use sp_runtime::{DispatchError, FixedU128};

fn served(seeker: AccountId, provider: AccountId, volume: u128) {
	<Emissions as UsageObserver<AccountId>>::on_settled(&seeker, &provider, volume);
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Emissions(e) = r.event { Some(e) } else { None })
		.collect()
}

/// What `who` received from the pool (accounts start with 1,000).
fn received(who: AccountId) -> u128 {
	Balances::balance(&who) - 1_000
}

fn vested(who: AccountId) -> u128 {
	<Vesting as VestingSchedule<AccountId>>::vesting_balance(&who).unwrap_or(0)
}

#[test]
fn a_milestone_releases_exactly_its_tranche_once() {
	build_and_execute(vec![(Metric::SettledVolume, 100, 10_001)], || {
		let issuance = Balances::total_issuance();
		// Provider 4 at 1.5×, providers 5 and 6 at 1×: weights 60, 20, 30 → 110.
		set_multiplier(4, FixedU128::from_rational(3, 2));
		served(1, 4, 40);
		served(2, 5, 20);
		served(3, 6, 30);
		run_to_block(2);
		assert!(Releasing::<Test>::get().is_none(), "90 < 100: not reached");
		served(1, 6, 10);
		assert_eq!(MetricsProgress::<Test>::get().settled_volume, 100);
		run_to_block(3);
		assert!(events().contains(&Event::MilestoneReached {
			index: 0,
			metric: Metric::SettledVolume,
			value: 100,
			tranche: 10_001,
			round: 0,
			providers: 3,
		}));
		assert_eq!(CurrentRound::<Test>::get(), 1);
		// Two providers a block: done at block 5.
		run_to_block(4);
		assert_eq!(Releasing::<Test>::get().unwrap().remaining, 1);
		run_to_block(5);
		assert!(Releasing::<Test>::get().is_none());
		let (a, b, c) = (received(4), received(5), received(6));
		assert_eq!(a + b + c, 10_001);
		for (got, w) in [(a, 60u128), (b, 20), (c, 40)] {
			let exact = 10_001 * w / 120;
			assert!(got == exact || got == exact + 1, "{got} vs {exact}");
		}
		assert!(events().contains(&Event::ReleaseCompleted {
			index: 0,
			paid: 10_001,
			providers: 3
		}));
		assert_eq!(Released::<Test>::get(), 10_001);
		assert_eq!(Emissions::pool_balance(), POOL - 10_001);
		assert!(Milestones::<Test>::get()[0].released_at.is_some());
		// Nothing minted.
		assert_eq!(Balances::total_issuance(), issuance);

		// More volume never releases it again.
		served(1, 4, 1_000);
		run_to_block(20);
		assert_eq!(Released::<Test>::get(), 10_001);
		assert_eq!(Emissions::pool_balance(), POOL - 10_001);
	});
}

#[test]
fn shares_vest_linearly_and_are_locked() {
	build_and_execute(vec![(Metric::UniqueSeekers, 1, 5_000)], || {
		served(1, 4, 10);
		run_to_block(3);
		assert_eq!(Balances::balance(&4), 1_000 + 5_000);
		assert_eq!(vested(4), 5_000);
		assert!(events().contains(&Event::TrancheVested { who: 4, amount: 5_000, per_block: 50 }));
		// Locked: only the original balance can move.
		assert!(Balances::transfer_allow_death(RuntimeOrigin::signed(4), 1, 1_500).is_err());
		run_to_block(3 + VESTING / 2);
		assert_eq!(vested(4), 2_500);
	});
}

#[test]
fn a_reached_milestone_waits_for_a_provider_with_weight() {
	build_and_execute(vec![(Metric::SettledVolume, 10, 1_000)], || {
		// Provider 4's multiplier is zero: volume counts, weight does not.
		set_multiplier(4, FixedU128::from_u32(0));
		served(1, 4, 50);
		run_to_block(5);
		assert!(Releasing::<Test>::get().is_none());
		assert!(Milestones::<Test>::get()[0].released_at.is_none());
		served(1, 5, 1);
		run_to_block(7);
		assert_eq!(received(5), 1_000);
	});
}

#[test]
fn each_metric_counts_distinct_accounts() {
	build_and_execute(vec![], || {
		served(1, 4, 5);
		served(1, 4, 5);
		served(2, 4, 5);
		served(2, 5, 5);
		let p = MetricsProgress::<Test>::get();
		assert_eq!((p.settled_volume, p.seekers, p.providers), (20, 2, 2));
		let tally = Rounds::<Test>::get(0);
		assert_eq!((tally.weight, tally.providers), (20, 2));
	});
}

#[test]
fn a_batch_counts_each_account_once_and_weighs_each_provider_by_its_volume() {
	build_and_execute(vec![], || {
		served(1, 4, 5);
		set_multiplier(5, FixedU128::from_rational(3, 2));
		// Seekers 1 (known) and 2 spent 10 and 20; providers 4 (known) and 5 served 12 and 18.
		<Emissions as UsageObserver<AccountId>>::on_settled_batch(
			&[(1, 10), (2, 20), (3, 0)],
			&[(4, 12), (5, 18), (6, 0)],
		);
		let p = MetricsProgress::<Test>::get();
		assert_eq!((p.settled_volume, p.seekers, p.providers), (35, 2, 2));
		// Provider 5's weight is its batch volume × 1.5.
		let tally = Rounds::<Test>::get(0);
		assert_eq!((tally.weight, tally.providers), (5 + 12 + 27, 2));
	});
}

#[test]
fn refunds_come_out_of_volume_and_weight() {
	build_and_execute(vec![], || {
		served(1, 4, 30);
		served(1, 5, 10);
		<Emissions as UsageObserver<AccountId>>::on_refunded(&1, &4, 10);
		<Emissions as UsageObserver<AccountId>>::on_refunded(&1, &5, 99);
		assert_eq!(MetricsProgress::<Test>::get().settled_volume, 0);
		let tally = Rounds::<Test>::get(0);
		assert_eq!((tally.weight, tally.providers), (20, 1));
	});
}

#[test]
fn add_milestone_accepts_only_future_ascending_funded_milestones() {
	build_and_execute(vec![(Metric::SettledVolume, 1_000, 100_000)], || {
		served(1, 4, 500);
		assert_noop!(
			Emissions::add_milestone(RuntimeOrigin::signed(1), Metric::SettledVolume, 2_000, 1),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Emissions::add_milestone(RuntimeOrigin::root(), Metric::SettledVolume, 2_000, 0),
			Error::<Test>::ZeroTranche
		);
		assert_noop!(
			Emissions::add_milestone(RuntimeOrigin::root(), Metric::SettledVolume, 500, 1),
			Error::<Test>::NotInFuture
		);
		// Above progress but not above the existing threshold: that would lower the path.
		assert_noop!(
			Emissions::add_milestone(RuntimeOrigin::root(), Metric::SettledVolume, 900, 1),
			Error::<Test>::NotAscending
		);
		assert_noop!(
			Emissions::add_milestone(
				RuntimeOrigin::root(),
				Metric::SettledVolume,
				2_000,
				POOL - 100_000 + 1
			),
			Error::<Test>::TrancheExceedsPool
		);
		assert_ok!(Emissions::add_milestone(
			RuntimeOrigin::root(),
			Metric::SettledVolume,
			2_000,
			POOL - 100_000
		));
		assert!(events().contains(&Event::MilestoneAdded {
			index: 1,
			metric: Metric::SettledVolume,
			threshold: 2_000,
			tranche: POOL - 100_000,
		}));
		assert_noop!(
			Emissions::add_milestone(RuntimeOrigin::root(), Metric::UniqueSeekers, 5, 1),
			Error::<Test>::TrancheExceedsPool
		);
	});
}

#[test]
fn milestones_are_bounded() {
	build_and_execute(
		vec![
			(Metric::SettledVolume, 10, 1),
			(Metric::SettledVolume, 20, 1),
			(Metric::UniqueSeekers, 10, 1),
			(Metric::ActiveProviders, 10, 1),
		],
		|| {
			assert_noop!(
				Emissions::add_milestone(RuntimeOrigin::root(), Metric::SettledVolume, 30, 1),
				Error::<Test>::TooManyMilestones
			);
		},
	);
}

#[test]
fn a_share_that_cannot_vest_is_deferred_then_claimed() {
	build_and_execute(
		vec![(Metric::SettledVolume, 10, 300), (Metric::SettledVolume, 20, 300)],
		|| {
			// Provider 4 already has the most schedules the chain allows.
			for _ in 0..MAX_SCHEDULES {
				assert_ok!(<Vesting as VestingSchedule<AccountId>>::add_vesting_schedule(
					&4, 100, 1, 1
				));
			}
			served(1, 4, 10);
			served(1, 5, 10);
			run_to_block(3);
			assert!(events().contains(&Event::TrancheDeferred { who: 4, amount: 150 }));
			assert_eq!(Deferred::<Test>::get(4), 150);
			assert_eq!(DeferredTotal::<Test>::get(), 150);
			assert_eq!(Released::<Test>::get(), 300);
			// The deferred share stays in the pool, encumbered.
			assert_eq!(Emissions::pool_balance(), POOL - 150);
			assert_noop!(
				Emissions::claim_deferred(RuntimeOrigin::signed(4)),
				Error::<Test>::CannotVest
			);
			assert_noop!(
				Emissions::claim_deferred(RuntimeOrigin::signed(5)),
				Error::<Test>::NothingDeferred
			);
			// Once its schedules have vested away, it claims.
			run_to_block(200);
			assert_ok!(Vesting::vest(RuntimeOrigin::signed(4)));
			assert_ok!(Emissions::claim_deferred(RuntimeOrigin::signed(4)));
			assert!(events().contains(&Event::DeferredClaimed { who: 4, amount: 150 }));
			assert_eq!(DeferredTotal::<Test>::get(), 0);
			assert_eq!(vested(4), 150);
		},
	);
}

#[test]
fn usage_during_a_release_accrues_to_the_next_round() {
	build_and_execute(
		vec![(Metric::SettledVolume, 10, 1_000), (Metric::SettledVolume, 1_000, 2_000)],
		|| {
			for p in 2..=6 {
				served(1, p, 10);
			}
			run_to_block(2);
			assert!(Releasing::<Test>::get().is_some());
			served(1, 6, 990);
			assert_eq!(Rounds::<Test>::get(1).weight, 990);
			// The first release needs 3 blocks for 5 providers; the second starts after it.
			run_to_block(10);
			assert_eq!(Released::<Test>::get(), 3_000);
			assert_eq!(received(6), 200 + 2_000);
		},
	);
}

#[test]
fn the_release_and_its_vesting_are_the_engines_step() {
	use nexus_primitives::economics::emissions::{locked_at, next_release, per_block};
	// Several milestones on volume, some reached by the volume served: the pallet releases the
	// one the engine's rule picks, and vests it on the engine's schedule.
	for served_volume in [50u128, 150, 400, 10_000] {
		let thresholds = [
			(Metric::SettledVolume, 100, 7_003),
			(Metric::UniqueSeekers, 5, 1_000),
			(Metric::SettledVolume, 300, 2_000),
		];
		build_and_execute(thresholds.to_vec(), || {
			served(1, 4, served_volume);
			let progress = MetricsProgress::<Test>::get();
			let engine = next_release(
				Milestones::<Test>::get()
					.iter()
					.map(|m| (m.released_at.is_some(), progress.of(m.metric), m.threshold)),
			);
			run_to_block(3);
			let released: Vec<usize> = Milestones::<Test>::get()
				.iter()
				.enumerate()
				.filter(|(_, m)| m.released_at.is_some())
				.map(|(i, _)| i)
				.collect();
			assert_eq!(released, engine.into_iter().collect::<Vec<_>>(), "volume {served_volume}");
			if let Some(i) = engine {
				let tranche = thresholds[i].2;
				let step = per_block(tranche, u128::from(VESTING));
				assert!(events().contains(&Event::TrancheVested {
					who: 4,
					amount: tranche,
					per_block: step
				}));
				// It unlocks as the engine's vesting rule says.
				run_to_block(3 + 10);
				assert_eq!(vested(4), locked_at(tranche, step, 3, 13));
			}
		});
	}
}
