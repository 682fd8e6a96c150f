//! The traits pallets talk through, so that none depends on another's implementation.

use crate::settlement::{FeeParams, Legs};
use sp_runtime::{DispatchError, DispatchResult, Perbill, Permill};

/// Seekers' tiers, as settlement and the gateway see them (implemented by the tiers pallet).
pub trait TierProvider<AccountId> {
	/// The index of the seeker's tier (0 is the entry tier).
	fn tier_index(who: &AccountId) -> u8;
	/// The commitment discount the seeker's tier gives.
	fn commitment_discount(who: &AccountId) -> Permill;
	/// Metered units (input + output) the seeker's tier may use per usage window.
	fn usage_limit(who: &AccountId) -> u64;
	/// Whether the seeker's tier may use premium-lane capsules.
	fn premium_lanes(who: &AccountId) -> bool;
	/// What the tier at `index` of the table in force grants a seeker at settlement (`None`
	/// past the top tier): for pricing what-ifs by tier rather than by account.
	fn tier_terms(index: u8) -> Option<TierTerms>;
	/// Everything the seeker's tier grants at settlement, from one look-up of the seeker (a
	/// batch reads it once per seeker).
	fn seeker_terms(who: &AccountId) -> SeekerTerms {
		SeekerTerms {
			commitment_discount: Self::commitment_discount(who),
			usage_limit: Self::usage_limit(who),
			premium_lanes: Self::premium_lanes(who),
		}
	}
}

/// What a seeker's tier grants at settlement.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SeekerTerms {
	/// The commitment discount on the list price.
	pub commitment_discount: Permill,
	/// Metered units the seeker may use per usage window.
	pub usage_limit: u64,
	/// Whether premium-lane capsules serve the seeker.
	pub premium_lanes: bool,
}

/// What a tier changes at settlement.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TierTerms {
	/// The commitment discount on the list price.
	pub commitment_discount: Permill,
	/// Whether premium-lane capsules serve the tier.
	pub premium_lanes: bool,
}

/// What settlement needs to know about a capsule (implemented by the capsules pallet).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CapsuleTerms<AccountId> {
	/// The provider, who is paid.
	pub provider: AccountId,
	/// Prices in force per 1,000 units of each kind, in the pricing unit.
	pub prices: crate::settlement::UnitPrices,
	/// Whether the capsule is in a premium lane.
	pub premium: bool,
	/// Whether the capsule may be charged for now (effective status Active).
	pub active: bool,
}

/// The capsule registry, as settlement sees it.
pub trait CapsuleRegistry<AccountId> {
	/// The terms of `capsule` now, if it exists.
	fn terms(capsule: u64) -> Option<CapsuleTerms<AccountId>>;
}

/// Why an amount in the pricing unit cannot be expressed in a payment asset.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ConversionError {
	/// The asset is not a payment asset.
	UnsupportedAsset,
	/// No NXV price has been set.
	NoPrice,
	/// The NXV price is older than the staleness bound.
	StalePrice,
	/// The conversion overflowed.
	Overflow,
}

