//! The treasury, vesting, and the operator tools proxy and multisig.
//!
//! - **Treasury**: its own pot (the ecosystem allocation from genesis plus slashed stake), a spend
//!   period of a day, burn 0% (unspent value stays with the network). Spends are approved on
//!   OpenGov's treasurer track (up to 10M NXV each) or the root track (unbounded).
//! - **Vesting**: the team and investor allocations vest linearly after a cliff (the presets set
//!   the schedules); vesting NXV can be staked but not transferred.
//! - **Proxy** and **multisig**: validators and providers operate from hot keys that cannot move
//!   the stash's funds, and teams share accounts. Both take deposits for their storage.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	parameter_types,
	traits::{
		tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
		ConstU32, EitherOf, EitherOfDiverse, InstanceFilter, WithdrawReasons,
	},
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{BlakeTwo256, ConvertInto, IdentityLookup},
	Permill,
};

use super::accounts::{TreasuryAccount, TreasuryPalletId};
use crate::{
	AccountId, Balance, Balances, Runtime, RuntimeCall, RuntimeEvent, System, DAYS, MILLI_NXV, NXV,
};

parameter_types! {
	/// Approved spends are paid once a day.
	pub const SpendPeriod: crate::BlockNumber = DAYS;
	/// Nothing is burned at the end of a spend period.
	pub const Burn: Permill = Permill::zero();
	/// A spend can be claimed for 30 days.
	pub const PayoutPeriod: crate::BlockNumber = 30 * DAYS;
	/// Root may approve any amount.
	pub const MaxSpend: Balance = Balance::MAX;
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = EitherOfDiverse<EnsureRoot<AccountId>, crate::governance::Treasurer>;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	type Burn = Burn;
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = ConstU32<100>;
	type SpendOrigin =
		EitherOf<EnsureRootWithSuccess<AccountId, MaxSpend>, crate::governance::Spender>;
	/// Only NXV for now; the stable asset comes with settlement.
	type AssetKind = ();
	type Beneficiary = AccountId;
	type BeneficiaryLookup = IdentityLookup<AccountId>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	type BlockNumberProvider = System;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TreasuryBenchmarkHelper;
}

/// Arguments for the treasury's spend benchmarks: the native asset and a derived beneficiary.
#[cfg(feature = "runtime-benchmarks")]
pub struct TreasuryBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_treasury::ArgumentsFactory<(), AccountId> for TreasuryBenchmarkHelper {
	fn create_asset_kind(_seed: u32) {}
	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		AccountId::from(seed)
	}
}

parameter_types! {
	/// A vested transfer moves at least 100 NXV (each schedule costs storage).
	pub const MinVestedTransfer: Balance = 100 * NXV;
	/// Vesting NXV may pay fees and be staked, not transferred or reserved.
	pub UnvestedFundsAllowedWithdrawReasons: WithdrawReasons =
		WithdrawReasons::except(WithdrawReasons::TRANSFER | WithdrawReasons::RESERVE);
}

impl pallet_vesting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type BlockNumberToBalance = ConvertInto;
	type MinVestedTransfer = MinVestedTransfer;
	type WeightInfo = pallet_vesting::weights::SubstrateWeight<Runtime>;
	type UnvestedFundsAllowedWithdrawReasons = UnvestedFundsAllowedWithdrawReasons;
	type BlockNumberProvider = System;
	const MAX_VESTING_SCHEDULES: u32 = 28;
}

parameter_types! {
	/// Deposit for a proxy list: about its storage (8 + 33 bytes) at 10 milli-NXV per byte.
	pub const ProxyDepositBase: Balance = 410 * MILLI_NXV;
	/// Deposit per proxy in the list (33 bytes).
	pub const ProxyDepositFactor: Balance = 330 * MILLI_NXV;
	/// Deposit for an announcement list.
	pub const AnnouncementDepositBase: Balance = 410 * MILLI_NXV;
	/// Deposit per announcement (68 bytes).
	pub const AnnouncementDepositFactor: Balance = 680 * MILLI_NXV;
	/// Deposit for a pending multisig operation.
	pub const DepositBase: Balance = 880 * MILLI_NXV;
	/// Deposit per signatory of a pending multisig operation.
	pub const DepositFactor: Balance = 320 * MILLI_NXV;
}

/// What a proxy may do for the account it acts for.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Encode,
	Decode,
	DecodeWithMemTracking,
	Debug,
	MaxEncodedLen,
	TypeInfo,
	Default,
)]
pub enum ProxyType {
	/// Everything.
	#[default]
	Any,
	/// Everything except moving NXV (transfers, vested transfers).
	NonTransfer,
	/// Staking, session keys and batches of them: a validator's or nominator's hot key.
	Staking,
	/// Capsule management and provider stake: a provider's operations key.
	Provider,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, c: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::NonTransfer => !matches!(
				c,
				RuntimeCall::Balances(..) |
					RuntimeCall::Vesting(pallet_vesting::Call::vested_transfer { .. })
			),
			ProxyType::Staking => matches!(
				c,
				RuntimeCall::Staking(..) | RuntimeCall::Session(..) | RuntimeCall::Utility(..)
			),
			ProxyType::Provider => matches!(
				c,
				RuntimeCall::Capsules(..) |
					RuntimeCall::Utility(..) |
					RuntimeCall::Tiers(
						pallet_tiers::Call::provider_stake { .. } |
							pallet_tiers::Call::provider_unstake { .. } |
							pallet_tiers::Call::provider_rebond { .. } |
							pallet_tiers::Call::provider_withdraw_unbonded { .. } |
							pallet_tiers::Call::set_nxv_payouts { .. }
					)
			),
		}
	}

	fn is_superset(&self, o: &Self) -> bool {
		match (self, o) {
			(x, y) if x == y => true,
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::NonTransfer, _) => true,
			_ => false,
		}
	}
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = ConstU32<32>;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = ConstU32<32>;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = DepositBase;
	type DepositFactor = DepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	type BlockNumberProvider = System;
}
