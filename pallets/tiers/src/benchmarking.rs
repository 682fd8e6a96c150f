//! Benchmarks of the tiers pallet (FRAME v2), each at its worst case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{BalanceOf, Pallet as Tiers, SeekerLedgers, TierTable as TierStorage};
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get};
use frame_system::RawOrigin;
use sp_runtime::{traits::Bounded, Permill, Saturating};

fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	let amount = BalanceOf::<T>::max_value() / 4u32.into();
	T::Currency::set_balance(&who, amount);
	who
}

fn stake_amount<T: Config>() -> BalanceOf<T> {
	T::MinStake::get().saturating_mul(100u32.into()).max(1_000u32.into())
}

/// A table of `n` valid tiers (thresholds 0, 1000, 2000, …; discounts within the cap).
fn table<T: Config>(n: u32) -> Vec<TierParams<BalanceOf<T>>> {
	(0..n)
		.map(|i| TierParams {
			threshold: BalanceOf::<T>::from(i).saturating_mul(1_000u32.into()),
			rate_limit: u64::from(i) * 1_000,
			premium_lanes: i > 0,
			failover_priority: i as u8,
			commitment_discount: Permill::zero(),
		})
		.collect()
}

/// Fills the ledger of `who` with `chunks` unlocking chunks, one per block.
fn unlocking<T: Config>(who: &T::AccountId, chunks: u32) {
	let per = stake_amount::<T>();
	Tiers::<T>::do_stake(who, per.saturating_mul((chunks + 1).into()), crate::StakeKind::Seeker)
		.unwrap();
	for i in 0..chunks {
		frame_system::Pallet::<T>::set_block_number((i + 1).into());
		Tiers::<T>::do_unstake(who, per, crate::StakeKind::Seeker).unwrap();
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn stake() {
		let who = funded::<T>("seeker");
		TierStorage::<T>::put(TierTableOf::<T>::try_from(table::<T>(T::MaxTiers::get())).unwrap());
		let amount = stake_amount::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert_eq!(SeekerLedgers::<T>::get(&who).unwrap().active, amount);
	}

	#[benchmark]
	fn unstake() {
		let who = funded::<T>("seeker");
		TierStorage::<T>::put(TierTableOf::<T>::try_from(table::<T>(T::MaxTiers::get())).unwrap());
		unlocking::<T>(&who, T::MaxUnlockingChunks::get() - 1);
		frame_system::Pallet::<T>::set_block_number(10_000u32.into());
		let amount = stake_amount::<T>();
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert_eq!(
			SeekerLedgers::<T>::get(&who).unwrap().unlocking.len() as u32,
			T::MaxUnlockingChunks::get()
		);
	}

	#[benchmark]
	fn rebond(c: Linear<1, { T::MaxUnlockingChunks::get() }>) {
		let who = funded::<T>("seeker");
		unlocking::<T>(&who, c);
		// Rebond everything: touches every chunk.
		let amount = stake_amount::<T>().saturating_mul(c.into());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), amount);
		assert!(SeekerLedgers::<T>::get(&who).unwrap().unlocking.is_empty());
	}

	#[benchmark]
	fn withdraw_unbonded(c: Linear<1, { T::MaxUnlockingChunks::get() }>) {
		let who = funded::<T>("seeker");
		unlocking::<T>(&who, c);
		frame_system::Pallet::<T>::set_block_number(
			T::UnbondingDelay::get().saturating_add(c.into()).saturating_add(1u32.into()),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(SeekerLedgers::<T>::get(&who).unwrap().unlocking.is_empty());
	}

	#[benchmark]
	fn set_tier_table(t: Linear<1, { T::MaxTiers::get() }>) -> Result<(), BenchmarkError> {
		let new = table::<T>(t);
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new);
		assert_eq!(TierStorage::<T>::get().len() as u32, t);
		Ok(())
	}

	#[benchmark]
	fn set_nxv_payouts() {
		let who = funded::<T>("provider");
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), true);
		assert!(NxvPayouts::<T>::contains_key(&who));
	}

	impl_benchmark_test_suite!(
		Tiers,
		crate::mock::ExtBuilder::default().build(),
		crate::mock::Test
	);
}