/// The governed side of settlement (implemented by the fees pallet): fee parameters, the
/// payment-asset discount, conversion from the pricing unit, and the flow ledger.
pub trait FeePolicy<Asset> {
	/// The fee parameters in force (always valid).
	fn params() -> FeeParams;
	/// The block the parameters in force were enacted at (0: in force since genesis): the
	/// fee regime settlement files usage under.
	fn params_since() -> u32 {
		0
	}
	/// Whether `asset` may pay for sessions.
	fn is_payment_asset(asset: &Asset) -> bool;
	/// The discount for paying in `asset` under the parameters in force.
	fn asset_discount(asset: &Asset) -> Perbill {
		Self::asset_discount_under(&Self::params(), asset)
	}
	/// The discount for paying in `asset` under `params` (the NXV discount for NXV, else zero).
	fn asset_discount_under(params: &FeeParams, asset: &Asset) -> Perbill;
	/// How the pricing unit converts into `asset` now: at par for the stable asset, at the NXV
	/// price for NXV (refused without a price or with a stale one).
	fn rate(asset: &Asset) -> Result<crate::settlement::Rate, ConversionError>;
	/// `pricing` units of the pricing unit, in `asset`, rounded up (the seeker pays).
	fn to_asset(asset: &Asset, pricing: u128) -> Result<u128, ConversionError> {
		Self::rate(asset)?.to_asset(pricing).ok_or(ConversionError::Overflow)
	}
	/// `amount` of `asset` in the pricing unit, rounded down, at the last price whatever its
	/// age (for coverage and slashes, never for charging).
	fn to_pricing(asset: &Asset, amount: u128) -> Option<u128>;
	/// `pricing` units in NXV at the last price whatever its age, rounded up (for slashes,
	/// which must not wait for a fresh price); `None` without a price.
	fn to_native(pricing: u128) -> Option<u128>;
	/// Books one batch's settled flows of `asset`: `receipts` settled, `volume` in the pricing
	/// unit (net, before conversion) and the legs in `asset`.
	fn note_settled(asset: &Asset, receipts: u32, volume: u128, legs: &Legs);
	/// Books a refund paid back to a seeker in `asset`.
	fn note_refund(asset: &Asset, amount: u128);
	/// Settled volume (pricing unit) over the trailing coverage window.
	fn trailing_volume() -> u128;
}

/// Where the protocol's legs go (the runtime names the accounts).
pub trait FeeDestinations<AccountId> {
	/// The treasury's account.
	fn treasury() -> AccountId;
	/// The buyback/rebates pot.
	fn buyback() -> AccountId;
	/// The validator reward pot.
	fn validators() -> AccountId;
	/// The reserve.
	fn reserve() -> AccountId;
}

/// The reserve, as settlement sees it (implemented by the reserve pallet).
pub trait ReserveFund<AccountId, Asset> {
	/// Pays `amount` of `asset` from the reserve to `to` in full, or fails (nothing moves) when
	/// the reserve does not hold that much: a refund is never partly paid and then forgotten.
	fn pay(asset: &Asset, to: &AccountId, amount: u128) -> DispatchResult;
}

/// Takes from a gateway's bond (implemented by the metering pallet).
pub trait GatewayBondSlash<AccountId> {
	/// Moves up to `amount` of gateway `gateway`'s bond to `dest`; returns what was moved.
	fn slash_gateway(gateway: u32, amount: u128, dest: &AccountId) -> Result<u128, DispatchError>;
}

/// Providers' trust and uptime (implemented by the capsules pallet): both in `[0, 1]`.
pub trait ProviderReputation<AccountId> {
	/// `(trust, uptime)` of the provider, aggregated over its capsules.
	fn reputation(who: &AccountId) -> (Permill, Permill);
}

/// No reputation source: every provider has zero trust and uptime.
impl<AccountId> ProviderReputation<AccountId> for () {
	fn reputation(_: &AccountId) -> (Permill, Permill) {
		(Permill::zero(), Permill::zero())
	}
}

/// How a metered session (or one receipt of it) ended, as the gateway reported it.
#[derive(
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum Outcome {
	/// The request was served and charged.
	Served,
	/// The upstream failed; nothing was charged.
	Failed,
	/// The provider rolled back what it served (a refund case).
	RolledBack,
}

/// What settlement tells the capsule registry (implemented by the capsules pallet, called by
/// the metering pallet).
pub trait CapsuleHealth<CapsuleId: Clone> {
	/// Folds one session outcome into the capsule's trust score.
	fn record_outcome(capsule: CapsuleId, outcome: Outcome) -> Result<(), &'static str>;
	/// Folds `outcomes`, oldest first, into the capsule's trust score (one write).
	fn record_outcomes(capsule: CapsuleId, outcomes: &[Outcome]) -> Result<(), &'static str> {
		outcomes.iter().try_for_each(|o| Self::record_outcome(capsule.clone(), *o))
	}
	/// Records a gateway health report: the share of probes the capsule answered.
	fn record_uptime(capsule: CapsuleId, uptime: Permill) -> Result<(), &'static str>;
}

