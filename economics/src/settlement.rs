//! The settlement maths of one receipt (docs/token-model.md, "The formula"), as pure functions:
//! settlement, the `quote` runtime API and the dashboard's simulator all call these, so they agree
//! to the planck.
//!
//! ```text
//! list   = Σ units_k × price_k / 1000 over input, output, cache read, cache write  (pricing unit)
//! disc   = min(asset_discount + tier_discount, max_discount)
//! net    = list − list × disc, then × the asset's rate                   (what the seeker pays)
//! take   = net × take_rate
//! legs   = take split by the shares: treasury, buyback, validators; the reserve gets the rest
//! to_provider = net − take                                                   (> 50% of net)
//! ```
//!
//! Rounding never creates or destroys value: `list` rounds **up** once over all four kinds (a
//! seeker never pays less than the list price for what was served, and a provider is never
//! owed a fraction), the discount and the take round **down**, each share of the take rounds
//! down and the reserve leg takes the remainder, so the legs sum to `net` exactly.

use crate::units::Units;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_arithmetic::{traits::Saturating, Perbill};

/// Hard bounds no governance decision can cross.
pub mod bounds {
	use sp_arithmetic::Perbill;

	/// The take rate never exceeds 30%.
	pub const MAX_TAKE_RATE: Perbill = Perbill::from_percent(30);
	/// The combined discount never exceeds 30%.
	pub const MAX_COMBINED_DISCOUNT: Perbill = Perbill::from_percent(30);
}

/// The governance-set fee parameters.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct FeeParams {
	/// Share of `net` taken by the protocol.
	pub take_rate: Perbill,
	/// Share of the take for the treasury.
	pub treasury_share: Perbill,
	/// Share of the take for buyback/rebates.
	pub buyback_share: Perbill,
	/// Share of the take for the validator reward pot.
	pub validators_share: Perbill,
	/// Share of the take for the reserve (it also receives the rounding dust).
	pub reserve_share: Perbill,
	/// Discount for paying in NXV.
	pub nxv_discount: Perbill,
	/// Cap on the combined (asset + tier) discount.
	pub max_discount: Perbill,
}

impl FeeParams {
	/// The starting defaults (docs/token-model.md, "Parameters, defaults and bounds"): take 15%,
	/// split 35 / 25 / 10 / 30 (treasury, buyback, validators, reserve), NXV discount 10%,
	/// combined discount at most 20%.
	pub const fn defaults() -> Self {
		Self {
			take_rate: Perbill::from_percent(15),
			treasury_share: Perbill::from_percent(35),
			buyback_share: Perbill::from_percent(25),
			validators_share: Perbill::from_percent(10),
			reserve_share: Perbill::from_percent(30),
			nxv_discount: Perbill::from_percent(10),
			max_discount: Perbill::from_percent(20),
		}
	}

	/// Checks the hard bounds: the shares sum to exactly 100%, the take rate is at most
	/// [`bounds::MAX_TAKE_RATE`] (so providers keep more than half of `net`), and the maximum
	/// discount is at most [`bounds::MAX_COMBINED_DISCOUNT`].
	pub fn validate(&self) -> Result<(), ParamsError> {
		let sum =
			[self.treasury_share, self.buyback_share, self.validators_share, self.reserve_share]
				.iter()
				.fold(0u64, |acc, s| acc.saturating_add(u64::from(s.deconstruct())));
		if sum != u64::from(Perbill::one().deconstruct()) {
			return Err(ParamsError::SharesDoNotSumToOne);
		}
		if self.take_rate > bounds::MAX_TAKE_RATE {
			return Err(ParamsError::TakeRateTooHigh);
		}
		if self.max_discount > bounds::MAX_COMBINED_DISCOUNT {
			return Err(ParamsError::DiscountCapTooHigh);
		}
		if self.nxv_discount > self.max_discount {
			return Err(ParamsError::AssetDiscountAboveCap);
		}
		Ok(())
	}
}

