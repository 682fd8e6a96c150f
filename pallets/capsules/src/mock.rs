//! A test runtime: System, Balances and Capsules.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::{self as pallet_capsules, CapsuleSpec, Lane, Price, QuotaWindow};
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use sp_core::H256;
use sp_runtime::{BuildStorage, Permill};

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
	pub type Capsules = pallet_capsules;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

parameter_types! {
	pub const ExistentialDeposit: Balance = 1;
	pub const CapsuleBond: Balance = 1_000;
	pub const DepositPerByte: Balance = 2;
	pub const TrustSmoothing: Permill = Permill::from_percent(10);
}

/// Notice delay for prices and release delay for bonds, in blocks.
pub const PRICE_NOTICE: u64 = 5;
pub const BOND_DELAY: u64 = 20;

impl pallet_capsules::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type SuspendOrigin = frame_system::EnsureRoot<AccountId>;
	type CapsuleBond = CapsuleBond;
	type DepositPerByte = DepositPerByte;
	type PriceNoticeDelay = ConstU64<PRICE_NOTICE>;
	type BondReleaseDelay = ConstU64<BOND_DELAY>;
	type MaxCapsulesPerProvider = ConstU32<3>;
	type MaxOfferingLen = ConstU32<32>;
	type MaxAliasesPerOffering = ConstU32<4>;
	type MaxRegionLen = ConstU32<16>;
	type MaxMetadataLen = ConstU32<64>;
	type TrustSmoothing = TrustSmoothing;
	type WeightInfo = ();
}

/// The offering every test starts with, resale permitted.
pub fn offering() -> crate::OfferingIdOf<Test> {
	b"claude-opus".to_vec().try_into().unwrap()
}

/// Prices per 1,000 input, output, cache-read and cache-write units.
pub fn prices(
	input: Balance,
	output: Balance,
	cache_read: Balance,
	cache_write: Balance,
) -> Price<Balance> {
	Price {
		per_1k_input: input,
		per_1k_output: output,
		per_1k_cache_read: cache_read,
		per_1k_cache_write: cache_write,
	}
}

/// A valid spec on [`offering`] with `metadata_len` bytes of metadata.
pub fn spec(metadata_len: usize) -> crate::SpecOf<Test> {
	CapsuleSpec {
		offering: offering(),
		lane: Lane::Premium,
		price: prices(30, 150, 3, 37),
		capacity: 1_000_000,
		window: QuotaWindow::Day,
		concurrency: 4,
		region: b"eu-west".to_vec().try_into().unwrap(),
		endpoint_commitment: H256::repeat_byte(7),
		metadata: vec![b'x'; metadata_len].try_into().unwrap(),
	}
}

/// Accounts 1..=3 hold 10_000; account 4 holds 500 (less than a bond).
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(1, 10_000), (2, 10_000), (3, 10_000), (4, 500)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_capsules::GenesisConfig::<Test> {
		offerings: vec![(offering().into_inner(), true)],
		aliases: vec![(offering().into_inner(), vec![b"claude-opus-4-8".to_vec()])],
		capsules: vec![],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test`, then checks the pallet's invariants.
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Capsules::do_try_state().expect("try_state holds after the test");
	});
}
