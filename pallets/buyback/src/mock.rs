//! A test runtime: System, Balances (NXV), Assets (USDN = asset 1) and the pot, with a
//! constant-product stable/NXV pool whose reserves are real balances of [`POOL`].

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate as pallet_buyback;
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
		fungibles::{Inspect, Mutate},
		tokens::Preservation,
		AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use nexus_primitives::traits::StableForNative;
use sp_runtime::{BuildStorage, DispatchError, Permill};

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
	pub type Buyback = pallet_buyback;
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
/// The pool's account.
pub const POOL: AccountId = 77;
/// Blocks per epoch.
pub const EPOCH: u64 = 10;
/// Seekers visited per block while closing.
pub const PER_BLOCK: u32 = 2;

pub type NativeAndAssets = UnionOf<Balances, Assets, NativeFromLeft, Asset, AccountId>;

parameter_types! {
	pub const NativeAsset: Asset = NativeOrWithId::Native;
	pub const StableAsset: Asset = NativeOrWithId::WithId(USDN_ID);
	pub const BuybackPalletId: PalletId = PalletId(*b"nxv/bbck");
	pub const MaxSlippage: Permill = Permill::from_percent(5);
}

/// A constant-product pool with a 0.3% fee over [`POOL`]'s balances.
pub struct Pool;
impl StableForNative<AccountId> for Pool {
	fn reserves() -> Option<(u128, u128)> {
		let s = NativeAndAssets::balance(StableAsset::get(), &POOL);
		let n = NativeAndAssets::balance(NativeAsset::get(), &POOL);
		(s > 0 && n > 0).then_some((s, n))
	}
	fn amount_out(amount_in: u128, (rs, rn): (u128, u128)) -> Option<u128> {
		let in_fee = amount_in.checked_mul(997)?;
		in_fee.checked_mul(rn)?.checked_div(rs.checked_mul(1000)?.checked_add(in_fee)?)
	}
	fn swap(who: &AccountId, amount_in: u128, min_out: u128) -> Result<u128, DispatchError> {
		let out =
			Self::amount_out(amount_in, Self::reserves().ok_or("no pool")?).ok_or("overflow")?;
		frame_support::ensure!(out >= min_out, "slippage");
		NativeAndAssets::transfer(
			StableAsset::get(),
			who,
			&POOL,
			amount_in,
			Preservation::Preserve,
		)?;
		NativeAndAssets::transfer(NativeAsset::get(), &POOL, who, out, Preservation::Preserve)?;
		Ok(out)
	}
}

impl pallet_buyback::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = Asset;
	type Assets = NativeAndAssets;
	type Currency = Balances;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type Exchange = Pool;
	type PalletId = BuybackPalletId;
	type ProgrammeOrigin = EnsureRoot<AccountId>;
	type MaxSlippage = MaxSlippage;
	type MinEpochLength = ConstU64<5>;
	type MaxEpochLength = ConstU64<1_000>;
	type MaxSeekersPerEpoch = ConstU32<4>;
	type FinalizePerBlock = ConstU32<PER_BLOCK>;
	type IssuanceOutstanding = ConstU128<0>;
	type WeightInfo = ();
}

/// The pot holds the existential deposit of NXV and 1 USDN unit (its minimum); the pool holds
/// `pool` of each asset; seekers 1..=6 exist.
pub fn new_test_ext(pool: (Balance, Balance)) -> sp_io::TestExternalities {
	let pot = Buyback::account_id();
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let mut balances: Vec<(AccountId, Balance)> = (1..=6).map(|a| (a, 1_000)).collect();
	balances.push((pot, 10));
	if pool.1 > 0 {
		balances.push((POOL, pool.1));
	}
	pallet_balances::GenesisConfig::<Test> { balances, ..Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut accounts = vec![(USDN_ID, pot, 1)];
	if pool.0 > 0 {
		accounts.push((USDN_ID, POOL, pool.0));
	}
	pallet_assets::GenesisConfig::<Test> {
		assets: vec![(USDN_ID, 1, true, 1)],
		accounts,
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_buyback::GenesisConfig::<Test> { epoch_length: EPOCH, programme: Default::default() }
		.assimilate_storage(&mut storage)
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` on [`new_test_ext`], then checks the pallet's invariants.
pub fn build_and_execute(pool: (Balance, Balance), test: impl FnOnce()) {
	new_test_ext(pool).execute_with(|| {
		test();
		Buyback::do_try_state().expect("try_state holds after the test");
	});
}

/// Pays `native` NXV and `stable` USDN into the pot, as settlement's fee legs would.
pub fn fund_pot(native: Balance, stable: Balance) {
	let pot = Buyback::account_id();
	if native > 0 {
		NativeAndAssets::mint_into(NativeAsset::get(), &pot, native).unwrap();
		// Minting raises issuance; the test chain treats it as if it had been at genesis.
		crate::InitialIssuance::<Test>::mutate(|i| *i += native);
	}
	if stable > 0 {
		NativeAndAssets::mint_into(StableAsset::get(), &pot, stable).unwrap();
	}
}

/// Runs blocks up to `n`, with the pallet's hook at each.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Buyback::on_initialize(next);
	}
}
