//! Benchmarks of the reserve (FRAME v2), each at its worst case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::Pallet as Reserve;
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungibles::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use sp_core::H256;

/// Funds the reserve with `amount` of each payment asset above its minimum balance.
fn fund<T: Config>(amount: u128) {
	let reserve = Reserve::<T>::account_id();
	for asset in [T::StableAsset::get(), T::NativeAsset::get()] {
		let min = T::Assets::minimum_balance(asset.clone());
		T::Assets::set_balance(asset, &reserve, amount.saturating_add(min));
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn pay_claim() {
		let origin = T::ClaimOrigin::try_successful_origin().unwrap();
		fund::<T>(1_000_000_000_000_000);
		let to: T::AccountId = account("claimant", 0, 0);
		#[extrinsic_call]
		_(
			origin as T::RuntimeOrigin,
			T::StableAsset::get(),
			to.clone(),
			1_000_000u128,
			H256::zero(),
		);
		assert_eq!(T::Assets::balance(T::StableAsset::get(), &to), 1_000_000);
	}

	#[benchmark]
	fn sweep_overflow() {
		// Worst case: both assets move (the stable asset is short of the overflow). 10^21 of
		// each asset is far above any target the runtime's parameters give.
		fund::<T>(1_000_000_000_000_000_000_000);
		let reserve = Reserve::<T>::account_id();
		let min = T::Assets::minimum_balance(T::StableAsset::get());
		T::Assets::set_balance(T::StableAsset::get(), &reserve, min.saturating_add(1));
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller));
		assert!(T::Assets::balance(T::NativeAsset::get(), &T::Treasury::get()) > 0);
	}

	impl_benchmark_test_suite!(Reserve, crate::mock::new_test_ext(0, 0), crate::mock::Test);
}