/// Why fee parameters are invalid.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum ParamsError {
	/// Treasury, buyback, validators and reserve shares do not sum to 100%.
	SharesDoNotSumToOne,
	/// The take rate is above the hard cap.
	TakeRateTooHigh,
	/// The discount cap is above the hard cap.
	DiscountCapTooHigh,
	/// The NXV discount alone exceeds the discount cap.
	AssetDiscountAboveCap,
}

/// Why a price cannot be computed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PriceError {
	/// Units × price overflowed `u128`.
	Overflow,
	/// The conversion into the payment asset overflowed.
	Conversion,
}

/// A capsule's prices in the pricing unit per 1,000 units of each kind.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct UnitPrices {
	/// Per 1,000 plain input units.
	pub input: u128,
	/// Per 1,000 output units.
	pub output: u128,
	/// Per 1,000 input units read from the prompt cache.
	pub cache_read: u128,
	/// Per 1,000 input units written to the prompt cache.
	pub cache_write: u128,
}

/// The list price of `units` at `prices`: `ceil(Σ units × price / 1000)` over the four kinds,
/// rounded up once (never per kind, so splitting a request's units across kinds never adds a
/// unit of price).
pub fn list_price_of(units: &Units, prices: &UnitPrices) -> Result<u128, PriceError> {
	let milli = [
		(units.input, prices.input),
		(units.output, prices.output),
		(units.cache_read, prices.cache_read),
		(units.cache_write, prices.cache_write),
	]
	.into_iter()
	.try_fold(0u128, |acc, (n, price)| {
		u128::from(n).checked_mul(price).and_then(|part| acc.checked_add(part))
	})
	.ok_or(PriceError::Overflow)?;
	// ceil(milli / 1000) without overflow: the quotient plus one if there is a remainder.
	let whole = milli.checked_div(1000).ok_or(PriceError::Overflow)?;
	let rounds_up = milli.checked_rem(1000).is_some_and(|r| r != 0);
	whole.checked_add(u128::from(rounds_up)).ok_or(PriceError::Overflow)
}

/// The discount a seeker gets: asset discount plus tier discount, capped.
pub fn combined_discount(asset: Perbill, tier: Perbill, cap: Perbill) -> Perbill {
	asset.saturating_add(tier).min(cap)
}

/// Where the money of one settlement goes.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
	Default,
)]
pub struct Legs {
	/// Paid to the capsule's provider.
	pub provider: u128,
	/// To the treasury.
	pub treasury: u128,
	/// To the buyback/rebates pot.
	pub buyback: u128,
	/// To the validator reward pot.
	pub validators: u128,
	/// To the reserve (including rounding dust).
	pub reserve: u128,
}

impl Legs {
	/// The sum of every leg (equal to `net` by construction).
	pub fn total(&self) -> u128 {
		self.provider
			.saturating_add(self.treasury)
			.saturating_add(self.buyback)
			.saturating_add(self.validators)
			.saturating_add(self.reserve)
	}

	/// Adds `other` leg by leg (saturating: used for running totals, where a saturated
	/// statistic must not block settlement).
	pub fn accrue(&mut self, other: &Legs) {
		self.provider = self.provider.saturating_add(other.provider);
		self.treasury = self.treasury.saturating_add(other.treasury);
		self.buyback = self.buyback.saturating_add(other.buyback);
		self.validators = self.validators.saturating_add(other.validators);
		self.reserve = self.reserve.saturating_add(other.reserve);
	}

	/// The protocol's take: every leg but the provider's.
	pub fn take(&self) -> u128 {
		self.total().saturating_sub(self.provider)
	}

	/// Every leg times `n` (`n` identical settlements); `None` on overflow.
	pub fn checked_mul(&self, n: u128) -> Option<Legs> {
		Some(Legs {
			provider: self.provider.checked_mul(n)?,
			treasury: self.treasury.checked_mul(n)?,
			buyback: self.buyback.checked_mul(n)?,
			validators: self.validators.checked_mul(n)?,
			reserve: self.reserve.checked_mul(n)?,
		})
	}

