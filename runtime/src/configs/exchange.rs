//! The NXV/USDN exchange: `pallet-asset-conversion` (a constant-product pool, Uniswap v2 style)
//! over NXV and the assets of `pallet-assets`, with liquidity-provider tokens in a second
//! `pallet-assets` instance (`PoolAssets`).
//!
//! The presets create the NXV/USDN pool from the community and liquidity bucket at the genesis
//! price (1 USDN per NXV). Anyone may add liquidity or swap; the buyback of the buyback/rebates
//! pot will swap here with a slippage bound. Swaps pay a 0.3% fee to the liquidity providers.

use frame_support::{
	parameter_types,
	traits::{AsEnsureOriginWithArg, ConstU128, ConstU32},
	PalletId,
};
use frame_system::{EnsureNever, EnsureRoot};
use pallet_asset_conversion::{AccountIdConverter, Ascending, Chain, WithFirstAsset};
use sp_runtime::Permill;

use super::{
	accounts::TreasuryAccount,
	assets::{AssetKind, NativeAndAssets},
};
use crate::{AccountId, Balance, Balances, Runtime, RuntimeEvent, MILLI_NXV, NXV};

/// The instance of `pallet-assets` that holds liquidity-provider tokens.
pub type PoolAssetsInstance = pallet_assets::Instance1;

parameter_types! {
	pub const AssetConversionPalletId: PalletId = PalletId(*b"py/ascon");
	pub const Native: AssetKind = AssetKind::Native;
	/// Swappers pay 0.3% of what they put in to the pool's liquidity providers.
	pub LiquidityProviderFee: Permill = Permill::from_rational(3u32, 1_000u32);
	/// Governance may set a pool's fee up to 10%.
	pub MaxSwapFee: Permill = Permill::from_percent(10);
	/// Withdrawing liquidity costs nothing.
	pub LiquidityWithdrawalFee: Permill = Permill::zero();
	/// Creating a pool costs 10 NXV, paid to the treasury.
	pub const PoolSetupFee: Balance = 10 * NXV;
	pub PoolSetupFeeTarget: AccountId = TreasuryAccount::get();
	/// Per holder of a liquidity-provider token.
	pub const PoolAssetAccountDeposit: Balance = 10 * MILLI_NXV;
}

/// A pool's account, derived from the pallet id and its pair.
pub type PoolIdToAccountId = AccountIdConverter<AssetConversionPalletId, (AssetKind, AssetKind)>;

/// Pools are NXV against an asset (NXV first), or two assets in ascending order.
pub type PoolLocator = Chain<
	WithFirstAsset<Native, AccountId, AssetKind, PoolIdToAccountId>,
	Ascending<AccountId, AssetKind, PoolIdToAccountId>,
>;

impl pallet_assets::Config<PoolAssetsInstance> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type RemoveItemsLimit = ConstU32<1_000>;
	type AssetId = u32;
	type AssetIdParameter = u32;
	type ReserveData = ();
	type Currency = Balances;
	/// Only the exchange creates liquidity-provider tokens (through `fungibles::Create`).
	type CreateOrigin = AsEnsureOriginWithArg<EnsureNever<AccountId>>;
	type ForceOrigin = EnsureRoot<AccountId>;
	type AssetDeposit = ConstU128<0>;
	type AssetAccountDeposit = PoolAssetAccountDeposit;
	type MetadataDepositBase = ConstU128<0>;
	type MetadataDepositPerByte = ConstU128<0>;
	type ApprovalDeposit = ConstU128<0>;
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

impl pallet_asset_conversion::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type HigherPrecisionBalance = sp_core::U256;
	type AssetKind = AssetKind;
	type Assets = NativeAndAssets;
	type PoolId = (AssetKind, AssetKind);
	type PoolLocator = PoolLocator;
	type PoolAssetId = u32;
	type PoolAssets = crate::PoolAssets;
	type LPFee = LiquidityProviderFee;
	/// Pools with a fee other than the default, and fee changes, are a root-track decision.
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxSwapFee = MaxSwapFee;
	type PoolSetupFee = PoolSetupFee;
	type PoolSetupFeeAsset = Native;
	type PoolSetupFeeTarget =
		frame_support::traits::tokens::imbalance::ResolveAssetTo<PoolSetupFeeTarget, Self::Assets>;
	type LiquidityWithdrawalFee = LiquidityWithdrawalFee;
	type MintMinLiquidity = ConstU128<100>;
	type MaxSwapPathLength = ConstU32<3>;
	type PalletId = AssetConversionPalletId;
	type WeightInfo = pallet_asset_conversion::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = pallet_asset_conversion::NativeOrWithIdFactory<u32>;
}
