// This file is part of Nexus Vault.
// SPDX-License-Identifier: Apache-2.0

//! Weights of `pallet_fees`. Placeholder until `scripts/bench-weights.sh` generates it.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_fees`.
pub trait WeightInfo {
	fn set_params() -> Weight;
	fn set_nxv_price() -> Weight;
}

/// Weights for `pallet_fees` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_params() -> Weight {
		Weight::from_parts(20_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(2, 2))
	}
	fn set_nxv_price() -> Weight {
		Weight::from_parts(15_000_000, 1_600).saturating_add(T::DbWeight::get().reads_writes(1, 1))
	}
}

impl WeightInfo for () {
	fn set_params() -> Weight {
		Weight::from_parts(20_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads_writes(2, 2))
	}
	fn set_nxv_price() -> Weight {
		Weight::from_parts(15_000_000, 1_600)
			.saturating_add(RocksDbWeight::get().reads_writes(1, 1))
	}
}
