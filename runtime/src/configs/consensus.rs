//! Aura block authoring and GRANDPA finality.
//!
//! The authority sets come from the session pallet: the validators staking elects, with the
//! keys they registered. GRANDPA equivocations are reported with a session key-ownership proof
//! and become offences (see `staking.rs`).

use frame_support::traits::{ConstBool, ConstU32};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;

use crate::{Historical, Offences, Runtime, RuntimeEvent, Session};

/// The largest authority set Aura and GRANDPA accept.
pub const MAX_AUTHORITIES: u32 = 32;

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	/// Validators disabled by an offence do not author.
	type DisabledValidators = Session;
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	/// One block per slot: a second block in the same slot is an equivocation.
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<512>;
	type MaxSetIdSessionEntries = super::staking::MaxSetIdSessionEntries;
	/// Proves that an equivocating key belonged to a validator in the session of the offence.
	type KeyOwnerProof = sp_session::MembershipProof;
	type EquivocationReportSystem = pallet_grandpa::EquivocationReportSystem<
		Self,
		Offences,
		Historical,
		super::staking::ReportLongevity,
	>;
}
