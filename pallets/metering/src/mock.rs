//! A test runtime with the real neighbours of metering: Timestamp, Balances (NXV), Assets
//! (USDN = asset 1), Capsules, Tiers, Fees and the Reserve.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use crate::{self as pallet_metering};
use frame_support::{
	derive_impl, parameter_types,
	traits::{
		fungible::{NativeFromLeft, NativeOrWithId, UnionOf},
		AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, Hooks,
	},
	PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use nexus_primitives::traits::FeeDestinations;
use pallet_capsules::{GenesisCapsule, Lane, Price, QuotaWindow};
use pallet_tiers::TierParams;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{BuildStorage, FixedU128, Perbill, Permill};

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
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(3)]
	pub type Assets = pallet_assets;
	#[runtime::pallet_index(4)]
	pub type Capsules = pallet_capsules;
	#[runtime::pallet_index(5)]
	pub type Tiers = pallet_tiers;
	#[runtime::pallet_index(6)]
	pub type Fees = pallet_fees;
	#[runtime::pallet_index(7)]
	pub type Reserve = pallet_reserve;
	#[runtime::pallet_index(8)]
	pub type Metering = pallet_metering;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	// Real database weights: `on_idle`'s work is bounded by them.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = ();
	type MinimumPeriod = ConstU64<1>;
	type WeightInfo = ();
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type ExistentialDeposit = ConstU128<ED>;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
	type Balance = Balance;
	type Currency = Balances;
	type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type Freezer = ();
}

/// One NXV in planck.
pub const NXV: Balance = 1_000_000_000_000;
/// One USDN in its smallest unit (the pricing unit).
pub const USDN: Balance = 1_000_000;
pub const ED: Balance = 1_000;
pub const USDN_ID: u32 = 1;

pub const OPERATOR: AccountId = 1;
pub const PROVIDER: AccountId = 2;
pub const SEEKER: AccountId = 3;
/// A seeker staked into the top tier (premium lanes, 7% discount).
pub const GOLD: AccountId = 4;
pub const STRANGER: AccountId = 5;
pub const TREASURY: AccountId = 90;
pub const BUYBACK: AccountId = 91;
pub const VALIDATORS: AccountId = 92;

pub const BLOCK_MS: u64 = 6_000;
pub const GENESIS_MS: u64 = 1_700_000_000_000;
pub const GRACE: u64 = 5;
pub const MAX_DURATION: u64 = 1_000;
pub const USAGE_WINDOW: u64 = 100;
pub const RECEIPT_WINDOW_MS: u64 = 600_000;
pub const SKEW_MS: u64 = 30_000;
pub const DISPUTE_WINDOW_MS: u64 = 300_000;
pub const MAX_BATCH: u32 = 8;
pub const MAX_SESSIONS: u32 = 3;
/// Days of usage history kept, and lines a day files.
pub const USAGE_DAYS: u32 = 3;
pub const USAGE_LINES: u32 = 2;
pub const CAPSULE_BOND: Balance = 500 * NXV;
pub const GATEWAY_BOND: Balance = 1_000 * NXV;
pub const SESSION_DEPOSIT: Balance = NXV;
pub const DISPUTE_DEPOSIT: Balance = 10 * NXV;

parameter_types! {
	pub const TrustSmoothing: Permill = Permill::from_percent(10);
	pub const MaxCommitmentDiscount: Permill = Permill::from_percent(15);
	pub const ProviderStakeForFullBoost: Balance = 10_000 * NXV;
	pub MaxStakeBoost: FixedU128 = FixedU128::from_rational(1, 2);
	pub NxvPayoutBonus: FixedU128 = FixedU128::from_rational(1, 10);
	pub MaxMultiplier: FixedU128 = FixedU128::from_rational(3, 2);
	pub const NativeAsset: Asset = NativeOrWithId::Native;
	pub const StableAsset: Asset = NativeOrWithId::WithId(USDN_ID);
	pub const MaxStep: Perbill = Perbill::from_percent(5);
	// u64 accounts keep only 8 bytes ("modl" + 4): the ids differ in their first four.
	pub const ReservePalletId: PalletId = PalletId(*b"rsrv/nxv");
	pub const EscrowPalletId: PalletId = PalletId(*b"escr/nxv");
	pub const Treasury: AccountId = TREASURY;
	pub const TargetCoverage: Perbill = Perbill::from_percent(10);
}

impl pallet_capsules::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type SuspendOrigin = EnsureRoot<AccountId>;
	type CapsuleBond = ConstU128<CAPSULE_BOND>;
	type DepositPerByte = ConstU128<0>;
	type PriceNoticeDelay = ConstU64<5>;
	type BondReleaseDelay = ConstU64<20>;
	type MaxCapsulesPerProvider = ConstU32<4>;
	type MaxOfferingLen = ConstU32<32>;
	type MaxAliasesPerOffering = ConstU32<4>;
	type MaxRegionLen = ConstU32<16>;
	type MaxMetadataLen = ConstU32<64>;
	type TrustSmoothing = TrustSmoothing;
	type WeightInfo = ();
}

