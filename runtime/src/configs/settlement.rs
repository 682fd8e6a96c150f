//! Settlement: the stable payment asset, fee parameters, the reserve and metering. See
//! `docs/token-model.md` for the formulas and what each value means.
//!
//! Governance origins are OpenGov tracks (see [`crate::governance`]): fee parameters and the NXV
//! price on the fee-parameters track; reserve claims, gateway suspensions and dispute rulings on
//! the reserve/emergency track; gateway registration on the root track.

use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32},
};
use frame_system::{EnsureNever, EnsureRoot};
use nexus_primitives::traits::FeeDestinations;

use super::{
	accounts::{BuybackAccount, EscrowPalletId, ReservePalletId, TreasuryAccount},
	assets::{AssetKind, NativeAndAssets, NativeAsset, StableAsset, USDN},
	governance::{RootOrEmergency, RootOrFeeParameters},
};
use sp_runtime::Perbill;

use crate::{
	AccountId, Balance, Balances, BlockNumber, Capsules, Fees, Reserve, RewardPot, Runtime,
	RuntimeEvent, RuntimeHoldReason, Tiers, Timestamp, DAYS, HOURS, MILLI_NXV, MINUTES, NXV,
};

parameter_types! {
	/// Creating an asset is for governance only; the deposit is what a force-create holds.
	pub const AssetDeposit: Balance = 100 * NXV;
	/// Per holder of a non-sufficient asset (USDN is sufficient: its holders need no NXV).
	pub const AssetAccountDeposit: Balance = 10 * MILLI_NXV;
	pub const MetadataDepositBase: Balance = 10 * NXV;
	pub const MetadataDepositPerByte: Balance = 100 * MILLI_NXV;
	pub const ApprovalDeposit: Balance = 100 * MILLI_NXV;
}

impl pallet_assets::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = u32;
	type AssetIdParameter = codec::Compact<u32>;
	type ReserveData = ();
	type Currency = Balances;
	// Nobody creates assets by a signed call; governance force-creates them.
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = AssetDeposit;
	type AssetAccountDeposit = AssetAccountDeposit;
	type MetadataDepositBase = MetadataDepositBase;
	type MetadataDepositPerByte = MetadataDepositPerByte;
	type ApprovalDeposit = ApprovalDeposit;
	type StringLimit = ConstU32<50>;
	type Freezer = ();
	type Holder = ();
	type Extra = ();
	type CallbackHandle = ();
	type AssetIdAllocator = ();
	type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}

parameter_types! {
	/// No fee parameter moves by more than 5 points in one change.
	pub const MaxFeeStep: Perbill = Perbill::from_percent(5);
	/// Fee changes are at least a day apart.
	pub const FeeChangeCooldown: BlockNumber = DAYS;
	/// An NXV price is good for a day; then NXV payments stop until a fresh one is set.
	pub const MaxPriceAge: BlockNumber = DAYS;
	/// Flows are bucketed per day ...
	pub const FlowBucketLength: BlockNumber = DAYS;
}

impl pallet_fees::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = AssetKind;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type NativeUnit = ConstU128<NXV>;
	type ParamsOrigin = RootOrFeeParameters;
	type PriceOrigin = RootOrFeeParameters;
	type MaxStep = MaxFeeStep;
	type ChangeCooldown = FeeChangeCooldown;
	type MaxPriceAge = MaxPriceAge;
	type FlowBucketLength = FlowBucketLength;
	// ... kept for 90 days; the reserve's coverage looks at the last 30.
	type FlowHistory = ConstU32<90>;
	type CoverageBuckets = ConstU32<30>;
	/// The last 32 fee changes, for predicted against actual.
	type MaxParamsHistory = ConstU32<32>;
	type WeightInfo = pallet_fees::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// The reserve aims at 10% of the last 30 days' settled volume ...
	pub const TargetCoverage: Perbill = Perbill::from_percent(10);
	/// ... and never less than 10,000 USDN worth, whatever the volume.
	pub const MinReserve: u128 = 10_000 * USDN;
	/// Overflow goes to the treasury once a day.
	pub const SweepPeriod: BlockNumber = DAYS;
}

impl pallet_reserve::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = AssetKind;
	type Assets = NativeAndAssets;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type Policy = Fees;
	type PalletId = ReservePalletId;
	type Treasury = TreasuryAccount;
	type ClaimOrigin = RootOrEmergency;
	type TargetCoverage = TargetCoverage;
	type MinReserve = MinReserve;
	type SweepPeriod = SweepPeriod;
	type WeightInfo = pallet_reserve::weights::SubstrateWeight<Runtime>;
}

