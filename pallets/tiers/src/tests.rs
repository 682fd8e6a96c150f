//! Unit tests of the tiers pallet: every call, every error, the invariants after each test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	mock::*,
	multiplier::{provider_multiplier, MultiplierParams},
	Error, Event, HoldReason, NxvPayouts, ProviderLedgers, SeekerLedgers, TierParams, TierTable,
	UnlockChunk,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold},
};
use nexus_primitives::traits::TierProvider;
use proptest::prelude::*;
use sp_runtime::{
	traits::{BadOrigin, One},
	FixedU128, Permill,
};

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Tiers(reason), &who)
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Tiers(e) => Some(e),
			_ => None,
		})
		.expect("a Tiers event")
}

mod stake {
	use super::*;

	#[test]
	fn stake_should_hold_funds_and_raise_tier() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(Tiers::seeker_tier(&1).0, 0);
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_eq!(held(1, HoldReason::SeekerStake), 1_000);
			assert_eq!(Balances::balance(&1), 9_000);
			assert_eq!(Tiers::seeker_tier(&1).0, 2);
			assert_eq!(
				<Tiers as TierProvider<AccountId>>::commitment_discount(&1),
				Permill::from_percent(4)
			);
			assert_eq!(
				last_event(),
				Event::Staked { who: 1, amount: 1_000, active: 1_000, tier: 2 }
			);
			// Staking more adds up.
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 4_000));
			assert_eq!(
				last_event(),
				Event::Staked { who: 1, amount: 4_000, active: 5_000, tier: 3 }
			);
		});
	}

	#[test]
	fn seeker_terms_are_what_each_tier_grants_read_at_once() {
		ExtBuilder::default().build_and_execute(|| {
			let each = |who| {
				let t = <Tiers as TierProvider<AccountId>>::seeker_terms(&who);
				(t.commitment_discount, t.usage_limit, t.premium_lanes)
			};
			let apart = |who| {
				(
					<Tiers as TierProvider<AccountId>>::commitment_discount(&who),
					<Tiers as TierProvider<AccountId>>::usage_limit(&who),
					<Tiers as TierProvider<AccountId>>::premium_lanes(&who),
				)
			};
			// No stake, then every tier the stakes below reach.
			assert_eq!(each(1), apart(1));
			for amount in [100, 900, 4_000] {
				assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), amount));
				assert_eq!(each(1), apart(1), "after staking {amount} more");
			}
			assert_eq!(each(1).0, Permill::from_percent(7), "the top tier reached");
		});
	}

	#[test]
	fn stake_should_fail_when_amount_is_zero() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Tiers::stake(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		});
	}

	#[test]
	fn stake_should_fail_when_below_min_stake() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Tiers::stake(RuntimeOrigin::signed(1), 9), Error::<Test>::BelowMinStake);
		});
	}

	#[test]
	fn stake_should_fail_when_balance_is_insufficient() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Tiers::stake(RuntimeOrigin::signed(5), 51),
				Error::<Test>::InsufficientBalance
			);
		});
	}

	#[test]
	fn stake_should_fail_when_unsigned() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Tiers::stake(RuntimeOrigin::none(), 100), BadOrigin);
		});
	}
}

mod unstake {
	use super::*;

