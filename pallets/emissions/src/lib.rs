//! # Milestone emissions
//!
//! The only way NXV reaches providers beyond what seekers pay them: a fixed allocation, minted
//! once at genesis into this pallet's account and locked there, released in tranches as the
//! marketplace reaches milestones of real usage.
//!
//! ## Overview
//!
//! - **The allocation** (35% of the supply in the presets) sits in the pallet's account
//!   ([`Config::PalletId`]; nobody holds its key). Nothing in this pallet mints: tranches are
//!   transfers out of that account.
//! - **Milestones** are thresholds on one of three [`Metric`]s, tracked from settlement through
//!   [`nexus_primitives::traits::UsageObserver`]: cumulative settled volume (pricing unit, refunds
//!   taken back), active providers (providers ever paid for served usage) and unique seekers
//!   (seekers ever charged). Each milestone carries a tranche. Governance
//!   ([`Config::MilestoneOrigin`]) may add milestones — only in the future (above the metric's
//!   progress), only above every existing threshold of that metric, and only while the unreleased
//!   tranches fit in the allocation — and can never lower, move or remove one.
//! - **Release**: the first block after a milestone is reached, its tranche is shared among the
//!   providers who served since the previous release, by *weight* = served volume × the provider's
//!   multiplier at the time it served ([`Config::Multiplier`]: stake, trust, uptime, NXV-payout
//!   bonus). Shares are cumulative (`⌊T·(Wᵢ₋₁+wᵢ)/W⌋ − ⌊T·Wᵢ₋₁/W⌋`), so they sum to exactly the
//!   tranche. The pass runs over blocks ([`Config::DistributePerBlock`] providers a block); new
//!   usage meanwhile accrues to the next round. A milestone reached while nobody has served since
//!   the last release waits until somebody has.
//! - **Vesting**: each share is transferred with a vesting schedule (`pallet-vesting`) that unlocks
//!   linearly over [`Config::VestingPeriod`]. A provider whose schedules are full (or whose share
//!   could not be vested) keeps the share *deferred* in the pool and claims it with
//!   [`Pallet::claim_deferred`] after merging schedules: nothing is lost.
//!
//! ## Storage version and migrations
//!
//! Storage version 0: the layout since genesis. No migration has been needed; a change to a
//! stored type or key comes with a `migrations/vN.rs` (a `VersionedMigration` with pre- and
//! post-upgrade checks and a unit test), listed in the runtime's `Migrations`, and a version
//! bump here. `scripts/upgrade-check.sh` rehearses every upgrade on a snapshot of a running
//! chain.
//!
//! ## Pallet API
//!
//! - `add_milestone(metric, threshold, tranche)` ([`Config::MilestoneOrigin`]).
//! - `claim_deferred()` (signed): vests a deferred share now.
//! - [`runtime_api::EmissionsApi`]: milestones with progress, released and remaining amounts, the
//!   current round and one provider's deferred share.
//!
//! ### Terminology
//!
//! - *Round*: the usage between two releases; weights accrue per round.
//! - *Committed*: tranches of milestones not yet released.
//! - *Released*: tranches paid out (vested or deferred).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

pub mod runtime_api;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod impls;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// What a milestone measures.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Metric {
	/// Cumulative settled volume, in the pricing unit (10⁻⁶ USDN).
	SettledVolume,
	/// Providers ever paid for served usage.
	ActiveProviders,
	/// Seekers ever charged.
	UniqueSeekers,
}

/// A milestone and its tranche.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Milestone<BlockNumber> {
	/// What it measures.
	pub metric: Metric,
	/// The value the metric must reach.
	pub threshold: u128,
	/// NXV released when it is reached.
	pub tranche: u128,
	/// The block its release started, once reached.
	pub released_at: Option<BlockNumber>,
}

/// The metrics' values.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Progress {
	/// Cumulative settled volume (pricing unit).
	pub settled_volume: u128,
	/// Providers ever paid.
	pub providers: u32,
	/// Seekers ever charged.
	pub seekers: u32,
}

impl Progress {
	/// The value of `metric`.
	pub fn of(&self, metric: Metric) -> u128 {
		match metric {
			Metric::SettledVolume => self.settled_volume,
			Metric::ActiveProviders => u128::from(self.providers),
			Metric::UniqueSeekers => u128::from(self.seekers),
		}
	}
}

