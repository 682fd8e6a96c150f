//! OpenGov: preimages, the scheduler, referenda on four tracks and conviction voting. The
//! tracks and their origins are in [`crate::governance`].
//!
//! - A proposal is a preimage (its call, held against a deposit) submitted as a referendum on the
//!   track of the origin it needs, with a submission deposit; it starts deciding once its track's
//!   decision deposit is placed and its prepare period is over.
//! - NXV holders vote aye or nay with a conviction: 0.1× for no lock, up to 6× for a lock of 32
//!   vote-locking periods (a week each). Locked NXV can still be staked.
//! - Approved, the call is scheduled after the track's enactment period and dispatched with the
//!   track's origin.

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration, tokens::currency::ActiveIssuanceOf, ConstU32,
		EqualPrivilegeOnly, LinearStoragePrice,
	},
	weights::Weight,
};
use frame_system::{EnsureRoot, EnsureSigned};
use sp_runtime::Perbill;

use crate::{
	configs::RuntimeBlockWeights, governance, AccountId, Balance, Balances, BlockNumber,
	OriginCaller, Preimage, Referenda, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason,
	RuntimeOrigin, Scheduler, System, Treasury, DAYS, MILLI_NXV, NXV,
};

/// Root, or the reserve/emergency track.
pub type RootOrEmergency =
	frame_support::traits::EitherOf<EnsureRoot<AccountId>, governance::ReserveEmergency>;
/// Root, or the fee-parameters track.
pub type RootOrFeeParameters =
	frame_support::traits::EitherOf<EnsureRoot<AccountId>, governance::FeeParameters>;

impl governance::origins::Config for Runtime {}

parameter_types! {
	/// Storing a preimage holds 10 NXV plus 1 milli-NXV per byte (a fee change holds about
	/// 10 NXV; a runtime upgrade, about 0.4 MB of compressed wasm, about 420 NXV).
	pub const PreimageBaseDeposit: Balance = 10 * NXV;
	pub const PreimageByteDeposit: Balance = MILLI_NXV;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

parameter_types! {
	/// Scheduled calls (enacted referenda) may use 80% of a block.
	pub MaximumSchedulerWeight: Weight = {
		let max = RuntimeBlockWeights::get().max_block;
		let share = Perbill::from_percent(80);
		Weight::from_parts(share.mul_floor(max.ref_time()), share.mul_floor(max.proof_size()))
	};
}

/// At most this many calls per block's agenda; at least the largest `max_deciding` (referenda
/// schedule their alarms in one agenda), more for the benchmarks' worst cases.
#[cfg(not(feature = "runtime-benchmarks"))]
pub type MaxScheduledPerBlock = ConstU32<50>;
#[cfg(feature = "runtime-benchmarks")]
pub type MaxScheduledPerBlock = ConstU32<512>;

impl pallet_scheduler::Config for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type RuntimeEvent = RuntimeEvent;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only referenda (and Root) schedule calls.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type MaxScheduledPerBlock = MaxScheduledPerBlock;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

parameter_types! {
	/// Votes lock for a week per conviction multiple (conviction 6× locks 32 weeks).
	pub const VoteLockingPeriod: BlockNumber = 7 * DAYS;
}

impl pallet_conviction_voting::Config for Runtime {
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type VoteLockingPeriod = VoteLockingPeriod;
	type MaxVotes = ConstU32<512>;
	/// Support is measured against active issuance.
	type MaxTurnout = ActiveIssuanceOf<Balances, AccountId>;
	type Polls = Referenda;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

parameter_types! {
	/// Submitting a referendum holds 100 NXV (returned when it ends, unless it is killed).
	pub const SubmissionDeposit: Balance = 100 * NXV;
	/// A referendum that never gets its decision deposit times out after two weeks.
	pub const UndecidingTimeout: BlockNumber = 14 * DAYS;
}

impl pallet_referenda::Config for Runtime {
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type Scheduler = Scheduler;
	type Currency = Balances;
	type SubmitOrigin = EnsureSigned<AccountId>;
	/// The emergency track can cancel a referendum (deposits returned); only Root can kill one
	/// (deposits slashed to the treasury).
	type CancelOrigin = RootOrEmergency;
	type KillOrigin = EnsureRoot<AccountId>;
	type Slash = Treasury;
	type Votes = pallet_conviction_voting::VotesOf<Runtime>;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	type AlarmInterval = ConstU32<1>;
	type Tracks = governance::tracks::TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}
