//! The runtime API clients use to read tiers and provider multipliers.
//!
//! Every function is a pure read of bounded state (one ledger, the table of at most
//! `MaxTiers` entries, the provider's capsules), so it is safe to expose over RPC.

use crate::{TierIndex, TierParams, UnlockChunk};
use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;
use sp_runtime::{FixedU128, Permill};

/// A seeker's standing: the tier the active stake reaches, what that tier grants, and the
/// stake on its way out.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct SeekerTier<Balance, BlockNumber> {
	/// Index in the tier table (0 is the entry tier).
	pub tier: TierIndex,
	/// What the tier grants: rate limit, premium lanes, failover priority, discount.
	pub params: TierParams<Balance>,
	/// Stake counting towards the tier.
	pub active: Balance,
	/// Unstaked parts still held, each with the block from which `withdraw_unbonded` frees it.
	pub unlocking: Vec<UnlockChunk<Balance, BlockNumber>>,
	/// The threshold of the next tier up, if there is one.
	pub next_threshold: Option<Balance>,
}

/// A provider's reward multiplier and the inputs it was computed from.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct ProviderBoost<Balance> {
	/// Active provider stake.
	pub stake: Balance,
	/// Average trust over the provider's capsules that are not retired.
	pub trust: Permill,
	/// Average uptime over the same capsules.
	pub uptime: Permill,
	/// Whether the provider takes payouts in NXV.
	pub nxv_payouts: bool,
	/// The multiplier (`pallets/tiers/src/multiplier.rs`), in `[1, MaxMultiplier]`.
	pub multiplier: FixedU128,
}

sp_api::decl_runtime_apis! {
	/// Seeker tiers and provider stake.
	pub trait TiersApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// The tier of `who` with its limits, lanes, priority, discount and unlock schedule
		/// (the entry tier for accounts that never staked).
		fn tier_of(who: AccountId) -> SeekerTier<Balance, BlockNumber>;
		/// The tier table in force, lowest tier first.
		fn tier_table() -> Vec<TierParams<Balance>>;
		/// The reward multiplier of provider `who`, with its inputs.
		fn provider_multiplier(who: AccountId) -> ProviderBoost<Balance>;
	}
}