	#[test]
	fn unstake_should_drop_tier_at_once_and_keep_funds_held() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 950));
			assert_eq!(Tiers::seeker_tier(&1).0, 0);
			assert_eq!(held(1, HoldReason::SeekerStake), 1_000, "still held while unbonding");
			assert_eq!(
				last_event(),
				Event::Unstaked {
					who: 1,
					amount: 950,
					active: 50,
					tier: 0,
					unlock_at: 1 + UNBONDING
				}
			);
			let ledger = SeekerLedgers::<Test>::get(1).unwrap();
			assert_eq!(ledger.active, 50);
			assert_eq!(ledger.unlocking.to_vec(), vec![UnlockChunk { amount: 950, unlock_at: 11 }]);
		});
	}

	#[test]
	fn unstake_twice_in_a_block_should_make_one_chunk() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 100));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 200));
			let ledger = SeekerLedgers::<Test>::get(1).unwrap();
			assert_eq!(ledger.unlocking.to_vec(), vec![UnlockChunk { amount: 300, unlock_at: 11 }]);
		});
	}

	#[test]
	fn unstake_should_fail_when_not_staking() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Tiers::unstake(RuntimeOrigin::signed(1), 10), Error::<Test>::NotStaking);
		});
	}

	#[test]
	fn unstake_should_fail_when_amount_is_zero() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 100));
			assert_noop!(Tiers::unstake(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		});
	}

	#[test]
	fn unstake_should_fail_when_more_than_active() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 100));
			assert_noop!(
				Tiers::unstake(RuntimeOrigin::signed(1), 101),
				Error::<Test>::InsufficientActiveStake
			);
		});
	}

	#[test]
	fn unstake_should_fail_when_leaving_dust() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 100));
			assert_noop!(
				Tiers::unstake(RuntimeOrigin::signed(1), 95),
				Error::<Test>::BelowMinStake
			);
		});
	}

	#[test]
	fn unstake_should_fail_when_chunks_are_full() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			for b in 1..=3 {
				run_to_block(b);
				assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 100));
			}
			run_to_block(4);
			assert_noop!(
				Tiers::unstake(RuntimeOrigin::signed(1), 100),
				Error::<Test>::TooManyUnlockingChunks
			);
		});
	}
}

mod rebond {
	use super::*;

	#[test]
	fn rebond_should_take_newest_chunks_first() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 300));
			run_to_block(2);
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 200));
			assert_ok!(Tiers::rebond(RuntimeOrigin::signed(1), 250));
			let ledger = SeekerLedgers::<Test>::get(1).unwrap();
			assert_eq!(ledger.active, 750);
			assert_eq!(ledger.unlocking.to_vec(), vec![UnlockChunk { amount: 250, unlock_at: 11 }]);
			assert_eq!(last_event(), Event::Rebonded { who: 1, amount: 250, active: 750, tier: 1 });
			assert_eq!(held(1, HoldReason::SeekerStake), 1_000);
		});
	}

	#[test]
	fn rebond_should_fail_when_more_than_unlocking() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 300));
			assert_noop!(
				Tiers::rebond(RuntimeOrigin::signed(1), 301),
				Error::<Test>::InsufficientUnlocking
			);
		});
	}

	#[test]
	fn rebond_should_fail_when_not_staking_or_zero() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(Tiers::rebond(RuntimeOrigin::signed(1), 10), Error::<Test>::NotStaking);
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 100));
			assert_noop!(Tiers::rebond(RuntimeOrigin::signed(1), 0), Error::<Test>::ZeroAmount);
		});
	}
}

mod withdraw {
	use super::*;

	#[test]
	fn withdraw_should_release_only_matured_chunks() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 300));
			run_to_block(5);
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 700));
			run_to_block(1 + UNBONDING);
			assert_ok!(Tiers::withdraw_unbonded(RuntimeOrigin::signed(1)));
			assert_eq!(last_event(), Event::Withdrawn { who: 1, amount: 300 });
			assert_eq!(held(1, HoldReason::SeekerStake), 700);
			assert_eq!(Balances::balance(&1), 9_300);
			run_to_block(5 + UNBONDING);
			assert_ok!(Tiers::withdraw_unbonded(RuntimeOrigin::signed(1)));
			assert_eq!(held(1, HoldReason::SeekerStake), 0);
			assert_eq!(Balances::balance(&1), 10_000);
			assert!(SeekerLedgers::<Test>::get(1).is_none(), "empty ledger removed");
		});
	}

	#[test]
	fn withdraw_should_fail_before_the_delay() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 300));
			run_to_block(UNBONDING);
			assert_noop!(
				Tiers::withdraw_unbonded(RuntimeOrigin::signed(1)),
				Error::<Test>::NothingToWithdraw
			);
		});
	}

	#[test]
	fn withdraw_should_fail_when_not_staking() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Tiers::withdraw_unbonded(RuntimeOrigin::signed(1)),
				Error::<Test>::NotStaking
			);
		});
	}
}