/// Takes from a capsule's bond (implemented by the capsules pallet, called by the reserve: it
/// pays victims first, then refills from the provider's bond).
pub trait CapsuleBondSlash<AccountId, Balance> {
	/// Moves up to `amount` of the capsule's bond to `dest`; returns what was moved.
	fn slash_bond(
		capsule: u64,
		amount: Balance,
		dest: &AccountId,
	) -> Result<Balance, sp_runtime::DispatchError>;
}

/// Settled usage, as the programmes that reward real activity see it: the rebates of the
/// buyback/rebates pot (pro rata to seekers' spend) and milestone emissions (to providers by
/// served volume). Settlement calls [`UsageObserver::on_settled_batch`] once per batch, with
/// each seeker's and each provider's volume summed over the batch, so that a programme reads
/// and writes its own state once per batch and once per account; volumes are in the pricing
/// unit, net of discounts, whatever asset paid.
pub trait UsageObserver<AccountId> {
	/// A batch's settled usage: what each seeker was charged, and what each provider served
	/// (every account once; both lists sum to the batch's volume).
	fn on_settled_batch(seekers: &[(AccountId, u128)], providers: &[(AccountId, u128)]);
	/// `seeker` was charged `volume` for what `provider` served (a batch of one charge).
	fn on_settled(seeker: &AccountId, provider: &AccountId, volume: u128)
	where
		AccountId: Clone,
	{
		Self::on_settled_batch(&[(seeker.clone(), volume)], &[(provider.clone(), volume)]);
	}
	/// A charge of `volume` from `seeker` for `provider`'s service was refunded (rolled back or
	/// ruled against the provider): it no longer counts as settled usage.
	fn on_refunded(seeker: &AccountId, provider: &AccountId, volume: u128);
}

impl<AccountId> UsageObserver<AccountId> for () {
	fn on_settled_batch(_: &[(AccountId, u128)], _: &[(AccountId, u128)]) {}
	fn on_refunded(_: &AccountId, _: &AccountId, _: u128) {}
}

impl<AccountId, A: UsageObserver<AccountId>, B: UsageObserver<AccountId>> UsageObserver<AccountId>
	for (A, B)
{
	fn on_settled_batch(seekers: &[(AccountId, u128)], providers: &[(AccountId, u128)]) {
		A::on_settled_batch(seekers, providers);
		B::on_settled_batch(seekers, providers);
	}
	fn on_refunded(seeker: &AccountId, provider: &AccountId, volume: u128) {
		A::on_refunded(seeker, provider, volume);
		B::on_refunded(seeker, provider, volume);
	}
}

/// A provider's reward multiplier from stake, trust, uptime and the NXV-payout bonus
/// (implemented by the tiers pallet); `1` is no boost.
pub trait ProviderMultiplier<AccountId> {
	/// The multiplier in force for `who` now.
	fn multiplier(who: &AccountId) -> sp_runtime::FixedU128;
}

/// Every provider at `1`.
impl<AccountId> ProviderMultiplier<AccountId> for () {
	fn multiplier(_: &AccountId) -> sp_runtime::FixedU128 {
		sp_runtime::FixedU128::from_u32(1)
	}
}

/// The pool the buyback buys NXV from (implemented by the runtime over
/// `pallet-asset-conversion`'s stable/NXV pool).
pub trait StableForNative<AccountId> {
	/// The pool's reserves `(stable, native)`, if the pool exists.
	fn reserves() -> Option<(u128, u128)>;
	/// What `amount_in` of the stable asset buys against `reserves`, the pool's fee included.
	fn amount_out(amount_in: u128, reserves: (u128, u128)) -> Option<u128>;
	/// Swaps exactly `amount_in` of the stable asset from `who` for at least `min_out` NXV, paid
	/// to `who`; returns the NXV received.
	fn swap(who: &AccountId, amount_in: u128, min_out: u128) -> Result<u128, DispatchError>;
}
