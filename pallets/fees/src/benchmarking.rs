//! Benchmarks of the fees pallet (FRAME v2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use crate::{
	pallet::{LastChange, NxvPrice, Params, ParamsHistory},
	ParamsChange,
};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};
use sp_runtime::Perbill;

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_params() {
		let origin = T::ParamsOrigin::try_successful_origin().unwrap();
		// A change of the take rate by one point, long after the last change.
		let mut new = Params::<T>::get();
		new.take_rate = Perbill::from_parts(
			new.take_rate
				.deconstruct()
				.saturating_sub(T::MaxStep::get().deconstruct().min(10_000_000)),
		);
		LastChange::<T>::kill();
		// The worst case: a full history, whose oldest change drops out.
		let old = Params::<T>::get();
		let full: alloc::vec::Vec<_> = (0..T::MaxParamsHistory::get())
			.map(|i| ParamsChange { at: i.into(), old, new: old })
			.collect();
		ParamsHistory::<T>::put(BoundedVec::truncate_from(full));
		frame_system::Pallet::<T>::set_block_number(T::ChangeCooldown::get() + 1u32.into());
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, new);
		assert_eq!(Params::<T>::get(), new);
		let history = ParamsHistory::<T>::get();
		assert_eq!(history.len() as u32, T::MaxParamsHistory::get());
		assert_eq!(history.last().map(|c| c.new), Some(new));
	}

	#[benchmark]
	fn set_nxv_price() {
		let origin = T::PriceOrigin::try_successful_origin().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 2_000_000u128);
		assert_eq!(NxvPrice::<T>::get().map(|p| p.price), Some(2_000_000));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
