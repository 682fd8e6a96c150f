//! # Reward pot
//!
//! Staking rewards without inflation, and the session timing of the validator set.
//!
//! ## Overview
//!
//! NXV has a fixed supply: it is minted once, at genesis, and never again. Validators and
//! their nominators are still paid every era, but only from the **validator reward pot**: an
//! account this pallet owns (derived from [`Config::PalletId`]; nobody holds its key) that
//! receives whatever the runtime routes to it — the pot's share of transaction fees now, and a
//! governance-set slice of protocol fees once settlement exists.
//!
//! At the end of every era the staking pallet asks its `EraPayout` for the era's reward. This
//! pallet answers with everything the pot can give while staying alive (its reducible
//! balance), and **burns** that amount from the pot at the same moment. When validators and
//! nominators later claim (`staking.payout_stakers`), the staking pallet mints their shares
//! back. So:
//!
//! - an empty pot pays nothing: the payout is zero, never a mint;
//! - total issuance never grows: the burn at era end is at least what the claims mint (claims round
//!   down; rewards never claimed within the staking history depth stay burned);
//! - an era's reward is committed once: the next era only sees what arrived since.
//!
//! The genesis presets endow the pot with the existential deposit, so that every fee share,
//! however small, can be deposited into it.
//!
//! The pallet also keeps the **session length** and the **sessions per era** in storage,
//! set at genesis (short on development chains, so a new validator is elected within
//! minutes; an hour per session and six per era on live chains) and changeable by
//! [`Config::AdminOrigin`] within [`Config::MinSessionLength`]..[`Config::MaxSessionLength`]
//! and up to [`Config::MaxSessionsPerEra`]. The runtime reads them through [`SessionLengthOf`]
//! and [`SessionsPerEraOf`].
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
//! - `set_timing(session_length, sessions_per_era)` (admin).
//! - [`Pallet`] implements `sp_staking::EraPayout` (the payout described above) and `OnUnbalanced`
//!   for fee credits (they are deposited into the pot).
//!
//! ### Terminology
//!
//! - *Pot*: the pallet's account; its reducible balance is the next era's reward.
//! - *Committed*: rewards burned from the pot for an era, waiting to be claimed (and minted).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

pub use pallet::*;
pub use weights::WeightInfo;

pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

