//! Benchmarks of milestone emissions (FRAME v2), each at its worst case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{Deferred, DeferredTotal, Milestones, Pallet as Emissions, Releasing, Rounds};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use frame_system::RawOrigin;
use nexus_primitives::traits::UsageObserver;

/// `n` providers served one seeker in the current round.
fn served<T: Config>(n: u32) {
	let seeker: T::AccountId = account("seeker", 0, 0);
	for i in 0..n {
		let provider: T::AccountId = account("provider", i, 0);
		Emissions::<T>::on_settled(&seeker, &provider, 1_000_000 + u128::from(i));
	}
}

/// Replaces the milestones with one already reached (one unique seeker), with a tranche large
/// enough that every provider's share is above any minimum.
fn reached<T: Config>() {
	let tranche = Emissions::<T>::pool_balance() / 2;
	Milestones::<T>::put(
		BoundedVec::try_from(alloc::vec![Milestone {
			metric: Metric::UniqueSeekers,
			threshold: 1,
			tranche,
			released_at: None,
		}])
		.unwrap(),
	);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// With `MaxMilestones − 1` milestones already (each is checked and the list rewritten).
	#[benchmark]
	fn add_milestone() {
		let origin = T::MilestoneOrigin::try_successful_origin().unwrap();
		let mut list = BoundedVec::<_, T::MaxMilestones>::new();
		for i in 1..T::MaxMilestones::get() {
			list.try_push(Milestone {
				metric: Metric::SettledVolume,
				threshold: u128::from(i) << 80,
				tranche: 1,
				released_at: None,
			})
			.unwrap();
		}
		Milestones::<T>::put(list);
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, Metric::SettledVolume, u128::MAX, 1u128);
		assert_eq!(Milestones::<T>::get().len() as u32, T::MaxMilestones::get());
	}

	#[benchmark]
	fn claim_deferred() {
		let who: T::AccountId = account("provider", 0, 0);
		served::<T>(1);
		let amount = Emissions::<T>::pool_balance() / 4;
		Deferred::<T>::insert(&who, amount);
		DeferredTotal::<T>::put(amount);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()));
		assert_eq!(Deferred::<T>::get(&who), 0);
	}

	/// A block that finds a reached milestone and starts its release.
	#[benchmark]
	fn check_milestones() {
		reached::<T>();
		served::<T>(1);
		let n = frame_system::Pallet::<T>::block_number();
		#[block]
		{
			Emissions::<T>::start_release(n);
		}
		assert!(Releasing::<T>::get().is_some());
	}

	/// One block of a release over `n` providers, each vested.
	#[benchmark]
	fn advance_release(n: Linear<1, { T::DistributePerBlock::get() }>) {
		reached::<T>();
		served::<T>(n);
		let block = frame_system::Pallet::<T>::block_number();
		Emissions::<T>::start_release(block);
		#[block]
		{
			Emissions::<T>::advance_release(n);
		}
		assert!(Releasing::<T>::get().is_none());
		assert_eq!(Rounds::<T>::get(0).providers, 0);
	}

	impl_benchmark_test_suite!(
		Emissions,
		crate::mock::new_test_ext(alloc::vec![]),
		crate::mock::Test
	);
}
