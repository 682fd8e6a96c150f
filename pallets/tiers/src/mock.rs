//! A test runtime: System, Balances and Tiers, with a reputation source tests can set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::{self as pallet_tiers, TierParams};
use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU32, ConstU64},
};
use nexus_primitives::traits::ProviderReputation;
use sp_runtime::{BuildStorage, FixedU128, Permill};

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
	pub type Tiers = pallet_tiers;
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
	pub const MinStake: Balance = 10;
	pub const MaxCommitmentDiscount: Permill = Permill::from_percent(15);
	pub const ProviderStakeForFullBoost: Balance = 10_000;
	pub MaxStakeBoost: FixedU128 = FixedU128::from_rational(1, 2);
	pub NxvPayoutBonus: FixedU128 = FixedU128::from_rational(1, 10);
	pub MaxMultiplier: FixedU128 = FixedU128::from_rational(3, 2);
}

/// Unbonding delay of the mock, in blocks.
pub const UNBONDING: u64 = 10;

thread_local! {
	static REPUTATION: RefCell<(Permill, Permill)> = const { RefCell::new((Permill::zero(), Permill::zero())) };
}

/// A reputation source every provider shares, set by tests.
pub struct MockReputation;
impl MockReputation {
	pub fn set(trust: Permill, uptime: Permill) {
		REPUTATION.with(|r| *r.borrow_mut() = (trust, uptime));
	}
}
impl ProviderReputation<AccountId> for MockReputation {
	fn reputation(_: &AccountId) -> (Permill, Permill) {
		REPUTATION.with(|r| *r.borrow())
	}
}

impl pallet_tiers::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type Reputation = MockReputation;
	type UnbondingDelay = ConstU64<UNBONDING>;
	type MinStake = MinStake;
	type MaxTiers = ConstU32<5>;
	type MaxUnlockingChunks = ConstU32<3>;
	type MaxCommitmentDiscount = MaxCommitmentDiscount;
	type ProviderStakeForFullBoost = ProviderStakeForFullBoost;
	type MaxStakeBoost = MaxStakeBoost;
	type NxvPayoutBonus = NxvPayoutBonus;
	type MaxMultiplier = MaxMultiplier;
	type WeightInfo = ();
}

/// The tier table tests start from: thresholds 0 / 100 / 1_000 / 5_000.
pub fn default_tiers() -> Vec<TierParams<Balance>> {
	let t = |threshold, rate_limit, premium_lanes, failover_priority, discount| TierParams {
		threshold,
		rate_limit,
		premium_lanes,
		failover_priority,
		commitment_discount: Permill::from_percent(discount),
	};
	vec![
		t(0, 1_000, false, 0, 0),
		t(100, 5_000, false, 1, 2),
		t(1_000, 20_000, true, 2, 4),
		t(5_000, 100_000, true, 3, 7),
	]
}

/// Accounts 1..=4 start with 10_000 each; account 5 has 50.
pub struct ExtBuilder {
	tiers: Vec<TierParams<Balance>>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { tiers: default_tiers() }
	}
}

impl ExtBuilder {
	pub fn with_tiers(mut self, tiers: Vec<TierParams<Balance>>) -> Self {
		self.tiers = tiers;
		self
	}

	pub fn build(self) -> sp_io::TestExternalities {
		let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
		pallet_balances::GenesisConfig::<Test> {
			balances: vec![(1, 10_000), (2, 10_000), (3, 10_000), (4, 10_000), (5, 50)],
			..Default::default()
		}
		.assimilate_storage(&mut storage)
		.unwrap();
		pallet_tiers::GenesisConfig::<Test> { tiers: self.tiers }
			.assimilate_storage(&mut storage)
			.unwrap();
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			MockReputation::set(Permill::zero(), Permill::zero());
		});
		ext
	}

	/// Runs `test`, then checks the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Tiers::do_try_state().expect("try_state holds after the test");
		});
	}
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}