mod tier_table {
	use super::*;

	fn table_with(f: impl FnOnce(&mut Vec<TierParams<Balance>>)) -> Vec<TierParams<Balance>> {
		let mut t = default_tiers();
		f(&mut t);
		t
	}

	#[test]
	fn set_tier_table_should_replace_table_and_retier_everyone() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 1_000));
			let new = table_with(|t| t[2].threshold = 2_000);
			assert_ok!(Tiers::set_tier_table(RuntimeOrigin::root(), new.clone()));
			assert_eq!(Tiers::seeker_tier(&1).0, 1);
			assert_eq!(
				last_event(),
				Event::TierTableSet {
					old: default_tiers().try_into().unwrap(),
					new: new.try_into().unwrap()
				}
			);
		});
	}

	#[test]
	fn set_tier_table_should_fail_for_non_admin() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Tiers::set_tier_table(RuntimeOrigin::signed(1), default_tiers()),
				BadOrigin
			);
		});
	}

	#[test]
	fn set_tier_table_should_reject_invalid_tables() {
		ExtBuilder::default().build_and_execute(|| {
			let cases: Vec<(Vec<TierParams<Balance>>, Error<Test>)> = vec![
				(vec![], Error::<Test>::EmptyTierTable),
				(table_with(|t| t[0].threshold = 1), Error::<Test>::FirstTierNotFree),
				(table_with(|t| t[2].threshold = 100), Error::<Test>::ThresholdsNotIncreasing),
				(table_with(|t| t[3].rate_limit = 1), Error::<Test>::TierNotMonotonic),
				(table_with(|t| t[3].premium_lanes = false), Error::<Test>::TierNotMonotonic),
				(table_with(|t| t[3].failover_priority = 0), Error::<Test>::TierNotMonotonic),
				(
					table_with(|t| t[3].commitment_discount = Permill::from_percent(1)),
					Error::<Test>::TierNotMonotonic,
				),
				(
					table_with(|t| t[3].commitment_discount = Permill::from_percent(16)),
					Error::<Test>::DiscountTooHigh,
				),
				(
					table_with(|t| {
						let mut last = t[3];
						last.threshold = 9_000;
						t.push(last);
						last.threshold = 9_500;
						t.push(last);
					}),
					Error::<Test>::TooManyTiers,
				),
			];
			for (table, error) in cases {
				assert_noop!(Tiers::set_tier_table(RuntimeOrigin::root(), table), error);
			}
			assert_eq!(TierTable::<Test>::get().to_vec(), default_tiers());
		});
	}
}

mod provider {
	use super::*;

