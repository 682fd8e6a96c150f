//! The traits pallets talk through, so that none depends on another's implementation.

use sp_runtime::Permill;

/// Seekers' tiers, as settlement and the gateway see them (implemented by the tiers pallet).
pub trait TierProvider<AccountId> {
	/// The index of the seeker's tier (0 is the entry tier).
	fn tier_index(who: &AccountId) -> u8;
	/// The commitment discount the seeker's tier gives.
	fn commitment_discount(who: &AccountId) -> Permill;
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
