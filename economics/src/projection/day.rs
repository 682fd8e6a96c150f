//! Step 1 of a path's day: a day of usage priced and split, exactly as settlement prices and
//! splits it ([`price_list`]); the runtime's tests set this beside what the pallets moved for
//! the same receipts (`runtime/src/tests.rs`, `a_days_usage_is_the_engines_day`).

use super::{HistoryLine, Pot};
use crate::settlement::{combined_discount, price_list, token_to_pricing, FeeParams, Legs, Rate};
use sp_arithmetic::Perbill;

/// What a day's usage paid and where it went, per asset (stable, NXV).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DaySettled {
	/// What seekers paid in the pricing unit (NXV at the day's price): the day's volume.
	pub volume: u128,
	/// The protocol's take (every leg but the provider's) in the pricing unit.
	pub take: u128,
	/// What seekers paid.
	pub net: Pot,
	/// The providers' legs.
	pub provider: Pot,
	/// The treasury's legs.
	pub treasury: Pot,
	/// The buyback (or rebate) pot's legs.
	pub buyback: Pot,
	/// The validators' reward pot's legs.
	pub validators: Pot,
	/// The reserve's legs.
	pub reserve: Pot,
}

impl DaySettled {
	fn add(&mut self, native: bool, net: u128, legs: &Legs) {
		let add = |pot: &mut Pot, x: u128| {
			let side = if native { &mut pot.native } else { &mut pot.stable };
			*side = side.saturating_add(x);
		};
		add(&mut self.net, net);
		add(&mut self.provider, legs.provider);
		add(&mut self.treasury, legs.treasury);
		add(&mut self.buyback, legs.buyback);
		add(&mut self.validators, legs.validators);
		add(&mut self.reserve, legs.reserve);
	}
}

/// A day's usage `lines` scaled by `factor` (the scenario's demand), each priced under
/// `params` — the NXV discount for lines paid in NXV, the line's tier discount, the discount
/// cap — in its asset (NXV at `price` pricing units per `one` NXV) and split into legs. A line
/// that does not price (an amount out of range) is skipped, as a receipt that does not price is
/// refused on chain.
pub fn settle_day(
	lines: &[HistoryLine],
	factor: f64,
	params: &FeeParams,
	price: u128,
	one: u128,
) -> DaySettled {
	let mut day = DaySettled::default();
	let token = Rate::Token { price, one };
	for line in lines {
		let list = super::path::int(super::path::f(line.list) * factor);
		if list == 0 {
			continue;
		}
		let asset_discount = if line.native { params.nxv_discount } else { Perbill::zero() };
		let tier = Perbill::from_parts(line.tier_discount.deconstruct().saturating_mul(1_000));
		let discount = combined_discount(asset_discount, tier, params.max_discount);
		let rate = if line.native { token } else { Rate::Par };
		let Ok(priced) = price_list(list, discount, &rate, params) else { continue };
		day.volume = day.volume.saturating_add(priced.net_pricing);
		let take = if line.native {
			token_to_pricing(priced.legs.take(), price, one).unwrap_or(0)
		} else {
			priced.legs.take()
		};
		day.take = day.take.saturating_add(take);
		day.add(line.native, priced.net, &priced.legs);
	}
	day
}
