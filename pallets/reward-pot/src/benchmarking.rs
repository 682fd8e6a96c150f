//! Benchmarks of the reward pot (FRAME v2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use frame_benchmarking::v2::*;
use frame_support::traits::{EnsureOrigin, Get};

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_timing() {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| "no admin origin").unwrap();
		let length = T::MaxSessionLength::get();
		let per_era = T::MaxSessionsPerEra::get();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, length, per_era);
		assert_eq!(SessionLength::<T>::get(), length);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
