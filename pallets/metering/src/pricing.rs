//! Pricing: the one price function settlement charges with, `quote` shows and `simulate`
//! applies to a what-if workload under proposed fee parameters.

use crate::*;
use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use nexus_primitives::{
	receipts::Units,
	settlement::{combined_discount, price_request, FeeParams, PriceError},
	traits::{CapsuleTerms, ConversionError, FeePolicy, TierProvider},
};
use sp_runtime::{Perbill, Permill};

impl<T: Config> Pallet<T> {
	pub(crate) fn native_equivalent(asset: &T::AssetKind, amount: u128) -> u128 {
		if *asset == T::NativeAsset::get() {
			return amount;
		}
		T::Policy::to_pricing(asset, amount).and_then(T::Policy::to_native).unwrap_or(0)
	}

	/// The price of `units` on a capsule with `terms` for `seeker` paying in `asset`: what
	/// `quote` shows and what settlement charges.
	pub fn price(
		seeker: &T::AccountId,
		terms: &CapsuleTerms<T::AccountId>,
		units: &Units,
		asset: &T::AssetKind,
	) -> Result<QuoteBreakdown, RejectReason> {
		let tier = T::Tiers::commitment_discount(seeker);
		Self::price_under(&T::Policy::params(), tier, terms, units, asset)
	}

	/// The discounts a seeker whose tier gives commitment discount `tier` gets when paying in
	/// `asset` under `params`: (asset discount, tier discount, combined and capped). The one
	/// place settlement (both batch formats), `quote` and `simulate` take them from.
	pub(crate) fn discounts(
		params: &FeeParams,
		tier: Permill,
		asset: &T::AssetKind,
	) -> (Perbill, Perbill, Perbill) {
		let asset_discount = T::Policy::asset_discount_under(params, asset);
		let tier_discount = Perbill::from_parts(tier.deconstruct().saturating_mul(1_000));
		(
			asset_discount,
			tier_discount,
			combined_discount(asset_discount, tier_discount, params.max_discount),
		)
	}

	/// The price under fee parameters `params` for a seeker whose tier gives commitment
	/// discount `tier`: the one pricing function behind settlement, `quote` and `simulate`.
	pub fn price_under(
		params: &FeeParams,
		tier: Permill,
		terms: &CapsuleTerms<T::AccountId>,
		units: &Units,
		asset: &T::AssetKind,
	) -> Result<QuoteBreakdown, RejectReason> {
		let (asset_discount, tier_discount, discount) = Self::discounts(params, tier, asset);
		let rate = T::Policy::rate(asset).map_err(RejectReason::Conversion)?;
		let p =
			price_request(units, &terms.prices, discount, &rate, params).map_err(|e| match e {
				PriceError::Overflow => RejectReason::PriceOverflow,
				PriceError::Conversion => RejectReason::Conversion(ConversionError::Overflow),
			})?;
		Ok(QuoteBreakdown {
			list: p.list,
			asset_discount,
			tier_discount,
			discount,
			net_pricing: p.net_pricing,
			net: p.net,
			legs: p.legs,
		})
	}

	/// The `quote` runtime API: the price of a request of `units` on `capsule` for `seeker` in
	/// `asset`.
	pub fn quote(
		seeker: T::AccountId,
		capsule: u64,
		units: Units,
		asset: T::AssetKind,
	) -> Result<QuoteBreakdown, RejectReason> {
		let terms = Self::quotable(capsule, &asset)?;
		Self::price(&seeker, &terms, &units, &asset)
	}

	/// The terms of `capsule` if it exists and `asset` may pay.
	fn quotable(
		capsule: u64,
		asset: &T::AssetKind,
	) -> Result<CapsuleTerms<T::AccountId>, RejectReason> {
		use nexus_primitives::traits::CapsuleRegistry;
		let terms = T::Capsules::terms(capsule).ok_or(RejectReason::UnknownCapsule)?;
		if !T::Policy::is_payment_asset(asset) {
			return Err(RejectReason::Conversion(ConversionError::UnsupportedAsset));
		}
		Ok(terms)
	}

	/// The `simulate` runtime API: prices a what-if `workload` under proposed fee parameters
	/// `params`, through the same function settlement charges with, at today's capsule prices,
	/// tier table and NXV price. Each line is one request quoted for its tier, times the
	/// line's request count (exactly what settling the requests one by one would give).
	/// Refuses invalid parameters (the bounds `set_fee_parameters` enforces), an empty or
	/// oversized workload, unknown tiers, and lines settlement would refuse to price (unknown
	/// capsule, unsupported asset, a premium capsule for a tier without premium lanes, no or
	/// stale NXV price, overflow). Usage caps, session caps and capsule status aside, like
	/// `quote`.
	pub fn simulate(
		params: FeeParams,
		workload: Vec<WorkloadLine<T::AssetKind>>,
	) -> Result<Simulation<T::AssetKind>, SimulationError> {
		params.validate().map_err(SimulationError::InvalidParams)?;
		ensure!(!workload.is_empty(), SimulationError::EmptyWorkload);
		ensure!(workload.len() <= MAX_WORKLOAD_LINES as usize, SimulationError::TooManyLines);
		let mut lines = Vec::with_capacity(workload.len());
		let mut per_asset: Vec<(T::AssetKind, SimulatedTotals)> = Vec::new();
		for (index, w) in workload.into_iter().enumerate() {
			// At most MAX_WORKLOAD_LINES lines, so the index fits.
			let line = u32::try_from(index).unwrap_or(u32::MAX);
			let fail = |reason| SimulationError::Line { line, reason };
			let tier = T::Tiers::tier_terms(w.tier).ok_or(SimulationError::UnknownTier { line })?;
			let terms = Self::quotable(w.capsule, &w.asset).map_err(fail)?;
			ensure!(!terms.premium || tier.premium_lanes, fail(RejectReason::LaneNotAllowed));
			let one = Self::price_under(
				&params,
				tier.commitment_discount,
				&terms,
				// What-if lines meter plain input and output (prompt-cache units: `quote`).
				&Units::plain(w.in_units, w.out_units),
				&w.asset,
			)
			.map_err(fail)?;
			let n = u128::from(w.requests);
			let overflow = fail(RejectReason::PriceOverflow);
			let total = SimulatedTotals {
				requests: u64::from(w.requests),
				list: one.list.checked_mul(n).ok_or(overflow)?,
				net_pricing: one.net_pricing.checked_mul(n).ok_or(overflow)?,
				net: one.net.checked_mul(n).ok_or(overflow)?,
				legs: one.legs.checked_mul(n).ok_or(overflow)?,
			};
			match per_asset.iter_mut().find(|(a, _)| *a == w.asset) {
				Some((_, sum)) => *sum = sum.checked_add(&total).ok_or(overflow)?,
				None => per_asset.push((w.asset, total)),
			}
			lines.push(SimulatedLine { per_request: one, total });
		}
		Ok(Simulation { lines, per_asset })
	}
}