	/// Leg-by-leg sum; `None` on overflow.
	pub fn checked_add(&self, other: &Legs) -> Option<Legs> {
		Some(Legs {
			provider: self.provider.checked_add(other.provider)?,
			treasury: self.treasury.checked_add(other.treasury)?,
			buyback: self.buyback.checked_add(other.buyback)?,
			validators: self.validators.checked_add(other.validators)?,
			reserve: self.reserve.checked_add(other.reserve)?,
		})
	}
}

/// How an amount in the pricing unit becomes an amount of a payment asset.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Rate {
	/// The asset is the pricing unit (the stable asset): one for one.
	Par,
	/// A token priced at `price` pricing units per `one` of its smallest units (NXV: `one` is
	/// 10^12 planck); converted with [`pricing_to_token`], rounded up.
	Token {
		/// Pricing units per `one`.
		price: u128,
		/// Smallest units of the token per whole token.
		one: u128,
	},
}

impl Rate {
	/// `pricing` in the asset, rounded up (the seeker pays); `None` on a zero price or overflow.
	pub fn to_asset(&self, pricing: u128) -> Option<u128> {
		match *self {
			Rate::Par => Some(pricing),
			Rate::Token { price, one } => pricing_to_token(pricing, price, one),
		}
	}
}

/// One request priced: what its receipt charges and where the charge goes.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen, Default)]
pub struct Priced {
	/// List price in the pricing unit.
	pub list: u128,
	/// Net after the discount, in the pricing unit.
	pub net_pricing: u128,
	/// Net in the payment asset: what the seeker pays.
	pub net: u128,
	/// Where `net` goes, in the payment asset; the legs sum to `net`.
	pub legs: Legs,
}

impl Priced {
	/// `self + other`, field by field; `None` on overflow.
	pub fn checked_add(&self, other: &Priced) -> Option<Priced> {
		Some(Priced {
			list: self.list.checked_add(other.list)?,
			net_pricing: self.net_pricing.checked_add(other.net_pricing)?,
			net: self.net.checked_add(other.net)?,
			legs: self.legs.checked_add(&other.legs)?,
		})
	}
}

/// The price of one request of `units` at `prices` with `discount`, paid in an asset at
/// `rate`, split under `params`: the one function behind settlement, `quote`, `simulate` and
/// whoever recomputes a charge from a batch's event (an indexer, the gateway building a
/// receipt's leaf). See the module docs for the rounding.
pub fn price_request(
	units: &Units,
	prices: &UnitPrices,
	discount: Perbill,
	rate: &Rate,
	params: &FeeParams,
) -> Result<Priced, PriceError> {
	price_list(list_price_of(units, prices)?, discount, rate, params)
}

/// The price of what lists at `list` (pricing unit) with `discount`, paid in an asset at `rate`,
/// split under `params`: [`price_request`] after the list price, and what a replay of settled
/// history under proposed parameters applies to the list prices that were charged.
pub fn price_list(
	list: u128,
	discount: Perbill,
	rate: &Rate,
	params: &FeeParams,
) -> Result<Priced, PriceError> {
	let net_pricing = net_price(list, discount);
	let net = rate.to_asset(net_pricing).ok_or(PriceError::Conversion)?;
	Ok(Priced { list, net_pricing, net, legs: split(net, params) })
}

/// Net after discount: `list − floor(list × discount)`.
pub fn net_price(list: u128, discount: Perbill) -> u128 {
	list.saturating_sub(discount.mul_floor(list))
}

/// Splits `net` into legs under `params` (assumed valid). The legs sum to `net` exactly.
pub fn split(net: u128, params: &FeeParams) -> Legs {
	let take = params.take_rate.mul_floor(net);
	let treasury = params.treasury_share.mul_floor(take);
	let buyback = params.buyback_share.mul_floor(take);
	let validators = params.validators_share.mul_floor(take);
	// Each share rounds down, and the shares sum to one, so these never exceed `take`.
	let reserve = take.saturating_sub(treasury).saturating_sub(buyback).saturating_sub(validators);
	Legs { provider: net.saturating_sub(take), treasury, buyback, validators, reserve }
}

