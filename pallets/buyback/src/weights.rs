// This file is part of Nexus Vault.
// SPDX-License-Identifier: Apache-2.0

//! Weights of `pallet_buyback` (replaced by `scripts/bench-weights.sh buyback`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet_buyback`.
pub trait WeightInfo {
	fn set_programme() -> Weight;
	fn claim_rebates() -> Weight;
	fn close_epoch_rebates() -> Weight;
	fn close_epoch_buyback() -> Weight;
	fn advance_pass(n: u32, ) -> Weight;
}

/// Weights for `pallet_buyback` measured on the reference machine.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_programme() -> Weight { Weight::from_parts(10_000_000, 0) }
	fn claim_rebates() -> Weight { Weight::from_parts(100_000_000, 8000) }
	fn close_epoch_rebates() -> Weight { Weight::from_parts(50_000_000, 8000) }
	fn close_epoch_buyback() -> Weight { Weight::from_parts(300_000_000, 20000) }
	fn advance_pass(n: u32, ) -> Weight { Weight::from_parts(20_000_000, 4000).saturating_add(Weight::from_parts(30_000_000, 3000).saturating_mul(n.into())) }
}

// For tests.
impl WeightInfo for () {
	fn set_programme() -> Weight { Weight::from_parts(10_000_000, 0) }
	fn claim_rebates() -> Weight { Weight::from_parts(100_000_000, 8000) }
	fn close_epoch_rebates() -> Weight { Weight::from_parts(50_000_000, 8000) }
	fn close_epoch_buyback() -> Weight { Weight::from_parts(300_000_000, 20000) }
	fn advance_pass(n: u32, ) -> Weight { Weight::from_parts(20_000_000, 4000).saturating_add(Weight::from_parts(30_000_000, 3000).saturating_mul(n.into())) }
}
