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
pub trait CapsuleHealth<CapsuleId> {
	/// Folds one session outcome into the capsule's trust score.
	fn record_outcome(capsule: CapsuleId, outcome: Outcome) -> Result<(), &'static str>;
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
