//! The provider reward multiplier: one pure function, used by the pallet, its runtime API, the
//! emissions work and the tests.
//!
//! ```text
//! stake_factor = min(stake, full_boost_stake) / full_boost_stake        in [0, 1]
//! quality      = trust × uptime                                          in [0, 1]
//! boost        = max_stake_boost × stake_factor × quality
//! bonus        = nxv_payout_bonus if the provider takes payouts in NXV, else 0
//! multiplier   = min(1 + boost + bonus, max_multiplier), and never below 1
//! ```
//!
//! Stake alone earns nothing: a provider with no trust or no uptime gets the base multiplier 1
//! whatever it stakes, so the boost rewards staking *behind* good service.

use sp_runtime::{
	traits::{One, Saturating, Zero},
	FixedPointNumber, FixedU128, PerThing, Permill,
};

/// The governance-set constants of the multiplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultiplierParams {
	/// The boost at full stake, trust and uptime.
	pub max_stake_boost: FixedU128,
	/// The extra boost for NXV-settled payouts.
	pub nxv_payout_bonus: FixedU128,
	/// The cap on the whole multiplier.
	pub max_multiplier: FixedU128,
}

fn permill(p: Permill) -> FixedU128 {
	FixedU128::saturating_from_rational(p.deconstruct(), Permill::ACCURACY)
}

/// The reward multiplier of a provider; see the module docs.
pub fn provider_multiplier(
	stake: u128,
	full_boost_stake: u128,
	trust: Permill,
	uptime: Permill,
	nxv_payouts: bool,
	params: MultiplierParams,
) -> FixedU128 {
	let stake_factor = if full_boost_stake == 0 {
		FixedU128::one()
	} else {
		FixedU128::saturating_from_rational(stake.min(full_boost_stake), full_boost_stake)
	};
	let quality = permill(trust).saturating_mul(permill(uptime));
	let boost = params.max_stake_boost.saturating_mul(stake_factor).saturating_mul(quality);
	let bonus = if nxv_payouts { params.nxv_payout_bonus } else { FixedU128::zero() };
	// Clamping is the point here: the cap is part of the formula.
	FixedU128::one()
		.saturating_add(boost)
		.saturating_add(bonus)
		.min(params.max_multiplier)
		.max(FixedU128::one())
}
