//! NXV balances and transaction fees.
//!
//! ## Fees
//!
//! A transaction pays `base + weight_fee × multiplier + length_fee + tip`:
//! - [`WeightToFee`] prices compute so that the base weight of an extrinsic costs 1 milli-NXV (a
//!   plain transfer costs a few milli-NXV);
//! - [`TransactionByteFee`] prices block space at 1 micro-NXV per byte;
//! - the multiplier follows block fullness (`TargetedFeeAdjustment`): it rises while blocks are
//!   fuller than [`TargetBlockFullness`] and decays back towards [`MinimumMultiplier`] when they
//!   are not, so spam gets expensive and quiet chains stay cheap.
//!
//! Fees are never burned or minted: 80% goes to the validator reward pot, 20% and every tip to
//! the block author (see [`super::staking::DealWithFees`]).

use frame_support::{
	parameter_types,
	traits::{ConstU128, ConstU32, ConstU8, VariantCountOf},
	weights::{
		constants::ExtrinsicBaseWeight, WeightToFeeCoefficient, WeightToFeeCoefficients,
		WeightToFeePolynomial,
	},
};
use pallet_transaction_payment::{FungibleAdapter, Multiplier, TargetedFeeAdjustment};
use sp_runtime::{traits::Bounded, FixedPointNumber, Perbill, Perquintill};

use crate::{
	Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, System,
	EXISTENTIAL_DEPOSIT, MICRO_NXV, MILLI_NXV,
};

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	/// Dust left by reaped accounts goes to the treasury: NXV's supply falls only by buyback
	/// burns (see `pallet-buyback`'s supply invariant).
	type DustRemoval = frame_support::traits::tokens::imbalance::ResolveTo<
		super::accounts::TreasuryAccount,
		Balances,
	>;
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type ReserveIdentifier = [u8; 8];
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

/// Maps weight to a fee in planck: the base weight of one extrinsic costs 1 milli-NXV, and the
/// fee is linear in `ref_time` beyond it.
pub struct WeightToFee;
impl WeightToFeePolynomial for WeightToFee {
	type Balance = Balance;
	fn polynomial() -> WeightToFeeCoefficients<Self::Balance> {
		let p = MILLI_NXV;
		// The base weight is a non-zero constant (`integrity_test` checks it), so the checked
		// divisions never take their fallback.
		let q = Balance::from(ExtrinsicBaseWeight::get().ref_time());
		smallvec::smallvec![WeightToFeeCoefficient {
			degree: 1,
			negative: false,
			coeff_frac: Perbill::from_rational(p.checked_rem(q).unwrap_or_default(), q),
			coeff_integer: p.checked_div(q).unwrap_or_default(),
		}]
	}
}

parameter_types! {
	/// Fee per byte of an extrinsic's encoding.
	pub const TransactionByteFee: Balance = MICRO_NXV;
	/// The fullness the fee multiplier steers blocks towards.
	pub const TargetBlockFullness: Perquintill = Perquintill::from_percent(25);
	/// How fast the multiplier reacts to fullness (Polkadot's value).
	pub AdjustmentVariable: Multiplier = Multiplier::saturating_from_rational(75, 1_000_000);
	/// The multiplier never falls below 0.1.
	pub MinimumMultiplier: Multiplier = Multiplier::saturating_from_rational(1, 10u128);
	/// The multiplier is not capped above.
	pub MaximumMultiplier: Multiplier = Bounded::max_value();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are withdrawn in NXV and split between the reward pot and the author.
	type OnChargeTransaction = FungibleAdapter<Balances, super::staking::DealWithFees>;
	/// Operational extrinsics pay 5× the tip-less priority boost.
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = WeightToFee;
	type LengthToFee = frame_support::weights::ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = TargetedFeeAdjustment<
		Self,
		TargetBlockFullness,
		AdjustmentVariable,
		MinimumMultiplier,
		MaximumMultiplier,
	>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}