// The FRAME macros expand to code with `expect` on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Balanced, Credit, Inspect, Mutate},
			tokens::{Fortitude, Precision, Preservation},
			BuildGenesisConfig, OnUnbalanced,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::{AccountIdConversion, Saturating, Zero};

	/// The balance type of [`Config::Currency`].
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// The in-code storage version (see the crate docs: no migration so far).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the reward pot.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// NXV.
		type Currency: Mutate<Self::AccountId> + Balanced<Self::AccountId>;
		/// Derives the pot's account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Who may change the session timing.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Shortest session, in blocks.
		#[pallet::constant]
		type MinSessionLength: Get<BlockNumberFor<Self>>;
		/// Longest session, in blocks.
		#[pallet::constant]
		type MaxSessionLength: Get<BlockNumberFor<Self>>;
		/// Most sessions in an era.
		#[pallet::constant]
		type MaxSessionsPerEra: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// Blocks per session (validator keys and the active set change at session boundaries).
	#[pallet::storage]
	pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Sessions per staking era (elections and reward payouts happen once an era).
	#[pallet::storage]
	pub type SessionsPerEra<T> = StorageValue<_, u32, ValueQuery>;

	/// Everything ever committed to stakers from the pot (burned at era ends).
	#[pallet::storage]
	pub type TotalCommitted<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// Everything stakers claimed so far (minted back by the staking pallet): with
	/// [`TotalCommitted`], what is burned but not yet minted back is their difference.
	#[pallet::storage]
	pub type TotalClaimed<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The timing the chain starts with.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Blocks per session (0: [`Config::MaxSessionLength`]).
		pub session_length: BlockNumberFor<T>,
		/// Sessions per era (0: 6).
		pub sessions_per_era: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec: it runs when the spec
		// is built, never in a block.
		#[allow(clippy::panic)]
		fn build(&self) {
			let length = if self.session_length.is_zero() {
				T::MaxSessionLength::get()
			} else {
				self.session_length
			};
			let per_era = if self.sessions_per_era == 0 { 6 } else { self.sessions_per_era };
			if let Err(e) = Pallet::<T>::check_timing(length, per_era) {
				panic!("genesis session timing is invalid: {e:?}");
			}
			SessionLength::<T>::put(length);
			SessionsPerEra::<T>::put(per_era);
		}
	}

	/// Events of the reward pot.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An era's staking reward was committed from the pot (burned now, minted back as
		/// stakers claim).
		RewardCommitted {
			/// The era's total reward.
			amount: BalanceOf<T>,
			/// What stays in the pot.
			pot_remaining: BalanceOf<T>,
		},
		/// The session timing changed.
		TimingSet {
			/// Blocks per session.
			session_length: BlockNumberFor<T>,
			/// Sessions per era.
			sessions_per_era: u32,
		},
	}

	/// Errors of the reward pot.
	#[pallet::error]
	pub enum Error<T> {
		/// The session length is outside `MinSessionLength..=MaxSessionLength`.
		SessionLengthOutOfBounds,
		/// Sessions per era is zero or above `MaxSessionsPerEra`.
		SessionsPerEraOutOfBounds,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(!T::MinSessionLength::get().is_zero(), "sessions need a block");
			assert!(
				T::MinSessionLength::get() <= T::MaxSessionLength::get(),
				"session bounds are inverted"
			);
			assert!(T::MaxSessionsPerEra::get() >= 1, "eras need a session");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Set the session length and the sessions per era.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// Applies from the next block: a session ends when the block number is a multiple of
		/// the length, and an era is planned every `sessions_per_era` sessions.
		///
		/// ## Events
		/// [`Event::TimingSet`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_timing())]
		pub fn set_timing(
			origin: OriginFor<T>,
			session_length: BlockNumberFor<T>,
			sessions_per_era: u32,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::check_timing(session_length, sessions_per_era)?;
			SessionLength::<T>::put(session_length);
			SessionsPerEra::<T>::put(sessions_per_era);
			Self::deposit_event(Event::TimingSet { session_length, sessions_per_era });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pot's account.
		pub fn account_id() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		/// What the pot could pay now (its balance above the existential deposit).
		pub fn available() -> BalanceOf<T> {
			T::Currency::reducible_balance(
				&Self::account_id(),
				Preservation::Preserve,
				Fortitude::Polite,
			)
		}

		fn check_timing(length: BlockNumberFor<T>, per_era: u32) -> DispatchResult {
			ensure!(
				length >= T::MinSessionLength::get() && length <= T::MaxSessionLength::get(),
				Error::<T>::SessionLengthOutOfBounds
			);
			ensure!(
				per_era >= 1 && per_era <= T::MaxSessionsPerEra::get(),
				Error::<T>::SessionsPerEraOutOfBounds
			);
			Ok(())
		}

		/// Burns everything the pot can pay and returns it: the era's reward.
		pub fn commit_era_reward() -> BalanceOf<T> {
			let pot = Self::account_id();
			let available = Self::available();
			if available.is_zero() {
				return Zero::zero();
			}
			match T::Currency::burn_from(
				&pot,
				available,
				Preservation::Preserve,
				Precision::Exact,
				Fortitude::Polite,
			) {
				Ok(burned) => {
					TotalCommitted::<T>::mutate(|t| *t = t.saturating_add(burned));
					Self::deposit_event(Event::RewardCommitted {
						amount: burned,
						pot_remaining: T::Currency::balance(&pot),
					});
					burned
				},
				// The amount is the reducible balance just read, so the burn cannot fail; if it
				// ever did, paying nothing is the safe answer.
				Err(_) => {
					frame_support::defensive!("burning the pot's reducible balance failed");
					Zero::zero()
				},
			}
		}

		/// Invariants: the timing is within bounds; a pot that was endowed (presets give it the
		/// existential deposit) never falls below the existential deposit, because payouts
		/// preserve it.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			Self::check_timing(SessionLength::<T>::get(), SessionsPerEra::<T>::get())
				.map_err(|_| "session timing out of bounds")?;
			let balance = T::Currency::balance(&Self::account_id());
			ensure!(
				balance.is_zero() || balance >= T::Currency::minimum_balance(),
				"the reward pot holds dust"
			);
			Ok(())
		}
	}

	impl<T: Config> sp_staking::EraPayout<BalanceOf<T>> for Pallet<T> {
		/// The era's reward is what the pot holds above its existential deposit, burned now
		/// and minted back as stakers claim; nothing goes to "the rest".
		fn era_payout(
			_total_staked: BalanceOf<T>,
			_total_issuance: BalanceOf<T>,
			_era_duration_millis: u64,
		) -> (BalanceOf<T>, BalanceOf<T>) {
			(Self::commit_era_reward(), Zero::zero())
		}
	}

	impl<T: Config> OnUnbalanced<Credit<T::AccountId, T::Currency>> for Pallet<T> {
		/// Deposits a credit (e.g. the pot's share of a fee) into the pot.
		fn on_nonzero_unbalanced(credit: Credit<T::AccountId, T::Currency>) {
			// The presets endow the pot with the existential deposit, so any amount can be
			// deposited; a credit that could not (an unendowed pot and a credit below the
			// existential deposit) is dropped, i.e. burned, never minted.
			let _ = T::Currency::resolve(&Self::account_id(), credit);
		}
	}

	/// Counts staking rewards as they are minted (`pallet_staking::Config::Reward`), then lets
	/// the imbalance go (its drop is the mint).
	pub struct CountClaimed<T>(core::marker::PhantomData<T>);
	impl<T: Config, I: frame_support::traits::Imbalance<BalanceOf<T>>> OnUnbalanced<I>
		for CountClaimed<T>
	{
		fn on_nonzero_unbalanced(amount: I) {
			TotalClaimed::<T>::mutate(|t| *t = t.saturating_add(amount.peek()));
		}
	}

	/// Committed era rewards not yet minted back to stakers (unclaimed or expired): NXV out of
	/// issuance for now.
	pub struct Outstanding<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<BalanceOf<T>> for Outstanding<T> {
		fn get() -> BalanceOf<T> {
			TotalCommitted::<T>::get().saturating_sub(TotalClaimed::<T>::get())
		}
	}

	/// The session length in storage, for `pallet_session::PeriodicSessions`. Never below
	/// [`Config::MinSessionLength`]: a zero period would make every block's session check
	/// divide by zero, so unset storage (a state built without this pallet's genesis) reads as
	/// the minimum.
	pub struct SessionLengthOf<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<BlockNumberFor<T>> for SessionLengthOf<T> {
		fn get() -> BlockNumberFor<T> {
			SessionLength::<T>::get().max(T::MinSessionLength::get())
		}
	}

	/// The sessions per era in storage, for `pallet_staking::Config::SessionsPerEra`; never
	/// below one.
	pub struct SessionsPerEraOf<T>(core::marker::PhantomData<T>);
	impl<T: Config> Get<u32> for SessionsPerEraOf<T> {
		fn get() -> u32 {
			SessionsPerEra::<T>::get().max(1)
		}
	}
}
