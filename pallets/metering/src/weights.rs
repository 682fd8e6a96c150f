// This file is part of Nexus Vault.
// SPDX-License-Identifier: Apache-2.0

//! Weights of `pallet_metering`. Placeholder until `scripts/bench-weights.sh` generates it.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::RocksDbWeight, Weight},
};

/// Weight functions needed for `pallet_metering`.
pub trait WeightInfo {
	fn register_gateway() -> Weight;
	fn rotate_gateway_key() -> Weight;
	fn suspend_gateway() -> Weight;
	fn resume_gateway() -> Weight;
	fn remove_gateway() -> Weight;
	fn deposit() -> Weight;
	fn withdraw(s: u32) -> Weight;
	fn open_session() -> Weight;
	fn close_session() -> Weight;
	fn release_session() -> Weight;
	fn submit_receipts(n: u32) -> Weight;
	fn report_uptime() -> Weight;
	fn dispute() -> Weight;
	fn resolve_dispute() -> Weight;
}

fn base(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(50_000_000, 4_000)
		.saturating_add(RocksDbWeight::get().reads_writes(reads, writes))
}

/// Weights for `pallet_metering` using the node's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn register_gateway() -> Weight {
		<() as WeightInfo>::register_gateway()
	}
	fn rotate_gateway_key() -> Weight {
		<() as WeightInfo>::rotate_gateway_key()
	}
	fn suspend_gateway() -> Weight {
		<() as WeightInfo>::suspend_gateway()
	}
	fn resume_gateway() -> Weight {
		<() as WeightInfo>::resume_gateway()
	}
	fn remove_gateway() -> Weight {
		<() as WeightInfo>::remove_gateway()
	}
	fn deposit() -> Weight {
		<() as WeightInfo>::deposit()
	}
	fn withdraw(s: u32) -> Weight {
		<() as WeightInfo>::withdraw(s)
	}
	fn open_session() -> Weight {
		<() as WeightInfo>::open_session()
	}
	fn close_session() -> Weight {
		<() as WeightInfo>::close_session()
	}
	fn release_session() -> Weight {
		<() as WeightInfo>::release_session()
	}
	fn submit_receipts(n: u32) -> Weight {
		<() as WeightInfo>::submit_receipts(n)
	}
	fn report_uptime() -> Weight {
		<() as WeightInfo>::report_uptime()
	}
	fn dispute() -> Weight {
		<() as WeightInfo>::dispute()
	}
	fn resolve_dispute() -> Weight {
		<() as WeightInfo>::resolve_dispute()
	}
}

impl WeightInfo for () {
	fn register_gateway() -> Weight {
		base(3, 4)
	}
	fn rotate_gateway_key() -> Weight {
		base(1, 1)
	}
	fn suspend_gateway() -> Weight {
		base(1, 1)
	}
	fn resume_gateway() -> Weight {
		base(1, 1)
	}
	fn remove_gateway() -> Weight {
		base(3, 4)
	}
	fn deposit() -> Weight {
		base(4, 4)
	}
	fn withdraw(s: u32) -> Weight {
		base(4, 4).saturating_add(base(6, 6).saturating_mul(s.into()))
	}
	fn open_session() -> Weight {
		base(7, 7)
	}
	fn close_session() -> Weight {
		base(1, 3)
	}
	fn release_session() -> Weight {
		base(6, 6)
	}
	fn submit_receipts(n: u32) -> Weight {
		base(10, 10).saturating_add(base(12, 12).saturating_mul(n.into()))
	}
	fn report_uptime() -> Weight {
		base(2, 1)
	}
	fn dispute() -> Weight {
		base(3, 3)
	}
	fn resolve_dispute() -> Weight {
		base(8, 8)
	}
}