impl pallet_tiers::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Reputation = Capsules;
	type UnbondingDelay = ConstU64<10>;
	type MinStake = ConstU128<NXV>;
	type MaxTiers = ConstU32<5>;
	type MaxUnlockingChunks = ConstU32<3>;
	type MaxCommitmentDiscount = MaxCommitmentDiscount;
	type ProviderStakeForFullBoost = ProviderStakeForFullBoost;
	type MaxStakeBoost = MaxStakeBoost;
	type NxvPayoutBonus = NxvPayoutBonus;
	type MaxMultiplier = MaxMultiplier;
	type WeightInfo = ();
}

impl pallet_fees::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = Asset;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type NativeUnit = ConstU128<NXV>;
	type ParamsOrigin = EnsureRoot<AccountId>;
	type PriceOrigin = EnsureRoot<AccountId>;
	type MaxStep = MaxStep;
	type ChangeCooldown = ConstU64<10>;
	type MaxPriceAge = ConstU64<1_000>;
	type FlowBucketLength = ConstU64<100>;
	type FlowHistory = ConstU32<6>;
	type CoverageBuckets = ConstU32<3>;
	type MaxParamsHistory = ConstU32<4>;
	type WeightInfo = ();
}

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
	type MinReserve = ConstU128<{ 1_000 * USDN }>;
	type SweepPeriod = ConstU64<100>;
	type WeightInfo = ();
}

/// The legs' accounts of the mock.
pub struct Destinations;
impl FeeDestinations<AccountId> for Destinations {
	fn treasury() -> AccountId {
		TREASURY
	}
	fn buyback() -> AccountId {
		BUYBACK
	}
	fn validators() -> AccountId {
		VALIDATORS
	}
	fn reserve() -> AccountId {
		Reserve::account_id()
	}
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for BenchHelper {
	fn register_capsule(provider: &AccountId) -> u64 {
		use frame_support::traits::fungible::Mutate;
		Balances::set_balance(provider, 10_000 * NXV);
		Capsules::do_register(*provider, standard_spec()).unwrap()
	}
}

impl pallet_metering::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AssetKind = Asset;
	type Assets = UnionOf<Balances, Assets, NativeFromLeft, Asset, AccountId>;
	type NativeAsset = NativeAsset;
	type Currency = Balances;
	type Time = Timestamp;
	type Capsules = Capsules;
	type Tiers = Tiers;
	type Policy = Fees;
	type Destinations = Destinations;
	type Reserve = Reserve;
	type Usage = UsageLog;
	type PalletId = EscrowPalletId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type EmergencyOrigin = EnsureRoot<AccountId>;
	type DisputeOrigin = EnsureRoot<AccountId>;
	type MinGatewayBond = ConstU128<GATEWAY_BOND>;
	type SessionDeposit = ConstU128<SESSION_DEPOSIT>;
	type DisputeDeposit = ConstU128<DISPUTE_DEPOSIT>;
	type MaxBatchReceipts = ConstU32<MAX_BATCH>;
	type MaxBatchSessions = ConstU32<8>;
	type MaxGroupReceipts = ConstU32<MAX_BATCH>;
	type MaxBatchCapsules = ConstU32<4>;
	type MaxSessionsPerSeeker = ConstU32<MAX_SESSIONS>;
	type MaxSessionDuration = ConstU64<MAX_DURATION>;
	type SettlementGrace = ConstU64<GRACE>;
	type UsageWindow = ConstU64<USAGE_WINDOW>;
	type ReceiptWindowMs = ConstU64<RECEIPT_WINDOW_MS>;
	type ClockSkewMs = ConstU64<SKEW_MS>;
	type DisputeWindowMs = ConstU64<DISPUTE_WINDOW_MS>;
	type UsageHistoryDays = ConstU32<USAGE_DAYS>;
	type MaxUsageLines = ConstU32<USAGE_LINES>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchHelper;
}

pub fn usdn() -> Asset {
	NativeOrWithId::WithId(USDN_ID)
}
pub fn nxv() -> Asset {
	NativeOrWithId::Native
}

/// The gateway's signing key.
pub fn gateway_pair() -> sr25519::Pair {
	sr25519::Pair::from_seed(&[7u8; 32])
}

/// The mock capsules' prices: 3 / 15 USDN per 1,000 input / output units, 0.3 / 3.75 per
/// 1,000 cache-read / cache-write units (Anthropic's ratios).
pub const PRICE: Price<Balance> = Price {
	per_1k_input: 3 * USDN,
	per_1k_output: 15 * USDN,
	per_1k_cache_read: 3 * USDN / 10,
	per_1k_cache_write: 15 * USDN / 4,
};

/// A standard-lane spec at [`PRICE`].
pub fn standard_spec() -> pallet_capsules::SpecOf<Test> {
	pallet_capsules::CapsuleSpec {
		offering: b"claude-opus".to_vec().try_into().unwrap(),
		lane: Lane::Standard,
		price: PRICE,
		capacity: 1_000_000_000,
		window: QuotaWindow::Day,
		concurrency: 8,
		region: b"eu".to_vec().try_into().unwrap(),
		endpoint_commitment: H256::repeat_byte(1),
		metadata: Default::default(),
	}
}

