//! Weights of `pallet_reward_pot`. Regenerate with `scripts/bench-weights.sh pallet_reward_pot`.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions needed by `pallet_reward_pot`.
pub trait WeightInfo {
	fn set_timing() -> Weight;
}

/// Weights for `pallet_reward_pot` with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_timing() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

impl WeightInfo for () {
	fn set_timing() -> Weight {
		Weight::from_parts(10_000_000, 0).saturating_add(ParityDbWeight::get().writes(2_u64))
	}
}
