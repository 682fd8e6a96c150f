// This file is part of Nexus Vault.
// SPDX-License-Identifier: Apache-2.0

//! Weights of `pallet_reserve`. Placeholder until `scripts/bench-weights.sh` generates it.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_reserve`.
pub trait WeightInfo {
	fn pay_claim() -> Weight;
	fn sweep_overflow() -> Weight;
}

/// Weights for `pallet_reserve` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn pay_claim() -> Weight {
		Weight::from_parts(20_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn sweep_overflow() -> Weight {
		Weight::from_parts(15_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
}

impl WeightInfo for () {
	fn pay_claim() -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn sweep_overflow() -> Weight {
		Weight::from_parts(15_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
}