/// `pricing` units of the pricing unit expressed in a token priced at `price` pricing units per
/// `one` of its smallest units (e.g. `one` = 10^12 planck for one NXV), **rounded up**: the
/// seeker never pays less than the price. `None` on a zero price or overflow.
pub fn pricing_to_token(pricing: u128, price: u128, one: u128) -> Option<u128> {
	if price == 0 {
		return None;
	}
	let scaled = pricing.checked_mul(one)?;
	let whole = scaled.checked_div(price)?;
	let rounds_up = scaled.checked_rem(price).is_some_and(|r| r != 0);
	whole.checked_add(u128::from(rounds_up))
}

/// `amount` of a token priced at `price` pricing units per `one` of its smallest units, in the
/// pricing unit, **rounded down**. `None` when `one` is zero or on overflow.
pub fn token_to_pricing(amount: u128, price: u128, one: u128) -> Option<u128> {
	amount.checked_mul(price)?.checked_div(one)
}

/// The share of `amount` for a part running from `before` to `before + part` of `whole`,
/// computed on cumulative totals: `⌊amount·(before+part)/whole⌋ − ⌊amount·before/whole⌋`.
/// Visiting every part once in any order gives shares that sum to exactly `amount` (the terms
/// telescope), each its pro-rata amount rounded down or up. Zero when `whole` is zero.
pub fn cumulative_share(amount: u128, before: u128, part: u128, whole: u128) -> u128 {
	use sp_arithmetic::{helpers_128bit::multiply_by_rational_with_rounding as mul, Rounding};
	let upto = |x: u128| mul(amount, x, whole, Rounding::Down).unwrap_or(0);
	upto(before.saturating_add(part)).saturating_sub(upto(before))
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]
	use super::*;
	use proptest::prelude::*;

	/// The list price of plain input and output units.
	fn list_price(
		input: u64,
		output: u64,
		price_in: u128,
		price_out: u128,
	) -> Result<u128, PriceError> {
		let prices = UnitPrices { input: price_in, output: price_out, ..Default::default() };
		list_price_of(&Units::plain(input, output), &prices)
	}

	#[test]
	fn defaults_are_valid_and_give_providers_85_percent() {
		let p = FeeParams::defaults();
		assert_eq!(p.validate(), Ok(()));
		let legs = split(1_000_000, &p);
		assert_eq!(legs.provider, 850_000);
		assert_eq!(
			(legs.treasury, legs.buyback, legs.validators, legs.reserve),
			(52_500, 37_500, 15_000, 45_000)
		);
		assert_eq!(legs.total(), 1_000_000);
	}

	#[test]
	fn a_worked_example() {
		// 1,200 input and 350 output units on a capsule at 3,000 / 15,000 per 1k units, paid
		// in NXV by a Silver seeker (10% + 4%, under the 20% cap).
		let p = FeeParams::defaults();
		let d = combined_discount(p.nxv_discount, Perbill::from_percent(4), p.max_discount);
		assert_eq!(d, Perbill::from_percent(14));
		let prices = UnitPrices { input: 3_000, output: 15_000, ..Default::default() };
		let q = price_request(&Units::plain(1_200, 350), &prices, d, &Rate::Par, &p).unwrap();
		assert_eq!(q.list, 3_600 + 5_250);
		assert_eq!(q.net, 8_850 - 1_239);
		assert_eq!(q.net_pricing, q.net, "USDN is the pricing unit");
		// In NXV at 0.5 USDN (500,000 pricing units per 10^12 planck): twice as many, rounded up.
		let nxv = Rate::Token { price: 500_000, one: 1_000_000_000_000 };
		let n = price_request(&Units::plain(1_200, 350), &prices, d, &nxv, &p).unwrap();
		assert_eq!(n.net, (8_850 - 1_239) * 2_000_000);
		assert_eq!(n.legs.total(), n.net);
		let zero = Rate::Token { price: 0, one: 1 };
		assert_eq!(
			price_request(&Units::plain(1, 1), &prices, d, &zero, &p),
			Err(PriceError::Conversion)
		);
		assert_eq!(q.legs.total(), q.net);
		assert_eq!(q.legs.provider, 7_611 - 1_141);
	}

	#[test]
	fn cache_units_are_priced_at_their_own_rates_and_rounded_up_once() {
		// A turn of an agent: 2,000 new input units, 500 output, 60,000 read from the cache and
		// 1,000 written to it, at Sonnet-like rates (input 3, cache read 0.3, cache write 3.75,
		// output 15 per 1k, here in tenths).
		let units = Units { input: 2_000, output: 500, cache_read: 60_000, cache_write: 1_000 };
		let prices = UnitPrices { input: 30, output: 150, cache_read: 3, cache_write: 37 };
		// 60 + 75 + 180 + 37 = 352 exactly.
		assert_eq!(list_price_of(&units, &prices), Ok(352));
		// Priced as plain input, the cache reads alone would cost 1,800.
		let plain = Units { input: 63_000, output: 500, cache_read: 0, cache_write: 0 };
		assert_eq!(list_price_of(&plain, &prices), Ok(1_965));
		// One rounding over the sum: 0.5 + 0.5 is 1, not 2.
		let halves = Units { input: 500, output: 0, cache_read: 500, cache_write: 0 };
		let ones = UnitPrices { input: 1, output: 0, cache_read: 1, cache_write: 0 };
		assert_eq!(list_price_of(&halves, &ones), Ok(1));
		let max = Units { input: 0, output: 0, cache_read: u64::MAX, cache_write: 1 };
		let huge = UnitPrices { cache_read: u128::MAX, ..Default::default() };
		assert_eq!(list_price_of(&max, &huge), Err(PriceError::Overflow));
	}

	#[test]
	fn list_price_rounds_up_once() {
		assert_eq!(list_price(1, 1, 1, 1), Ok(1));
		assert_eq!(list_price(0, 0, 5, 5), Ok(0));
		assert_eq!(list_price(999, 0, 1, 0), Ok(1));
		assert_eq!(list_price(1_000, 0, 7, 0), Ok(7));
		assert_eq!(list_price(u64::MAX, 0, u128::MAX, 0), Err(PriceError::Overflow));
	}

	#[test]
	fn discounts_are_capped() {
		let cap = Perbill::from_percent(20);
		assert_eq!(
			combined_discount(Perbill::from_percent(10), Perbill::from_percent(10), cap),
			cap
		);
		assert_eq!(
			combined_discount(Perbill::from_percent(10), Perbill::from_percent(15), cap),
			cap
		);
		assert_eq!(
			combined_discount(Perbill::zero(), Perbill::from_percent(4), cap),
			Perbill::from_percent(4)
		);
	}

	#[test]
	fn invalid_params_are_named() {
		let mut p = FeeParams::defaults();
		p.reserve_share = Perbill::from_percent(31);
		assert_eq!(p.validate(), Err(ParamsError::SharesDoNotSumToOne));
		let mut p = FeeParams::defaults();
		p.take_rate = Perbill::from_percent(31);
		assert_eq!(p.validate(), Err(ParamsError::TakeRateTooHigh));
		let mut p = FeeParams::defaults();
		p.max_discount = Perbill::from_percent(31);
		assert_eq!(p.validate(), Err(ParamsError::DiscountCapTooHigh));
		let mut p = FeeParams::defaults();
		p.nxv_discount = Perbill::from_percent(25);
		assert_eq!(p.validate(), Err(ParamsError::AssetDiscountAboveCap));
	}

	/// Valid fee parameters: a take rate up to the cap and four shares summing to one.
	fn params() -> impl Strategy<Value = FeeParams> {
		(0u32..=300_000_000, 0u32..=1_000_000_000, 0u32..=1_000_000_000, 0u32..=1_000_000_000)
			.prop_map(|(take, a, b, c)| {
				let one = 1_000_000_000u64;
				let (a, b, c) = (u64::from(a), u64::from(b), u64::from(c));
				// Three cuts of [0, 1] give four shares summing to one.
				let mut cuts = [a, b, c];
				cuts.sort();
				let s = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], one - cuts[2]];
				let p = |x: u64| Perbill::from_parts(x as u32);
				FeeParams {
					take_rate: Perbill::from_parts(take),
					treasury_share: p(s[0]),
					buyback_share: p(s[1]),
					validators_share: p(s[2]),
					reserve_share: p(s[3]),
					nxv_discount: Perbill::from_percent(10),
					max_discount: Perbill::from_percent(20),
				}
			})
	}

	proptest! {
		#[test]
		fn legs_sum_to_net_and_providers_keep_the_majority(
			in_units in 0u64..10_000_000,
			out_units in 0u64..10_000_000,
			price_in in 0u128..1_000_000_000,
			price_out in 0u128..1_000_000_000,
			tier in 0u32..=150_000_000,
			p in params(),
		) {
			prop_assert_eq!(p.validate(), Ok(()));
			let d = combined_discount(p.nxv_discount, Perbill::from_parts(tier), p.max_discount);
			let prices = UnitPrices { input: price_in, output: price_out, ..Default::default() };
			let q = price_request(&Units::plain(in_units, out_units), &prices, d, &Rate::Par, &p).unwrap();
			prop_assert!(q.net <= q.list);
			prop_assert_eq!(q.legs.total(), q.net, "no value created or destroyed");
			prop_assert!(q.net == 0 || q.legs.provider * 2 > q.net, "provider > 50% of net");
			prop_assert!(q.legs.take() <= p.take_rate.mul_ceil(q.net));
		}

		#[test]
		fn list_price_never_undercharges(
			in_units in 0u64..u64::MAX / 2,
			out_units in 0u64..u64::MAX / 2,
			price_in in 0u128..1_000_000_000_000,
			price_out in 0u128..1_000_000_000_000,
		) {
			let list = list_price(in_units, out_units, price_in, price_out).unwrap();
			let exact_milli = u128::from(in_units) * price_in + u128::from(out_units) * price_out;
			prop_assert!(list * 1000 >= exact_milli);
			prop_assert!(list * 1000 < exact_milli + 1000);
		}

		#[test]
		fn a_four_unit_price_is_the_exact_price_rounded_up_once(
			units in proptest::array::uniform4(0u64..u64::MAX / 4),
			prices in proptest::array::uniform4(0u128..1_000_000_000_000),
		) {
			let [input, output, cache_read, cache_write] = units;
			let u = Units { input, output, cache_read, cache_write };
			let [p_in, p_out, p_read, p_write] = prices;
			let p = UnitPrices { input: p_in, output: p_out, cache_read: p_read, cache_write: p_write };
			let list = list_price_of(&u, &p).unwrap();
			let exact_milli: u128 = units.iter().zip(prices).map(|(n, q)| u128::from(*n) * q).sum();
			prop_assert!(list * 1000 >= exact_milli);
			prop_assert!(list * 1000 < exact_milli + 1000);
		}

		#[test]
		fn conversion_to_a_token_never_undercharges(
			pricing in 0u128..1_000_000_000_000_000,
			price in 1u128..1_000_000_000_000,
		) {
			let one = 1_000_000_000_000u128;
			let tokens = pricing_to_token(pricing, price, one).unwrap();
			// Worth at least `pricing`, and less than one planck more.
			prop_assert!(tokens * price >= pricing * one);
			prop_assert!(tokens == 0 || (tokens - 1) * price < pricing * one);
			prop_assert!(token_to_pricing(tokens, price, one).unwrap() >= pricing);
		}
	}

	#[test]
	fn conversion_rejects_a_zero_price_and_overflow() {
		assert_eq!(pricing_to_token(1, 0, 1), None);
		assert_eq!(pricing_to_token(u128::MAX, 1, 2), None);
		assert_eq!(
			pricing_to_token(1_500_000, 2_000_000, 1_000_000_000_000),
			Some(750_000_000_000)
		);
		assert_eq!(token_to_pricing(1, 1, 0), None);
	}
}