/// The weight accrued in a round.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct RoundTally {
	/// Total weight (volume × multiplier).
	pub weight: u128,
	/// Providers with weight (entries in `Weights` for the round).
	pub providers: u32,
}

/// A tranche being shared out.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Release {
	/// The milestone's index.
	pub milestone: u32,
	/// The round whose weights share it.
	pub round: u32,
	/// The tranche.
	pub tranche: u128,
	/// The round's total weight.
	pub weight: u128,
	/// Weight of the providers visited so far.
	pub visited_weight: u128,
	/// Shared out so far (vested or deferred).
	pub paid: u128,
	/// Providers in the round.
	pub providers: u32,
	/// Providers left to visit.
	pub remaining: u32,
}

// The FRAME macros expand to code with `expect` on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, BuildGenesisConfig, Currency, VestingSchedule},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use nexus_primitives::traits::ProviderMultiplier;
	use sp_runtime::traits::{AccountIdConversion, Zero};

	/// The in-code storage version (see the crate docs: no migration so far).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of milestone emissions.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// NXV.
		type Currency: fungible::Mutate<Self::AccountId, Balance = u128>;
		/// Vesting schedules (`pallet-vesting`), over the same NXV.
		type Vesting: VestingSchedule<
			Self::AccountId,
			Moment = BlockNumberFor<Self>,
			Currency: Currency<Self::AccountId, Balance = u128>,
		>;
		/// Providers' reward multipliers.
		type Multiplier: ProviderMultiplier<Self::AccountId>;
		/// Derives the pool's account (holding the allocation).
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Who may add milestones.
		type MilestoneOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Most milestones, past and future.
		#[pallet::constant]
		type MaxMilestones: Get<u32>;
		/// Providers visited per block while a tranche is shared out.
		#[pallet::constant]
		type DistributePerBlock: Get<u32>;
		/// Blocks over which each tranche share vests.
		#[pallet::constant]
		type VestingPeriod: Get<BlockNumberFor<Self>>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// The milestones, in the order they were added.
	#[pallet::storage]
	pub type Milestones<T: Config> =
		StorageValue<_, BoundedVec<Milestone<BlockNumberFor<T>>, T::MaxMilestones>, ValueQuery>;

	/// The metrics.
	#[pallet::storage]
	pub type MetricsProgress<T> = StorageValue<_, Progress, ValueQuery>;

	/// Providers ever paid (for the active-providers metric).
	#[pallet::storage]
	pub type SeenProviders<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// Seekers ever charged (for the unique-seekers metric).
	#[pallet::storage]
	pub type SeenSeekers<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// The current round (weights accrue here).
	#[pallet::storage]
	pub type CurrentRound<T> = StorageValue<_, u32, ValueQuery>;

	/// Each provider's weight in a round.
	#[pallet::storage]
	pub type Weights<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Blake2_128Concat, T::AccountId, u128, ValueQuery>;

	/// Each round's total weight and providers.
	#[pallet::storage]
	pub type Rounds<T> = StorageMap<_, Twox64Concat, u32, RoundTally, ValueQuery>;

	/// The tranche being shared out, if any.
	#[pallet::storage]
	pub type Releasing<T> = StorageValue<_, Release, OptionQuery>;

	/// Shares that could not be vested yet, per provider (they stay in the pool).
	#[pallet::storage]
	pub type Deferred<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u128, ValueQuery>;

	/// The sum of [`Deferred`].
	#[pallet::storage]
	pub type DeferredTotal<T> = StorageValue<_, u128, ValueQuery>;

	/// Everything released (vested or deferred).
	#[pallet::storage]
	pub type Released<T> = StorageValue<_, u128, ValueQuery>;

	/// The milestones the chain starts with.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// `(metric, threshold, tranche)`, ascending per metric.
		pub milestones: alloc::vec::Vec<(Metric, u128, u128)>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec: it runs when the spec
		// is built, never in a block.
		#[allow(clippy::panic)]
		fn build(&self) {
			for (metric, threshold, tranche) in &self.milestones {
				if let Err(e) = Pallet::<T>::do_add_milestone(*metric, *threshold, *tranche) {
					panic!(
						"genesis milestone ({metric:?}, {threshold}, {tranche}) is invalid: {e:?}"
					);
				}
			}
		}
	}

	/// Events of milestone emissions.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A milestone was added.
		MilestoneAdded {
			/// Its index.
			index: u32,
			/// What it measures.
			metric: Metric,
			/// The value to reach.
			threshold: u128,
			/// Its tranche.
			tranche: u128,
		},
		/// A milestone was reached: its tranche is being shared among the round's providers.
		MilestoneReached {
			/// Its index.
			index: u32,
			/// What it measures.
			metric: Metric,
			/// The metric's value.
			value: u128,
			/// The tranche.
			tranche: u128,
			/// The round that shares it.
			round: u32,
			/// Providers in the round.
			providers: u32,
		},
		/// A provider's share was transferred with a vesting schedule.
		TrancheVested {
			/// The provider.
			who: T::AccountId,
			/// The share.
			amount: u128,
			/// NXV unlocked per block.
			per_block: u128,
		},
		/// A provider's share could not be vested now; it waits in the pool.
		TrancheDeferred {
			/// The provider.
			who: T::AccountId,
			/// The share.
			amount: u128,
		},
		/// A tranche was shared out in full: `paid` equals the milestone's tranche.
		ReleaseCompleted {
			/// The milestone's index.
			index: u32,
			/// What was shared out.
			paid: u128,
			/// Among how many providers.
			providers: u32,
		},
		/// A deferred share was vested.
		DeferredClaimed {
			/// The provider.
			who: T::AccountId,
			/// The share.
			amount: u128,
		},
	}

	/// Errors of milestone emissions.
	#[pallet::error]
	pub enum Error<T> {
		/// A tranche must be more than zero.
		ZeroTranche,
		/// The threshold is not above the metric's progress: a milestone must lie ahead.
		NotInFuture,
		/// The threshold is not above every existing threshold of the metric.
		NotAscending,
		/// There are `MaxMilestones` milestones already.
		TooManyMilestones,
		/// The unreleased tranches would exceed what the pool holds.
		TrancheExceedsPool,
		/// The caller has no deferred share.
		NothingDeferred,
		/// The share cannot be vested (e.g. the account has the most vesting schedules: merge
		/// them first).
		CannotVest,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Starts the release of a reached milestone, or advances the one running.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::on_block(n)
		}

		fn integrity_test() {
			assert!(T::DistributePerBlock::get() >= 1, "the pass must advance");
			assert!(!T::VestingPeriod::get().is_zero(), "vesting needs a period");
			assert!(T::MaxMilestones::get() >= 1, "there must be room for a milestone");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add a future milestone.
		///
		/// ## Dispatch Origin
		/// [`Config::MilestoneOrigin`].
		///
		/// ## Details
		/// `threshold` must be above the metric's progress and above every threshold of the
		/// metric so far; the unreleased tranches with this one must fit in the pool.
		///
		/// ## Errors
		/// [`Error::ZeroTranche`], [`Error::NotInFuture`], [`Error::NotAscending`],
		/// [`Error::TooManyMilestones`], [`Error::TrancheExceedsPool`].
		///
		/// ## Events
		/// [`Event::MilestoneAdded`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_milestone())]
		pub fn add_milestone(
			origin: OriginFor<T>,
			metric: Metric,
			threshold: u128,
			tranche: u128,
		) -> DispatchResult {
			T::MilestoneOrigin::ensure_origin(origin)?;
			Self::do_add_milestone(metric, threshold, tranche)
		}

		/// Vest the caller's deferred share now.
		///
		/// ## Dispatch Origin
		/// Signed: the provider.
		///
		/// ## Errors
		/// [`Error::NothingDeferred`]; [`Error::CannotVest`] while the account cannot take
		/// another vesting schedule.
		///
		/// ## Events
		/// [`Event::DeferredClaimed`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_deferred())]
		pub fn claim_deferred(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let amount = Deferred::<T>::get(&who);
			ensure!(amount > 0, Error::<T>::NothingDeferred);
			Self::vest(&who, amount).map_err(|_| Error::<T>::CannotVest)?;
			Deferred::<T>::remove(&who);
			DeferredTotal::<T>::mutate(|t| *t = t.saturating_sub(amount));
			Self::deposit_event(Event::DeferredClaimed { who, amount });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pool's account.
		pub fn account_id() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}
	}
}
