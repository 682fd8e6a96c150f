//! The validator set: NPoS staking, sessions, authorship, offences, and the reward pot that
//! pays stakers without inflation.
//!
//! - **Sessions** rotate Aura and GRANDPA keys. Their length and the sessions per era live in
//!   `pallet-reward-pot` storage: short in the development and local presets (a new validator joins
//!   within minutes), an hour per session and six per era on live chains.
//! - **Staking** elects validators once an era with sequential Phragmén on chain, from a bags-list
//!   of voters (bounded: at most [`MaxElectingVoters`] voters and [`MaxElectableTargets`]
//!   candidates are read). Validators join with `staking.bond`, `staking.validate` and
//!   `session.set_keys`; nominators with `staking.nominate`.
//! - **Rewards** come only from the reward pot (`pallet-reward-pot`), which receives 80% of every
//!   transaction fee (the block author gets the other 20% and all tips). An empty pot pays nothing:
//!   no era ever mints.
//! - **Slashing**: GRANDPA equivocations are reported (by the node, unsigned, with a session
//!   key-ownership proof) to `pallet-offences`, which asks staking to slash. Slashes are deferred
//!   by [`SlashDeferDuration`] eras, during which the admin origin (Root until OpenGov) can cancel
//!   them; slashed NXV goes to the treasury.

use frame_election_provider_support::{
	bounds::{ElectionBounds, ElectionBoundsBuilder},
	onchain, SequentialPhragmen, VoteWeight,
};
use frame_support::{
	parameter_types,
	traits::{
		fungible::{Balanced, Credit},
		tokens::imbalance::ResolveTo,
		ConstBool, ConstU32, Imbalance, Nothing, OnUnbalanced,
	},
};
use frame_system::EnsureRoot;
use sp_runtime::{
	traits::{ConvertInto, OpaqueKeys},
	Perbill,
};
use sp_staking::EraIndex;

use super::accounts::{RewardPotId, TreasuryAccount};

use crate::{
	AccountId, Aura, Authorship, Balance, Balances, RewardPot, Runtime, RuntimeEvent,
	RuntimeHoldReason, Session, SessionKeys, Staking, Timestamp, VoterList, HOURS, NXV,
};

impl pallet_reward_pot::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type PalletId = RewardPotId;
	type AdminOrigin = EnsureRoot<AccountId>;
	/// Five blocks (30 s): the shortest session, for development chains.
	type MinSessionLength = ConstU32<5>;
	/// Four hours.
	type MaxSessionLength = ConstU32<{ 4 * HOURS }>;
	type MaxSessionsPerEra = ConstU32<24>;
	type WeightInfo = pallet_reward_pot::weights::SubstrateWeight<Runtime>;
}

/// Sessions end when the block number is a multiple of the stored session length.
type Sessions =
	pallet_session::PeriodicSessions<pallet_reward_pot::SessionLengthOf<Runtime>, ConstU32<0>>;

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// A validator is identified by its stash account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = pallet_session::historical::NoteHistoricalRoot<Self, Staking>;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// At most a third of the validators can be disabled by offences at once.
	type DisablingStrategy = pallet_session::disabling::UpToLimitWithReEnablingDisablingStrategy;
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	/// Registering session keys holds 1 NXV: key storage is paid for.
	type KeyDeposit = KeyDeposit;
}

parameter_types! {
	/// Held while session keys are registered.
	pub const KeyDeposit: Balance = NXV;
}

impl pallet_session::historical::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type FullIdentification = ();
	type FullIdentificationOf = pallet_staking::UnitIdentificationOf<Self>;
}

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	/// Staking gives the author era points.
	type EventHandler = Staking;
}

impl pallet_offences::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type IdentificationTuple = pallet_session::historical::IdentificationTuple<Self>;
	type OnOffenceHandler = Staking;
}

/// The most validators an election returns.
pub const MAX_VALIDATORS: u32 = 100;

parameter_types! {
	/// Unbonding takes 28 eras (7 days with six one-hour sessions per era).
	pub const BondingDuration: EraIndex = BONDING_ERAS as EraIndex;
	/// Slashes wait 27 eras, within the bonding duration, so governance can cancel them before
	/// the slashed stake could leave.
	pub const SlashDeferDuration: EraIndex = 27;
	/// Most voters (nominators and validators) an election reads.
	pub const MaxElectingVoters: u32 = 10_000;
	/// Most validator candidates an election reads.
	pub const MaxElectableTargets: u32 = 1_000;
	/// The election's read bounds.
	pub ElectionBoundsOnChain: ElectionBounds = ElectionBoundsBuilder::default()
		.voters_count(MaxElectingVoters::get().into())
		.targets_count(MaxElectableTargets::get().into())
		.build();
	/// GRANDPA equivocation reports are accepted for as long as the offender is bonded.
	pub const ReportLongevity: u64 = REPORT_LONGEVITY;
	/// Set-id to session mappings GRANDPA keeps for equivocation proofs.
	pub const MaxSetIdSessionEntries: u64 = MAX_SET_ID_SESSION_ENTRIES;
}

/// The bonding duration in eras, as a constant for the products below.
const BONDING_ERAS: u64 = 28;
/// Blocks in the longest possible bonding duration (longest sessions, most sessions per era);
/// evaluated at compile time, so an overflow would not compile.
const REPORT_LONGEVITY: u64 = BONDING_ERAS * 24 * (4 * HOURS as u64);
/// Sessions in the longest possible bonding duration.
const MAX_SET_ID_SESSION_ENTRIES: u64 = BONDING_ERAS * 24;