	#[test]
	fn provider_stake_lifecycle_uses_its_own_hold() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::provider_stake(RuntimeOrigin::signed(2), 5_000));
			assert_eq!(held(2, HoldReason::ProviderStake), 5_000);
			assert_eq!(held(2, HoldReason::SeekerStake), 0);
			assert_eq!(Tiers::seeker_tier(&2).0, 0, "provider stake buys no seeker tier");
			assert_eq!(
				last_event(),
				Event::ProviderStaked { who: 2, amount: 5_000, active: 5_000 }
			);
			assert_ok!(Tiers::provider_unstake(RuntimeOrigin::signed(2), 2_000));
			assert_eq!(
				last_event(),
				Event::ProviderUnstaked { who: 2, amount: 2_000, active: 3_000, unlock_at: 11 }
			);
			assert_ok!(Tiers::provider_rebond(RuntimeOrigin::signed(2), 500));
			assert_eq!(
				last_event(),
				Event::ProviderRebonded { who: 2, amount: 500, active: 3_500 }
			);
			run_to_block(11);
			assert_ok!(Tiers::provider_withdraw_unbonded(RuntimeOrigin::signed(2)));
			assert_eq!(last_event(), Event::ProviderWithdrawn { who: 2, amount: 1_500 });
			assert_eq!(ProviderLedgers::<Test>::get(2).unwrap().active, 3_500);
			assert_eq!(Balances::balance(&2), 6_500);
		});
	}

	#[test]
	fn provider_calls_should_fail_like_seeker_calls() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Tiers::provider_stake(RuntimeOrigin::signed(2), 0),
				Error::<Test>::ZeroAmount
			);
			assert_noop!(
				Tiers::provider_unstake(RuntimeOrigin::signed(2), 1),
				Error::<Test>::NotStaking
			);
			assert_noop!(
				Tiers::provider_rebond(RuntimeOrigin::signed(2), 1),
				Error::<Test>::NotStaking
			);
			assert_noop!(
				Tiers::provider_withdraw_unbonded(RuntimeOrigin::signed(2)),
				Error::<Test>::NotStaking
			);
		});
	}

	#[test]
	fn multiplier_follows_stake_trust_uptime_and_nxv_bonus() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(Tiers::provider_multiplier(&2), FixedU128::one());
			assert_ok!(Tiers::provider_stake(RuntimeOrigin::signed(2), 5_000));
			// Stake without service earns nothing.
			assert_eq!(Tiers::provider_multiplier(&2), FixedU128::one());
			MockReputation::set(Permill::one(), Permill::one());
			// Half the full-boost stake: 1 + 0.5 × 0.5.
			assert_eq!(Tiers::provider_multiplier(&2), FixedU128::from_rational(5, 4));
			assert_ok!(Tiers::set_nxv_payouts(RuntimeOrigin::signed(2), true));
			assert!(NxvPayouts::<Test>::contains_key(2));
			assert_eq!(last_event(), Event::NxvPayoutsSet { who: 2, enabled: true });
			assert_eq!(Tiers::provider_multiplier(&2), FixedU128::from_rational(135, 100));
			assert_ok!(Tiers::set_nxv_payouts(RuntimeOrigin::signed(2), false));
			assert_eq!(Tiers::provider_multiplier(&2), FixedU128::from_rational(5, 4));
		});
	}

	#[test]
	fn set_nxv_payouts_should_fail_when_unchanged() {
		ExtBuilder::default().build_and_execute(|| {
			assert_noop!(
				Tiers::set_nxv_payouts(RuntimeOrigin::signed(2), false),
				Error::<Test>::NxvPayoutsUnchanged
			);
			assert_ok!(Tiers::set_nxv_payouts(RuntimeOrigin::signed(2), true));
			assert_noop!(
				Tiers::set_nxv_payouts(RuntimeOrigin::signed(2), true),
				Error::<Test>::NxvPayoutsUnchanged
			);
		});
	}
}

mod overflow {
	use super::*;
	use crate::StakeLedger;

	/// A ledger at the balance type's maximum cannot be reached through holds (issuance is far
	/// smaller); it is written directly to exercise the checked additions. `build()` rather
	/// than `build_and_execute()`: such a ledger breaks the held-equals-ledger invariant.
	fn ledger_at_max(unlocking: Vec<UnlockChunk<Balance, u64>>) {
		SeekerLedgers::<Test>::insert(
			1,
			StakeLedger { active: Balance::MAX, unlocking: unlocking.try_into().unwrap() },
		);
	}

	#[test]
	fn stake_should_fail_when_active_stake_would_overflow() {
		ExtBuilder::default().build().execute_with(|| {
			ledger_at_max(vec![]);
			assert_noop!(Tiers::stake(RuntimeOrigin::signed(1), 100), Error::<Test>::Overflow);
		});
	}

	#[test]
	fn rebond_should_fail_when_active_stake_would_overflow() {
		ExtBuilder::default().build().execute_with(|| {
			ledger_at_max(vec![UnlockChunk { amount: 100, unlock_at: 50 }]);
			assert_noop!(Tiers::rebond(RuntimeOrigin::signed(1), 100), Error::<Test>::Overflow);
		});
	}
}

mod runtime_api {
	use super::*;
	use crate::runtime_api::{ProviderBoost, SeekerTier};

	#[test]
	fn tier_of_should_show_entry_tier_for_non_stakers() {
		ExtBuilder::default().build_and_execute(|| {
			assert_eq!(
				Tiers::seeker_standing(&1),
				SeekerTier {
					tier: 0,
					params: default_tiers()[0],
					active: 0,
					unlocking: vec![],
					next_threshold: Some(100),
				}
			);
		});
	}

