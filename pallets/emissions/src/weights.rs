// This file is part of Nexus Vault.
// SPDX-License-Identifier: Apache-2.0

//! Weights of `pallet_emissions` (replaced by `scripts/bench-weights.sh emissions`).

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed by `pallet_emissions`.
pub trait WeightInfo {
	fn add_milestone() -> Weight;
	fn claim_deferred() -> Weight;
	fn check_milestones() -> Weight;
	fn advance_release(n: u32, ) -> Weight;
}

/// Weights for `pallet_emissions` measured on the reference machine.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn add_milestone() -> Weight { Weight::from_parts(30_000_000, 4000) }
	fn claim_deferred() -> Weight { Weight::from_parts(100_000_000, 8000) }
	fn check_milestones() -> Weight { Weight::from_parts(30_000_000, 4000) }
	fn advance_release(n: u32, ) -> Weight { Weight::from_parts(20_000_000, 4000).saturating_add(Weight::from_parts(100_000_000, 8000).saturating_mul(n.into())) }
}

// For tests.
impl WeightInfo for () {
	fn add_milestone() -> Weight { Weight::from_parts(30_000_000, 4000) }
	fn claim_deferred() -> Weight { Weight::from_parts(100_000_000, 8000) }
	fn check_milestones() -> Weight { Weight::from_parts(30_000_000, 4000) }
	fn advance_release(n: u32, ) -> Weight { Weight::from_parts(20_000_000, 4000).saturating_add(Weight::from_parts(100_000_000, 8000).saturating_mul(n.into())) }
}