/// Where the protocol's legs go: the treasury, the buyback/rebates pot, the validator reward
/// pot (paid out to validators by era) and the reserve.
pub struct Destinations;
impl FeeDestinations<AccountId> for Destinations {
	fn treasury() -> AccountId {
		TreasuryAccount::get()
	}
	fn buyback() -> AccountId {
		BuybackAccount::get()
	}
	fn validators() -> AccountId {
		RewardPot::account_id()
	}
	fn reserve() -> AccountId {
		Reserve::account_id()
	}
}

/// Capsules for metering's benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct MeteringBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_metering::BenchmarkHelper<AccountId> for MeteringBenchmarkHelper {
	fn register_capsule(provider: &AccountId) -> u64 {
		use frame_support::traits::fungible::Mutate;
		use pallet_capsules::{CapsuleSpec, Lane, Price, QuotaWindow};
		let offering: pallet_capsules::OfferingIdOf<Runtime> =
			b"bench-offering".to_vec().try_into().unwrap_or_default();
		pallet_capsules::Offerings::<Runtime>::insert(&offering, true);
		let _ = Balances::mint_into(provider, 1_000 * NXV);
		let spec = CapsuleSpec {
			offering,
			lane: Lane::Standard,
			price: Price {
				per_1k_input: 3 * USDN,
				per_1k_output: 15 * USDN,
				per_1k_cache_read: 3 * USDN / 10,
				per_1k_cache_write: 15 * USDN / 4,
			},
			capacity: 1_000_000_000,
			window: QuotaWindow::Day,
			concurrency: 8,
			region: Default::default(),
			endpoint_commitment: Default::default(),
			metadata: Default::default(),
		};
		Capsules::do_register(provider.clone(), spec).unwrap_or_default()
	}
}

impl pallet_metering::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AssetKind = AssetKind;
	type Assets = NativeAndAssets;
	type NativeAsset = NativeAsset;
	type Currency = Balances;
	type Time = Timestamp;
	type Capsules = Capsules;
	type Tiers = Tiers;
	type Policy = Fees;
	type Destinations = Destinations;
	type Reserve = Reserve;
	/// Rebates tally seekers' spend; emissions count volume, seekers and providers.
	type Usage = (crate::Buyback, crate::Emissions);
	type PalletId = EscrowPalletId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type EmergencyOrigin = RootOrEmergency;
	type DisputeOrigin = RootOrEmergency;
	/// A gateway bonds 10,000 NXV: slashable for receipts it should not have posted.
	type MinGatewayBond = ConstU128<{ 10_000 * NXV }>;
	/// A session holds 1 NXV for its storage until released.
	type SessionDeposit = ConstU128<NXV>;
	/// A dispute holds 10 NXV: lost if the dispute is rejected.
	type DisputeDeposit = ConstU128<{ 10 * NXV }>;
	// A batch: up to 8,192 receipts (about 100 KB encoded) of up to 1,024 sessions on
	// up to 256 capsules; a session's group may be the whole batch.
	type MaxBatchReceipts = ConstU32<8_192>;
	type MaxBatchSessions = ConstU32<1_024>;
	type MaxGroupReceipts = ConstU32<8_192>;
	type MaxBatchCapsules = ConstU32<256>;
	type MaxSessionsPerSeeker = ConstU32<16>;
	type MaxSessionDuration = MaxSessionDuration;
	type SettlementGrace = SettlementGrace;
	/// Tier rate limits are per hour.
	type UsageWindow = UsageWindow;
	type ReceiptWindowMs = ReceiptWindowMs;
	type ClockSkewMs = ClockSkewMs;
	type DisputeWindowMs = ReceiptWindowMs;
	/// 90 days of usage history for replays under proposed fee parameters, each day at most
	/// 32 lines (two payment assets × the tier discounts in force that day).
	type UsageHistoryDays = ConstU32<90>;
	type MaxUsageLines = ConstU32<32>;
	type WeightInfo = pallet_metering::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MeteringBenchmarkHelper;
}

parameter_types! {
	/// A session runs at most 30 days.
	pub const MaxSessionDuration: BlockNumber = 30 * DAYS;
	/// Receipts in flight settle for 10 minutes after a close or an expiry.
	pub const SettlementGrace: BlockNumber = 10 * MINUTES;
	pub const UsageWindow: BlockNumber = HOURS;
	/// Receipts are accepted up to 6 hours after the request (a gateway outage of that long
	/// loses nothing), and charges are disputable for as long.
	pub const ReceiptWindowMs: u64 = 6 * 3_600_000;
	/// A gateway's clock may run 2 minutes ahead of the chain's.
	pub const ClockSkewMs: u64 = 120_000;
}
