//! A test runtime: System, Balances (NXV), Assets (USDN = asset 1), Fees and the Reserve.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate as pallet_reserve;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
		AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use sp_runtime::{BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;
pub type Asset = NativeOrWithId<u32>;

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
	pub type Assets = pallet_assets;
	#[runtime::pallet_index(3)]
	pub type Fees = pallet_fees;
	#[runtime::pallet_index(4)]
	pub type Reserve = pallet_reserve;
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

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Freezer = ();
}

pub const USDN_ID: u32 = 1;
pub const TREASURY: AccountId = 99;

parameter_types! {
	pub const NativeAsset: Asset = NativeOrWithId::Native;
	pub const StableAsset: Asset = NativeOrWithId::WithId(USDN_ID);
	pub const MaxStep: Perbill = Perbill::from_percent(5);
	pub const ReservePalletId: PalletId = PalletId(*b"nxv/rsrv");
	pub const Treasury: AccountId = TREASURY;
	pub const TargetCoverage: Perbill = Perbill::from_percent(10);
}

impl pallet_fees::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = Asset;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type NativeUnit = ConstU128<1_000_000_000_000>;
	type ParamsOrigin = EnsureRoot<AccountId>;
	type PriceOrigin = EnsureRoot<AccountId>;
	type MaxStep = MaxStep;
	type ChangeCooldown = ConstU64<10>;
	type MaxPriceAge = ConstU64<1_000>;
	type FlowBucketLength = ConstU64<10>;
	type FlowHistory = ConstU32<6>;
	type CoverageBuckets = ConstU32<3>;
	type MaxParamsHistory = ConstU32<4>;
	type WeightInfo = ();
}

/// The reserve sweeps every `SWEEP` blocks and never below 1,000 pricing units.
pub const SWEEP: u64 = 5;
pub const MIN_RESERVE: u128 = 1_000;

impl pallet_reserve::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = Asset;
	type Assets = UnionOf<Balances, Assets, NativeFromLeft, Asset, AccountId>;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type Policy = Fees;
	type PalletId = ReservePalletId;
	type Treasury = Treasury;
	type ClaimOrigin = EnsureRoot<AccountId>;
	type TargetCoverage = TargetCoverage;
	type MinReserve = ConstU128<MIN_RESERVE>;
	type SweepPeriod = ConstU64<SWEEP>;
	type WeightInfo = ();
}

/// The reserve holds `usdn` of USDN and `nxv` NXV (plus the existential deposit); NXV is worth
/// 2 USDN; the treasury exists.
pub fn new_test_ext(usdn: Balance, nxv: Balance) -> sp_io::TestExternalities {
	let reserve = Reserve::account_id();
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(1, 1_000_000), (TREASURY, 10), (reserve, 10 + nxv)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_assets::GenesisConfig::<Test> {
		assets: vec![(USDN_ID, 1, true, 1)],
		accounts: if usdn > 0 { vec![(USDN_ID, reserve, usdn)] } else { vec![] },
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_fees::GenesisConfig::<Test> {
		params: None,
		nxv_price: Some(2_000_000),
		_config: Default::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_reserve::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on [`new_test_ext`], then checks the pallet's invariants.
pub fn build_and_execute(usdn: Balance, nxv: Balance, test: impl FnOnce()) {
	new_test_ext(usdn, nxv).execute_with(|| {
		test();
		Reserve::do_try_state().expect("try_state holds after the test");
	});
}