/// On-chain sequential Phragmén over the staking pallet's voters and targets.
pub struct OnChainSeqPhragmen;
impl onchain::Config for OnChainSeqPhragmen {
	type System = Runtime;
	type Solver = SequentialPhragmen<AccountId, Perbill>;
	type DataProvider = Staking;
	type WeightInfo = frame_election_provider_support::weights::SubstrateWeight<Runtime>;
	type MaxWinnersPerPage = ConstU32<MAX_VALIDATORS>;
	type MaxBackersPerWinner = ConstU32<512>;
	type Sort = ConstBool<true>;
	type Bounds = ElectionBoundsOnChain;
}

impl pallet_staking::Config for Runtime {
	type OldCurrency = Balances;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type CurrencyBalance = Balance;
	type UnixTime = Timestamp;
	type CurrencyToVote = sp_staking::currency_to_vote::U128CurrencyToVote;
	type ElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type GenesisElectionProvider = onchain::OnChainExecution<OnChainSeqPhragmen>;
	type NominationsQuota = pallet_staking::FixedNominationsQuota<16>;
	/// Unclaimed rewards can be claimed for 84 eras (three weeks).
	type HistoryDepth = ConstU32<84>;
	/// The era payout has no remainder (see `pallet-reward-pot`).
	type RewardRemainder = ();
	type RuntimeEvent = RuntimeEvent;
	/// Slashed stake goes to the treasury.
	type Slash = ResolveTo<TreasuryAccount, Balances>;
	/// Claimed rewards are minted back (they were burned from the pot at era end); the reward
	/// pot counts them, so the supply invariant knows what is still outstanding.
	type Reward = pallet_reward_pot::CountClaimed<Runtime>;
	type SessionsPerEra = pallet_reward_pot::SessionsPerEraOf<Runtime>;
	type BondingDuration = BondingDuration;
	type SlashDeferDuration = SlashDeferDuration;
	type AdminOrigin = EnsureRoot<AccountId>;
	type SessionInterface = Self;
	type EraPayout = RewardPot;
	type NextNewSession = Session;
	type MaxExposurePageSize = ConstU32<64>;
	type MaxValidatorSet = ConstU32<MAX_VALIDATORS>;
	type VoterList = VoterList;
	type TargetList = pallet_staking::UseValidatorsMap<Self>;
	type MaxUnlockingChunks = ConstU32<32>;
	type MaxControllersInDeprecationBatch = ConstU32<100>;
	type EventListeners = ();
	type Filter = Nothing;
	type BenchmarkingConfig = StakingBenchmarkingConfig;
	type WeightInfo = pallet_staking::weights::SubstrateWeight<Runtime>;
}

/// Sizes the staking benchmarks use: the election's read bounds.
pub struct StakingBenchmarkingConfig;
impl pallet_staking::BenchmarkingConfig for StakingBenchmarkingConfig {
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MaxNominators = ConstU32<1_000>;
}

/// Vote-weight thresholds of the voter list's bags: 200 bags, each 12% above the previous,
/// from 10^9 (about 0.05 NXV of vote weight) up.
pub static BAG_THRESHOLDS: [VoteWeight; 200] = bag_thresholds();

// Evaluated at compile time (it initialises a `static`): an overflow or an index out of bounds
// would fail the build, never a block.
#[allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
const fn bag_thresholds() -> [VoteWeight; 200] {
	let mut out = [0u64; 200];
	let mut t: u64 = 1_000_000_000;
	let mut i = 0;
	while i < 200 {
		out[i] = t;
		// 12% up, saturating at the top.
		t = t.saturating_add(t / 100 * 12).saturating_add(1);
		i += 1;
	}
	out
}

parameter_types! {
	/// See [`BAG_THRESHOLDS`].
	pub const BagThresholds: &'static [VoteWeight] = &BAG_THRESHOLDS;
}

impl pallet_bags_list::Config<pallet_bags_list::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ScoreProvider = Staking;
	type BagThresholds = BagThresholds;
	type MaxAutoRebagPerBlock = ConstU32<5>;
	type Score = VoteWeight;
	type WeightInfo = pallet_bags_list::weights::SubstrateWeight<Runtime>;
}

/// Splits transaction fees: 80% to the reward pot, 20% and every tip to the block author. A
/// share that cannot be paid to the author (no author known) goes to the pot too; nothing is
/// burned or minted.
pub struct DealWithFees;
impl OnUnbalanced<Credit<AccountId, Balances>> for DealWithFees {
	fn on_unbalanceds(mut fees_then_tips: impl Iterator<Item = Credit<AccountId, Balances>>) {
		let Some(fees) = fees_then_tips.next() else { return };
		let (to_pot, mut to_author) = fees.ration(80, 20);
		if let Some(tips) = fees_then_tips.next() {
			to_author = to_author.merge(tips);
		}
		RewardPot::on_unbalanced(to_pot);
		let leftover = match Authorship::author() {
			Some(author) => Balances::resolve(&author, to_author).err(),
			None => Some(to_author),
		};
		if let Some(credit) = leftover {
			RewardPot::on_unbalanced(credit);
		}
	}
}
