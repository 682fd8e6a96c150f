//! The marketplace: the capsule registry (provider supply) and tiers (seeker commitment and
//! provider stake). See `docs/providers.md` and `docs/tiers.md` for what each value means to
//! users, and why it is what it is.
//!
//! The admin origin of both pallets is Root until governance (OpenGov tracks) takes over.

use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;

use super::governance::{RootOrEmergency, RootOrFeeParameters};
use sp_runtime::{FixedU128, Permill};

use crate::{
	AccountId, Balance, Balances, BlockNumber, Capsules, Runtime, RuntimeEvent, RuntimeHoldReason,
	DAYS, HOURS, MILLI_NXV, NXV,
};

parameter_types! {
	/// NXV held per capsule: enough that abandoning a badly served capsule costs more than a
	/// few days of a premium plan, small enough for a single provider to list several.
	pub const CapsuleBond: Balance = 500 * NXV;
	/// Storage deposit per metadata byte: 1 KiB of metadata holds about 10 NXV.
	pub const DepositPerByte: Balance = 10 * MILLI_NXV;
	/// A price change applies an hour after it is announced, so quotes stay honest that long.
	pub const PriceNoticeDelay: BlockNumber = HOURS;
	/// A retired capsule's bond stays slashable for a week: long enough for receipts in flight
	/// and reserve claims about its last sessions to arrive.
	pub const BondReleaseDelay: BlockNumber = 7 * DAYS;
	/// The newest session outcome moves trust by 5% of the distance to 1 (served) or 0.
	pub const TrustSmoothing: Permill = Permill::from_percent(5);
}

impl pallet_capsules::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// Curating offerings is a root-track decision.
	type AdminOrigin = EnsureRoot<AccountId>;
	/// Suspending a capsule is an emergency power.
	type SuspendOrigin = RootOrEmergency;
	type CapsuleBond = CapsuleBond;
	type DepositPerByte = DepositPerByte;
	type PriceNoticeDelay = PriceNoticeDelay;
	type BondReleaseDelay = BondReleaseDelay;
	type MaxCapsulesPerProvider = ConstU32<32>;
	type MaxOfferingLen = ConstU32<32>;
	/// Model ids per offering: an offering's model versions and their dated snapshots.
	type MaxAliasesPerOffering = ConstU32<16>;
	type MaxRegionLen = ConstU32<16>;
	type MaxMetadataLen = ConstU32<1024>;
	type TrustSmoothing = TrustSmoothing;
	type WeightInfo = pallet_capsules::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Unstaked NXV stays held for a week: a tier (and its discount) cannot be borrowed for a
	/// few blocks, and provider stake stays at risk while its last sessions can still be
	/// disputed.
	pub const UnbondingDelay: BlockNumber = 7 * DAYS;
	/// Smallest non-zero stake: keeps ledgers from being spammed with dust.
	pub const MinStake: Balance = 10 * NXV;
	/// No tier's commitment discount may exceed 15%.
	pub const MaxCommitmentDiscount: Permill = Permill::from_percent(15);
	/// Provider stake at which the stake boost is full.
	pub const ProviderStakeForFullBoost: Balance = 100_000 * NXV;
	/// Full stake with perfect trust and uptime adds 50% to a provider's rewards.
	pub MaxStakeBoost: FixedU128 = FixedU128::from_rational(1, 2);
	/// Taking payouts in NXV adds 10%.
	pub NxvPayoutBonus: FixedU128 = FixedU128::from_rational(1, 10);
	/// The multiplier never exceeds 1.6.
	pub MaxMultiplier: FixedU128 = FixedU128::from_rational(8, 5);
}

impl pallet_tiers::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	/// The tier table (stakes, limits, discounts) is a fee decision.
	type AdminOrigin = RootOrFeeParameters;
	/// Trust and uptime come from the capsule registry.
	type Reputation = Capsules;
	type UnbondingDelay = UnbondingDelay;
	type MinStake = MinStake;
	type MaxTiers = ConstU32<8>;
	type MaxUnlockingChunks = ConstU32<16>;
	type MaxCommitmentDiscount = MaxCommitmentDiscount;
	type ProviderStakeForFullBoost = ProviderStakeForFullBoost;
	type MaxStakeBoost = MaxStakeBoost;
	type NxvPayoutBonus = NxvPayoutBonus;
	type MaxMultiplier = MaxMultiplier;
	type WeightInfo = pallet_tiers::weights::SubstrateWeight<Runtime>;
}