/// Capsule 0: standard lane at [`PRICE`]; capsule 1: premium lane, same price.
pub const STANDARD: u64 = 0;
pub const PREMIUM: u64 = 1;

fn genesis_capsule(lane: Lane) -> GenesisCapsule<AccountId, Balance> {
	GenesisCapsule {
		owner: PROVIDER,
		offering: b"claude-opus".to_vec(),
		lane,
		price: PRICE,
		capacity: 1_000_000_000,
		window: QuotaWindow::Day,
		concurrency: 8,
		region: b"eu".to_vec(),
		endpoint_commitment: H256::repeat_byte(1),
		metadata: vec![],
	}
}

/// Tiers: Basic (0 NXV, 100k units per window, no premium), Gold (1,000 NXV, 1M units,
/// premium, 7%).
pub fn tiers() -> Vec<TierParams<Balance>> {
	vec![
		TierParams {
			threshold: 0,
			rate_limit: 100_000,
			premium_lanes: false,
			failover_priority: 0,
			commitment_discount: Permill::zero(),
		},
		TierParams {
			threshold: 1_000 * NXV,
			rate_limit: 1_000_000,
			premium_lanes: true,
			failover_priority: 1,
			commitment_discount: Permill::from_percent(7),
		},
	]
}

pub fn new_test_ext() -> sp_io::TestExternalities {
	let escrow = Metering::account_id();
	let reserve = Reserve::account_id();
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	let rich = 1_000_000 * NXV;
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(OPERATOR, rich),
			(PROVIDER, rich),
			(SEEKER, rich),
			(GOLD, rich),
			(STRANGER, rich),
			(TREASURY, ED),
			(BUYBACK, ED),
			(VALIDATORS, ED),
			(escrow, ED),
			(reserve, ED + 1_000 * NXV),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_assets::GenesisConfig::<Test> {
		assets: vec![(USDN_ID, OPERATOR, true, 1)],
		accounts: vec![
			(USDN_ID, SEEKER, 1_000_000 * USDN),
			(USDN_ID, GOLD, 1_000_000 * USDN),
			(USDN_ID, escrow, 1),
			(USDN_ID, reserve, 10_000 * USDN),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_capsules::GenesisConfig::<Test> {
		offerings: vec![(b"claude-opus".to_vec(), true)],
		aliases: vec![],
		capsules: vec![genesis_capsule(Lane::Standard), genesis_capsule(Lane::Premium)],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_tiers::GenesisConfig::<Test> { tiers: tiers() }
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_fees::GenesisConfig::<Test> {
		params: None,
		nxv_price: Some(2 * USDN),
		_config: Default::default(),
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_reserve::GenesisConfig::<Test>::default()
		.assimilate_storage(&mut storage)
		.unwrap();
	pallet_metering::GenesisConfig::<Test> {
		gateways: vec![(OPERATOR, gateway_pair().public().0, GATEWAY_BOND)],
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| {
		run_to(1);
		Tiers::stake(RuntimeOrigin::signed(GOLD), 1_000 * NXV).unwrap();
	});
	ext
}

/// Moves to block `n` (chain time advances 6 s per block) and runs `on_idle` with room.
pub fn run_to(n: u64) {
	System::set_block_number(n);
	Timestamp::set_timestamp(GENESIS_MS + n * BLOCK_MS);
}

/// Moves to block `n` and runs `on_idle` with a full block's room.
pub fn run_to_with_idle(n: u64) {
	run_to(n);
	Metering::on_idle(n, frame_support::weights::Weight::MAX);
}

/// Chain time now.
pub fn now_ms() -> u64 {
	Timestamp::get()
}

/// Runs `test`, then checks metering's invariants (the neighbours' `try_state` run in their
/// own crates' tests and in the runtime's).
pub fn build_and_execute(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Metering::do_try_state().expect("metering try_state holds after the test");
	});
}

thread_local! {
	static USAGE: core::cell::RefCell<Vec<Usage>> =
		const { core::cell::RefCell::new(Vec::new()) };
}

/// What settlement told the usage programmes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Usage {
	/// A batch: each seeker's and each provider's volume.
	Settled(Vec<(AccountId, u128)>, Vec<(AccountId, u128)>),
	/// A refund: seeker, provider, volume.
	Refunded(AccountId, AccountId, u128),
}

/// Records what settlement tells the usage programmes.
pub struct UsageLog;
impl UsageLog {
	/// Everything recorded so far.
	pub fn take() -> Vec<Usage> {
		USAGE.with(|u| core::mem::take(&mut *u.borrow_mut()))
	}
}
impl nexus_primitives::traits::UsageObserver<AccountId> for UsageLog {
	fn on_settled_batch(seekers: &[(AccountId, u128)], providers: &[(AccountId, u128)]) {
		USAGE.with(|u| u.borrow_mut().push(Usage::Settled(seekers.to_vec(), providers.to_vec())));
	}
	fn on_refunded(seeker: &AccountId, provider: &AccountId, volume: u128) {
		USAGE.with(|u| u.borrow_mut().push(Usage::Refunded(*seeker, *provider, volume)));
	}
}