	#[test]
	fn tier_of_should_show_tier_params_and_unlock_schedule() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::stake(RuntimeOrigin::signed(1), 6_000));
			assert_ok!(Tiers::unstake(RuntimeOrigin::signed(1), 2_000));
			let standing = Tiers::seeker_standing(&1);
			assert_eq!(standing.tier, 2);
			assert_eq!(standing.params, default_tiers()[2]);
			assert_eq!(standing.active, 4_000);
			assert_eq!(
				standing.unlocking,
				vec![UnlockChunk { amount: 2_000, unlock_at: 1 + UNBONDING }]
			);
			assert_eq!(standing.next_threshold, Some(5_000));
			// The top tier has no next threshold.
			assert_ok!(Tiers::rebond(RuntimeOrigin::signed(1), 2_000));
			let standing = Tiers::seeker_standing(&1);
			assert_eq!((standing.tier, standing.next_threshold), (3, None));
			assert!(standing.unlocking.is_empty());
		});
	}

	#[test]
	fn provider_boost_should_report_the_multiplier_and_its_inputs() {
		ExtBuilder::default().build_and_execute(|| {
			assert_ok!(Tiers::provider_stake(RuntimeOrigin::signed(2), 5_000));
			assert_ok!(Tiers::set_nxv_payouts(RuntimeOrigin::signed(2), true));
			MockReputation::set(Permill::one(), Permill::from_percent(50));
			assert_eq!(
				Tiers::provider_boost(&2),
				ProviderBoost {
					stake: 5_000,
					trust: Permill::one(),
					uptime: Permill::from_percent(50),
					nxv_payouts: true,
					// 1 + 0.5 × 0.5 × 0.5 + 0.1
					multiplier: FixedU128::from_rational(1225, 1000),
				}
			);
			assert_eq!(Tiers::provider_multiplier(&2), Tiers::provider_boost(&2).multiplier);
		});
	}
}

#[test]
fn genesis_rejects_nothing_valid_and_stores_the_table() {
	ExtBuilder::default()
		.with_tiers(default_tiers())
		.build_and_execute(|| assert_eq!(TierTable::<Test>::get().to_vec(), default_tiers()));
}

fn params() -> MultiplierParams {
	MultiplierParams {
		max_stake_boost: FixedU128::from_rational(1, 2),
		nxv_payout_bonus: FixedU128::from_rational(1, 10),
		max_multiplier: FixedU128::from_rational(3, 2),
	}
}

proptest! {
	#[test]
	fn multiplier_is_between_one_and_the_cap(
		stake in any::<u128>(),
		full in any::<u128>(),
		trust in 0u32..=1_000_000,
		uptime in 0u32..=1_000_000,
		nxv in any::<bool>(),
	) {
		let m = provider_multiplier(
			stake, full, Permill::from_parts(trust), Permill::from_parts(uptime), nxv, params(),
		);
		prop_assert!(m >= FixedU128::one());
		prop_assert!(m <= params().max_multiplier);
	}

	#[test]
	fn multiplier_never_falls_when_stake_or_service_improves(
		stake in 0u128..1_000_000,
		extra in 0u128..1_000_000,
		trust in 0u32..=1_000_000,
		uptime in 0u32..=1_000_000,
	) {
		let f = |s, t| provider_multiplier(
			s, 500_000, Permill::from_parts(t), Permill::from_parts(uptime), false, params(),
		);
		prop_assert!(f(stake + extra, trust) >= f(stake, trust));
		prop_assert!(f(stake, (trust + 1).min(1_000_000)) >= f(stake, trust));
	}

	#[test]
	fn tier_is_the_highest_threshold_reached(stake in 0u128..20_000) {
		ExtBuilder::default().build().execute_with(|| {
			let tier = usize::from(Tiers::tier_for(stake));
			let table = default_tiers();
			prop_assert!(table[tier].threshold <= stake);
			if let Some(next) = table.get(tier + 1) {
				prop_assert!(next.threshold > stake);
			}
			Ok(())
		})?;
	}
}
