//! Benchmarks of the capsule registry (FRAME v2), each at its worst case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::*;
use crate::pallet::{BalanceOf, Capsules as CapsuleMap, Pallet as Capsules};
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_support::traits::{fungible::Mutate, EnsureOrigin, Get};
use frame_system::RawOrigin;
use sp_core::H256;
use sp_runtime::traits::{Bounded, Saturating};

fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	T::Currency::set_balance(&who, BalanceOf::<T>::max_value() / 4u32.into());
	who
}

fn offering<T: Config>() -> OfferingIdOf<T> {
	let id: OfferingIdOf<T> = vec![b'o'; T::MaxOfferingLen::get() as usize].try_into().unwrap();
	Offerings::<T>::insert(&id, true);
	id
}

fn spec<T: Config>(metadata_len: u32) -> SpecOf<T> {
	CapsuleSpec {
		offering: offering::<T>(),
		lane: Lane::Premium,
		price: Price {
			per_1k_input: 1_000u32.into(),
			per_1k_output: 5_000u32.into(),
			per_1k_cache_read: 100u32.into(),
			per_1k_cache_write: 1_250u32.into(),
		},
		capacity: 1_000_000,
		window: QuotaWindow::Day,
		concurrency: 8,
		region: vec![b'r'; T::MaxRegionLen::get() as usize].try_into().unwrap(),
		endpoint_commitment: H256::repeat_byte(1),
		metadata: vec![b'm'; metadata_len as usize].try_into().unwrap(),
	}
}

/// Registers `n` capsules for `who` (full metadata); returns the last id.
fn registered<T: Config>(who: &T::AccountId, n: u32) -> CapsuleId {
	let mut last = 0;
	for _ in 0..n {
		last =
			Capsules::<T>::do_register(who.clone(), spec::<T>(T::MaxMetadataLen::get())).unwrap();
	}
	last
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register(m: Linear<0, { T::MaxMetadataLen::get() }>) {
		let who = funded::<T>("provider");
		// The provider's list is one short of full: the push is the largest.
		registered::<T>(&who, T::MaxCapsulesPerProvider::get() - 1);
		let s = spec::<T>(m);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), s);
		assert_eq!(ProviderCapsules::<T>::get(&who).len() as u32, T::MaxCapsulesPerProvider::get());
	}

	#[benchmark]
	fn announce_price() {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		let price = Price {
			per_1k_input: 2_000u32.into(),
			per_1k_output: 9_000u32.into(),
			per_1k_cache_read: 200u32.into(),
			per_1k_cache_write: 2_500u32.into(),
		};
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, price);
		assert!(CapsuleMap::<T>::get(id).unwrap().pending_price.is_some());
	}

	#[benchmark]
	fn set_capacity() {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id, 42, QuotaWindow::Week, 2);
		assert_eq!(CapsuleMap::<T>::get(id).unwrap().spec.capacity, 42);
	}

	#[benchmark]
	fn pause() {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert_eq!(CapsuleMap::<T>::get(id).unwrap().status, CapsuleStatus::Paused);
	}

	#[benchmark]
	fn resume() {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		Capsules::<T>::pause(RawOrigin::Signed(who.clone()).into(), id).unwrap();
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert_eq!(CapsuleMap::<T>::get(id).unwrap().status, CapsuleStatus::Active);
	}

	#[benchmark]
	fn retire() {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), id);
		assert!(matches!(CapsuleMap::<T>::get(id).unwrap().status, CapsuleStatus::Retired { .. }));
	}

	#[benchmark]
	fn release_bond(c: Linear<1, { T::MaxCapsulesPerProvider::get() }>) {
		let who = funded::<T>("provider");
		// Release the first of `c` capsules: the list scan touches all of them.
		let first = NextCapsuleId::<T>::get();
		registered::<T>(&who, c);
		Capsules::<T>::retire(RawOrigin::Signed(who.clone()).into(), first).unwrap();
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(T::BondReleaseDelay::get()),
		);
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), first);
		assert!(CapsuleMap::<T>::get(first).is_none());
	}

	#[benchmark]
	fn set_offering() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let id: OfferingIdOf<T> = vec![b'n'; T::MaxOfferingLen::get() as usize].try_into().unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id.clone(), true);
		assert_eq!(Offerings::<T>::get(&id), Some(true));
		Ok(())
	}

	/// Replacing `o` aliases with `n` new ones (each of the longest id).
	#[benchmark]
	fn set_model_aliases(
		o: Linear<0, { T::MaxAliasesPerOffering::get() }>,
		n: Linear<0, { T::MaxAliasesPerOffering::get() }>,
	) -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let len = T::MaxOfferingLen::get() as usize;
		let offering: OfferingIdOf<T> = vec![b'o'; len].try_into().unwrap();
		Offerings::<T>::insert(&offering, true);
		let alias = |tag: u8, i: u32| -> OfferingIdOf<T> {
			let mut id = vec![tag; len];
			for (b, x) in id.iter_mut().zip(i.to_le_bytes()) {
				*b = x;
			}
			id.try_into().unwrap()
		};
		let old: AliasesOf<T> = (0..o)
			.map(|i| alias(b'a', i))
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.unwrap();
		Capsules::<T>::do_set_aliases(offering.clone(), old)
			.map_err(|_| BenchmarkError::Weightless)?;
		let new: AliasesOf<T> = (0..n)
			.map(|i| alias(b'b', i))
			.collect::<alloc::vec::Vec<_>>()
			.try_into()
			.unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, offering.clone(), new);
		assert_eq!(OfferingAliases::<T>::get(&offering).len() as u32, n);
		assert_eq!(ModelAliases::<T>::iter().filter(|(_, o)| *o == offering).count() as u32, n);
		Ok(())
	}

	#[benchmark]
	fn suspend() -> Result<(), BenchmarkError> {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		let origin =
			T::SuspendOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(CapsuleMap::<T>::get(id).unwrap().status, CapsuleStatus::Suspended);
		Ok(())
	}

	#[benchmark]
	fn unsuspend() -> Result<(), BenchmarkError> {
		let who = funded::<T>("provider");
		let id = registered::<T>(&who, 1);
		let origin =
			T::SuspendOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		Capsules::<T>::suspend(origin.clone(), id).unwrap();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, id);
		assert_eq!(CapsuleMap::<T>::get(id).unwrap().status, CapsuleStatus::Paused);
		Ok(())
	}

	impl_benchmark_test_suite!(Capsules, crate::mock::new_test_ext(), crate::mock::Test);
}
