//! Benchmarks of the buyback/rebates pot (FRAME v2), each at its worst case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{
	ActiveProgramme, Claimable, Closings, CurrentEpoch, Owed, Pallet as Buyback, Spend, Tallies,
};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungibles::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use nexus_primitives::traits::UsageObserver;

/// Puts `native` NXV and `stable` of the stable asset into the pot, above its minimums.
fn fund<T: Config>(native: u128, stable: u128) {
	let pot = Buyback::<T>::account_id();
	for (asset, amount) in [(T::NativeAsset::get(), native), (T::StableAsset::get(), stable)] {
		let min = T::Assets::minimum_balance(asset.clone());
		T::Assets::set_balance(asset, &pot, amount.saturating_add(min));
	}
}

/// `n` seekers with spend in the current epoch.
fn seekers<T: Config>(n: u32) {
	let provider: T::AccountId = account("provider", 0, 0);
	for i in 0..n {
		let who: T::AccountId = account("seeker", i, 0);
		Buyback::<T>::on_settled(&who, &provider, 1_000_000 + u128::from(i));
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_programme() {
		let origin = T::ProgrammeOrigin::try_successful_origin().unwrap();
		let programme = Programme::Buyback { max_slippage: T::MaxSlippage::get() };
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, programme);
		assert_eq!(ActiveProgramme::<T>::get(), programme);
	}

	#[benchmark]
	fn claim_rebates() {
		let who: T::AccountId = whitelisted_caller();
		let owed = Amounts { native: 1_000_000_000_000, stable: 1_000_000 };
		fund::<T>(owed.native, owed.stable);
		Claimable::<T>::insert(&who, owed);
		Owed::<T>::put(owed);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert!(!Claimable::<T>::contains_key(&who));
	}

	/// A close in rebates mode: the tally is taken and the amounts set aside.
	#[benchmark]
	fn close_epoch_rebates() {
		seekers::<T>(1);
		fund::<T>(1_000_000_000_000, 1_000_000);
		let n: BlockNumberFor<T> = Buyback::<T>::epoch_end();
		#[block]
		{
			Buyback::<T>::close_epoch(n);
		}
		assert_eq!(CurrentEpoch::<T>::get(), 1);
		assert!(Closings::<T>::get().is_some());
	}

	/// A close in buyback mode: the largest swap within the bound, and the burn.
	#[benchmark]
	fn close_epoch_buyback() {
		ActiveProgramme::<T>::put(Programme::Buyback { max_slippage: T::MaxSlippage::get() });
		seekers::<T>(1);
		fund::<T>(1_000_000_000_000, 1_000_000_000);
		let n: BlockNumberFor<T> = Buyback::<T>::epoch_end();
		#[block]
		{
			Buyback::<T>::close_epoch(n);
		}
		assert!(crate::pallet::ProgrammeTotals::<T>::get().burned > 0);
	}

	/// One block of the rebate pass over `n` seekers.
	#[benchmark]
	fn advance_pass(n: Linear<1, { T::FinalizePerBlock::get() }>) {
		seekers::<T>(n);
		fund::<T>(1_000_000_000_000, 1_000_000);
		let end: BlockNumberFor<T> = Buyback::<T>::epoch_end();
		Buyback::<T>::close_epoch(end);
		#[block]
		{
			Buyback::<T>::advance_pass(n);
		}
		assert!(Closings::<T>::get().is_none());
		assert_eq!(Spend::<T>::iter_prefix(0).count(), 0);
		assert_eq!(Tallies::<T>::get(0).seekers, 0);
	}

	impl_benchmark_test_suite!(
		Buyback,
		crate::mock::new_test_ext((1_000_000_000_000_000, 1_000_000_000_000_000)),
		crate::mock::Test
	);
}
