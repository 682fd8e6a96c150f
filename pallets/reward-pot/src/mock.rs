//! A test runtime: System, Balances and the reward pot.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::{self as pallet_reward_pot};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
	PalletId,
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type RewardPot = pallet_reward_pot;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

/// Existential deposit of the mock.
pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = frame_support::traits::ConstU128<ED>;
	type AccountStore = System;
}

parameter_types! {
	pub const PotId: PalletId = PalletId(*b"nxv/rpot");
}

impl pallet_reward_pot::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type PalletId = PotId;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type MinSessionLength = ConstU64<5>;
	type MaxSessionLength = ConstU64<600>;
	type MaxSessionsPerEra = ConstU32<24>;
	type WeightInfo = ();
}

/// The pot's account.
pub fn pot() -> AccountId {
	RewardPot::account_id()
}

/// Account 1 holds 10_000; the pot starts with `pot_balance`.
pub fn ext_with_pot(pot_balance: Balance) -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(1, 10_000), (pot(), pot_balance)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_reward_pot::GenesisConfig::<Test> { session_length: 10, sessions_per_era: 3 }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// The pot starts with the existential deposit only (the benchmark test suite uses it).
#[allow(dead_code)]
pub fn new_test_ext() -> sp_io::TestExternalities {
	ext_with_pot(ED)
}

/// Runs `test` on a pot holding `pot_balance`, then checks the invariants.
pub fn build_and_execute(pot_balance: Balance, test: impl FnOnce()) {
	ext_with_pot(pot_balance).execute_with(|| {
		test();
		RewardPot::do_try_state().expect("try_state holds after the test");
	});
}
