//! Incentives tied to real usage: the buyback/rebates pot and milestone emissions. See
//! `docs/token-model.md` for the economics and `docs/governance.md` for who may change what.
//!
//! - The pot (`pallet-buyback`) receives the buyback/rebates leg of every fee. Each epoch (a week
//!   on live chains, an hour in the development preset) it pays usage rebates to seekers pro rata
//!   to their settled spend, or — if the fee-parameters track chose so — swaps its USDN for NXV on
//!   the NXV/USDN pool within a slippage bound and burns all its NXV.
//! - Emissions (`pallet-emissions`) hold the 300M NXV allocation and release milestone tranches to
//!   providers by served volume × their multiplier, vesting over a year.

use frame_support::{parameter_types, traits::ConstU32};
use nexus_primitives::traits::StableForNative;
use sp_runtime::{DispatchError, Permill};

use super::{
	accounts::{BuybackPalletId, EmissionsPalletId},
	assets::{AssetKind, NativeAndAssets, NativeAsset, StableAsset},
	governance::RootOrFeeParameters,
};
use crate::{
	AccountId, AssetConversion, Balances, BlockNumber, Runtime, RuntimeEvent, DAYS, MINUTES,
};

parameter_types! {
	/// A buyback may fall at most 5% short of the pool's spot price (fee and impact included).
	pub const MaxBuybackSlippage: Permill = Permill::from_percent(5);
	pub const MinEpochLength: BlockNumber = 10 * MINUTES;
	pub const MaxEpochLength: BlockNumber = 28 * DAYS;
}

/// The NXV/USDN pool of `pallet-asset-conversion`, as the buyback sees it.
pub struct NxvUsdnPool;
impl StableForNative<AccountId> for NxvUsdnPool {
	fn reserves() -> Option<(u128, u128)> {
		AssetConversion::get_reserves(StableAsset::get(), NativeAsset::get()).ok()
	}
	fn amount_out(amount_in: u128, (stable, native): (u128, u128)) -> Option<u128> {
		let fee = AssetConversion::pool_fee(&(NativeAsset::get(), StableAsset::get()));
		AssetConversion::get_amount_out(fee, &amount_in, &stable, &native).ok()
	}
	fn swap(who: &AccountId, amount_in: u128, min_out: u128) -> Result<u128, DispatchError> {
		<AssetConversion as pallet_asset_conversion::Swap<AccountId>>::swap_exact_tokens_for_tokens(
			who.clone(),
			alloc::vec![StableAsset::get(), NativeAsset::get()],
			amount_in,
			Some(min_out),
			who.clone(),
			true,
		)
	}
}

impl pallet_buyback::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AssetKind = AssetKind;
	type Assets = NativeAndAssets;
	type Currency = Balances;
	type NativeAsset = NativeAsset;
	type StableAsset = StableAsset;
	type Exchange = NxvUsdnPool;
	type PalletId = BuybackPalletId;
	type ProgrammeOrigin = RootOrFeeParameters;
	type MaxSlippage = MaxBuybackSlippage;
	type MinEpochLength = MinEpochLength;
	type MaxEpochLength = MaxEpochLength;
	/// Up to 50,000 seekers share an epoch's rebates ...
	type MaxSeekersPerEpoch = ConstU32<50_000>;
	/// ... visited 256 a block (about 200 blocks for a full epoch).
	type FinalizePerBlock = ConstU32<256>;
	/// Era rewards burned from the reward pot and not yet minted back to stakers.
	type IssuanceOutstanding = pallet_reward_pot::Outstanding<Runtime>;
	type WeightInfo = pallet_buyback::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Every tranche share vests linearly over a year.
	pub const EmissionsVestingPeriod: BlockNumber = 365 * DAYS;
}

impl pallet_emissions::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type Vesting = crate::Vesting;
	type Multiplier = crate::Tiers;
	type PalletId = EmissionsPalletId;
	type MilestoneOrigin = RootOrFeeParameters;
	type MaxMilestones = ConstU32<64>;
	/// 32 providers vested a block (a transfer and a vesting schedule each).
	type DistributePerBlock = ConstU32<32>;
	type VestingPeriod = EmissionsVestingPeriod;
	type WeightInfo = pallet_emissions::weights::SubstrateWeight<Runtime>;
}
