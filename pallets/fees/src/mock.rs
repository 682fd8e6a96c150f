//! A test runtime: System and Fees. Asset 0 is NXV, asset 1 the stable asset.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate as pallet_fees;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

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
	pub type Fees = pallet_fees;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

pub const NXV: u32 = 0;
pub const USDN: u32 = 1;
/// Planck per NXV in the mock (as on chain).
pub const UNIT: u128 = 1_000_000_000_000;
pub const COOLDOWN: u64 = 10;
pub const PRICE_AGE: u64 = 20;
pub const BUCKET: u64 = 10;
pub const HISTORY: u32 = 6;
pub const COVERAGE: u32 = 3;

parameter_types! {
	pub const Native: u32 = NXV;
	pub const Stable: u32 = USDN;
	pub const MaxStep: Perbill = Perbill::from_percent(5);
}

impl pallet_fees::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = u32;
	type NativeAsset = Native;
	type StableAsset = Stable;
	type NativeUnit = ConstU128<UNIT>;
	type ParamsOrigin = frame_system::EnsureRoot<u64>;
	type PriceOrigin = frame_system::EnsureRoot<u64>;
	type MaxStep = MaxStep;
	type ChangeCooldown = ConstU64<COOLDOWN>;
	type MaxPriceAge = ConstU64<PRICE_AGE>;
	type FlowBucketLength = ConstU64<BUCKET>;
	type FlowHistory = ConstU32<HISTORY>;
	type CoverageBuckets = ConstU32<COVERAGE>;
	type MaxParamsHistory = ConstU32<3>;
	type WeightInfo = ();
}

/// Default parameters, NXV at 2 USDN (2,000,000 pricing units), block 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_fees::GenesisConfig::<Test> {
		params: None,
		nxv_price: Some(2_000_000),
		_config: Default::default(),
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
		Fees::do_try_state().expect("try_state holds after the test");
	});
}
