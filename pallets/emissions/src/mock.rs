//! A test runtime: System, Balances (NXV), Vesting and Emissions; providers' multipliers are
//! set per test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate as pallet_emissions;
use crate::Metric;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64, WithdrawReasons},
	PalletId,
};
use frame_system::EnsureRoot;
use nexus_primitives::traits::ProviderMultiplier;
use sp_runtime::{traits::ConvertInto, BuildStorage, FixedU128};
use std::{cell::RefCell, collections::BTreeMap};

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
	pub type Vesting = pallet_vesting;
	#[runtime::pallet_index(3)]
	pub type Emissions = pallet_emissions;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<10>;
	type AccountStore = System;
}

parameter_types! {
	pub UnvestedFundsAllowedWithdrawReasons: WithdrawReasons =
		WithdrawReasons::except(WithdrawReasons::TRANSFER | WithdrawReasons::RESERVE);
	pub const EmissionsPalletId: PalletId = PalletId(*b"nxv/emis");
}

/// Provider 3 can take only one more schedule than the others' limit allows: see tests.
pub const MAX_SCHEDULES: u32 = 2;

impl pallet_vesting::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type BlockNumberToBalance = ConvertInto;
	type MinVestedTransfer = ConstU128<1>;
	type WeightInfo = ();
	type UnvestedFundsAllowedWithdrawReasons = UnvestedFundsAllowedWithdrawReasons;
	type BlockNumberProvider = System;
	const MAX_VESTING_SCHEDULES: u32 = MAX_SCHEDULES;
}

thread_local! {
	static MULTIPLIERS: RefCell<BTreeMap<AccountId, FixedU128>> = const { RefCell::new(BTreeMap::new()) };
}

/// Sets `who`'s multiplier (1 unless set).
pub fn set_multiplier(who: AccountId, m: FixedU128) {
	MULTIPLIERS.with(|ms| ms.borrow_mut().insert(who, m));
}

pub struct Multipliers;
impl ProviderMultiplier<AccountId> for Multipliers {
	fn multiplier(who: &AccountId) -> FixedU128 {
		MULTIPLIERS.with(|ms| ms.borrow().get(who).copied().unwrap_or(FixedU128::from_u32(1)))
	}
}

/// Providers visited per block while a tranche is shared out.
pub const PER_BLOCK: u32 = 2;
/// Blocks over which a share vests.
pub const VESTING: u64 = 100;
/// The allocation in the pool (plus its existential deposit).
pub const POOL: Balance = 1_000_000;

impl pallet_emissions::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Vesting = Vesting;
	type Multiplier = Multipliers;
	type PalletId = EmissionsPalletId;
	type MilestoneOrigin = EnsureRoot<AccountId>;
	type MaxMilestones = ConstU32<4>;
	type DistributePerBlock = ConstU32<PER_BLOCK>;
	type VestingPeriod = ConstU64<VESTING>;
	type WeightInfo = ();
}

/// The pool holds [`POOL`]; accounts 1..=6 hold 1,000; `milestones` are in genesis.
pub fn new_test_ext(milestones: Vec<(Metric, u128, u128)>) -> sp_io::TestExternalities {
	let pool = Emissions::account_id();
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=6).map(|a| (a, 1_000)).collect();
	balances.push((pool, POOL + 10));
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_emissions::GenesisConfig::<Test> { milestones, _config: Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on [`new_test_ext`], then checks the pallet's invariants.
pub fn build_and_execute(milestones: Vec<(Metric, u128, u128)>, test: impl FnOnce()) {
	new_test_ext(milestones).execute_with(|| {
		test();
		Emissions::do_try_state().expect("try_state holds after the test");
	});
}

/// Runs blocks up to `n`, with the pallet's hook at each.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Emissions::on_initialize(next);
	}
}
