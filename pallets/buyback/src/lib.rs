//! # Buyback / rebates pot
//!
//! Where the buyback/rebates leg of every protocol fee goes, and how it is spent: only in ways
//! tied to real usage, once per epoch, in the programme governance chose.
//!
//! ## Overview
//!
//! Settlement pays the pot's share of each fee (25% of the take by default) into this pallet's
//! account, in whatever asset the seeker paid: NXV or the stable asset (USDN). Settlement also
//! tells the pallet, through [`nexus_primitives::traits::UsageObserver`], what each seeker
//! spent (net, in the pricing unit; refunds are taken back). At the end of every epoch
//! ([`EpochLength`] blocks) the pot's *available* balance — what it holds above the existential
//! deposit, less rebates already owed — is spent in the [`Programme`] in force:
//!
//! - **Usage rebates**: each asset's available amount is shared among the epoch's seekers pro rata
//!   to their settled spend. Shares are computed on cumulative spend — seeker *i*, in the order the
//!   pass visits them, gets `⌊A·(Cᵢ₋₁+sᵢ)/S⌋ − ⌊A·Cᵢ₋₁/S⌋` — so they sum to exactly `A` with no
//!   dust, whatever the number of seekers. The pass is spread over blocks
//!   ([`Config::FinalizePerBlock`] seekers a block) so the work per block is bounded; each seeker's
//!   rebate becomes claimable ([`Pallet::claim_rebates`]) and is set aside ("owed") until claimed.
//!   An epoch with no spend carries the pot over.
//! - **Buyback and burn**: the available NXV is burned; the available stable asset is swapped for
//!   NXV on the stable/NXV pool ([`Config::Exchange`], `pallet-asset-conversion`) and the NXV
//!   bought is burned. The swap is bounded by the programme's maximum slippage, measured against
//!   the pool's spot price before the trade (price impact and the pool fee included): the pallet
//!   swaps the largest amount that stays within the bound and carries the rest to the next epoch,
//!   so a thin pool is bought from in slices rather than at any price. Total issuance falls by
//!   exactly the amount burned ([`Totals::burned`]).
//!
//! NXV has a fixed supply: buyback burns are the only way the protocol lowers it, and
//! [`Pallet::do_try_state`] checks `total issuance + burned + minted-back-later ==
//! issuance at genesis` ([`Config::IssuanceOutstanding`] is what other pallets took out of
//! issuance and will put back, such as staking rewards committed but not yet claimed).
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
//! - `set_programme(programme)` ([`Config::ProgrammeOrigin`], the fee-parameters track): the
//!   programme for the epochs that close from now on; the slippage bound is within `(0,
//!   MaxSlippage]`.
//! - `claim_rebates()` (signed): pays the caller every rebate owed to them, in both assets.
//! - [`runtime_api::BuybackApi`]: the epoch, the programme, the pot, what is owed, lifetime totals
//!   and one seeker's claimable rebates.
//!
//! ### Terminology
//!
//! - *Epoch*: `EpochLength` blocks; spend is tallied per epoch.
//! - *Available*: the pot's balance of an asset above its minimum, less rebates owed.
//! - *Owed*: rebates computed but not yet claimed; they stay in the pot.

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
use sp_runtime::Permill;

/// How the pot is spent at the end of an epoch.
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
	Default,
	serde::Serialize,
	serde::Deserialize,
)]
pub enum Programme {
	/// Rebates to the epoch's seekers, pro rata to their settled spend.
	#[default]
	Rebates,
	/// Swap the stable asset for NXV on the pool and burn all NXV.
	Buyback {
		/// The most the swap may fall short of the pool's spot price (impact and fee).
		max_slippage: Permill,
	},
}

/// An amount of each asset the pot handles.
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
	Default,
)]
pub struct Amounts {
	/// NXV, in planck.
	pub native: u128,
	/// The stable asset, in its smallest unit.
	pub stable: u128,
}

impl Amounts {
	/// Whether both are zero.
	pub fn is_zero(&self) -> bool {
		self.native == 0 && self.stable == 0
	}
	/// Adds `other`, saturating.
	pub fn saturating_add(self, other: Amounts) -> Amounts {
		Amounts {
			native: self.native.saturating_add(other.native),
			stable: self.stable.saturating_add(other.stable),
		}
	}
	/// Subtracts `other`, saturating at zero.
	pub fn saturating_sub(self, other: Amounts) -> Amounts {
		Amounts {
			native: self.native.saturating_sub(other.native),
			stable: self.stable.saturating_sub(other.stable),
		}
	}
}

/// Settled spend in one epoch.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct EpochTally {
	/// Total settled spend (pricing unit).
	pub spend: u128,
	/// Seekers with spend (entries in `Spend` for the epoch).
	pub seekers: u32,
}

/// An epoch being closed: its tallies are walked, a bounded number per block.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Closing {
	/// The epoch.
	pub epoch: u32,
	/// Its total spend (the denominator of every share).
	pub spend: u128,
	/// What is shared out (zero when the epoch's programme was buyback: the pass only clears).
	pub amounts: Amounts,
	/// Spend of the seekers visited so far.
	pub visited_spend: u128,
	/// What they were given so far.
	pub paid: Amounts,
	/// Seekers in the epoch.
	pub seekers: u32,
	/// Seekers left to visit.
	pub remaining: u32,
}

/// Lifetime totals of the programme.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Totals {
	/// Epochs closed.
	pub epochs: u32,
	/// Rebates granted (owed or claimed).
	pub rebated: Amounts,
	/// Rebates claimed.
	pub claimed: Amounts,
	/// Stable asset swapped for NXV.
	pub swapped_stable: u128,
	/// NXV bought with it.
	pub bought_native: u128,
	/// NXV burned (the pot's own NXV and what it bought).
	pub burned: u128,
}

// The FRAME macros expand to code with `expect` on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible, fungibles, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use nexus_primitives::traits::StableForNative;
	use sp_runtime::traits::{AccountIdConversion, Saturating, Zero};

	/// The in-code storage version (see the crate docs: no migration so far).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the buyback/rebates pot.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// The payment assets.
		type AssetKind: Parameter + MaxEncodedLen + Ord;
		/// NXV and the stable asset, as one `fungibles`.
		type Assets: fungibles::Mutate<Self::AccountId, AssetId = Self::AssetKind, Balance = u128>;
		/// NXV, for burning and total issuance.
		type Currency: fungible::Mutate<Self::AccountId, Balance = u128>;
		/// NXV's asset kind.
		#[pallet::constant]
		type NativeAsset: Get<Self::AssetKind>;
		/// The stable asset's kind.
		#[pallet::constant]
		type StableAsset: Get<Self::AssetKind>;
		/// The stable/NXV pool.
		type Exchange: StableForNative<Self::AccountId>;
		/// Derives the pot's account.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Who chooses the programme (the fee-parameters track).
		type ProgrammeOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The highest slippage a buyback may be allowed.
		#[pallet::constant]
		type MaxSlippage: Get<Permill>;
		/// Shortest epoch, in blocks.
		#[pallet::constant]
		type MinEpochLength: Get<BlockNumberFor<Self>>;
		/// Longest epoch, in blocks.
		#[pallet::constant]
		type MaxEpochLength: Get<BlockNumberFor<Self>>;
		/// Most seekers tallied in one epoch; spend of further new seekers in that epoch earns
		/// no rebate (and is reported).
		#[pallet::constant]
		type MaxSeekersPerEpoch: Get<u32>;
		/// Seekers visited per block while an epoch closes.
		#[pallet::constant]
		type FinalizePerBlock: Get<u32>;
		/// NXV other pallets took out of issuance and will put back (e.g. staking rewards
		/// burned from the reward pot at era end and minted as stakers claim).
		type IssuanceOutstanding: Get<u128>;
		/// Weights of this pallet's calls and hooks.
		type WeightInfo: WeightInfo;
	}

	/// Blocks per epoch.
	#[pallet::storage]
	pub type EpochLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The current epoch.
	#[pallet::storage]
	pub type CurrentEpoch<T> = StorageValue<_, u32, ValueQuery>;

	/// The block the current epoch started at.
	#[pallet::storage]
	pub type EpochStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The programme run when an epoch closes.
	#[pallet::storage]
	pub type ActiveProgramme<T> = StorageValue<_, Programme, ValueQuery>;

	/// Each seeker's settled spend in an epoch (pricing unit).
	#[pallet::storage]
	pub type Spend<T: Config> =
		StorageDoubleMap<_, Twox64Concat, u32, Blake2_128Concat, T::AccountId, u128, ValueQuery>;

	/// Each epoch's total spend and seekers (the current one and one being closed).
	#[pallet::storage]
	pub type Tallies<T> = StorageMap<_, Twox64Concat, u32, EpochTally, ValueQuery>;

	/// The epoch being closed, if any.
	#[pallet::storage]
	pub type Closings<T> = StorageValue<_, Closing, OptionQuery>;

	/// Rebates each seeker may claim.
	#[pallet::storage]
	pub type Claimable<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Amounts, ValueQuery>;

	/// Everything owed: claimable rebates plus what an open pass has yet to share.
	#[pallet::storage]
	pub type Owed<T> = StorageValue<_, Amounts, ValueQuery>;

	/// Lifetime totals.
	#[pallet::storage]
	pub type ProgrammeTotals<T> = StorageValue<_, Totals, ValueQuery>;

	/// Total issuance of NXV when the chain started (for the supply invariant).
	#[pallet::storage]
	pub type InitialIssuance<T> = StorageValue<_, u128, ValueQuery>;

	/// The epoch length and programme the chain starts with.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Blocks per epoch (0: [`Config::MaxEpochLength`]).
		pub epoch_length: BlockNumberFor<T>,
		/// The programme.
		pub programme: Programme,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec: it runs when the spec
		// is built, never in a block.
		#[allow(clippy::panic)]
		fn build(&self) {
			let length = if self.epoch_length.is_zero() {
				T::MaxEpochLength::get()
			} else {
				self.epoch_length
			};
			if length < T::MinEpochLength::get() || length > T::MaxEpochLength::get() {
				panic!("genesis epoch length is outside MinEpochLength..=MaxEpochLength");
			}
			if let Err(e) = Pallet::<T>::check_programme(&self.programme) {
				panic!("genesis programme is invalid: {e:?}");
			}
			EpochLength::<T>::put(length);
			ActiveProgramme::<T>::put(self.programme);
			InitialIssuance::<T>::put(
				<T::Currency as fungible::Inspect<T::AccountId>>::total_issuance(),
			);
		}
	}

	/// Events of the buyback/rebates pot.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An epoch closed; its programme runs.
		EpochClosed {
			/// The epoch.
			epoch: u32,
			/// The programme that runs.
			programme: Programme,
			/// Its settled spend (pricing unit).
			spend: u128,
			/// Seekers with spend.
			seekers: u32,
			/// What the pot had available.
			available: Amounts,
		},
		/// An epoch's rebates were all assigned: `amounts` is exactly what the pot had
		/// available at the close.
		RebatesAssigned {
			/// The epoch.
			epoch: u32,
			/// What was shared out.
			amounts: Amounts,
			/// Seekers it was shared among.
			seekers: u32,
		},
		/// The pot bought NXV and burned it.
		BoughtBack {
			/// The epoch.
			epoch: u32,
			/// Stable asset swapped.
			stable_in: u128,
			/// NXV it bought.
			native_out: u128,
			/// NXV burned (the pot's own NXV plus what it bought).
			burned: u128,
			/// Stable asset carried to the next epoch (beyond the slippage bound, or no pool).
			stable_carried: u128,
		},
		/// A seeker claimed rebates.
		RebatesClaimed {
			/// The seeker.
			who: T::AccountId,
			/// What was paid.
			amounts: Amounts,
		},
		/// The programme changed.
		ProgrammeChanged {
			/// Before.
			old: Programme,
			/// After.
			new: Programme,
		},
		/// An epoch already tallies `MaxSeekersPerEpoch` seekers: this new seeker's spend earns
		/// no rebate in it.
		SpendNotTallied {
			/// The epoch.
			epoch: u32,
			/// The seeker.
			who: T::AccountId,
			/// The spend left out.
			spend: u128,
		},
	}

	/// Errors of the buyback/rebates pot.
	#[pallet::error]
	pub enum Error<T> {
		/// A buyback's slippage bound is zero (no swap could ever pass) or above
		/// `MaxSlippage`.
		SlippageOutOfBounds,
		/// The caller has no rebates to claim.
		NothingToClaim,
		/// The pot cannot pay what it owes (an invariant is broken; nothing was paid).
		PotShort,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Closes the epoch when it is over, or advances the pass of the one closing.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			Self::on_block(n)
		}

		fn integrity_test() {
			assert!(!T::MinEpochLength::get().is_zero(), "an epoch needs a block");
			assert!(
				T::MinEpochLength::get() <= T::MaxEpochLength::get(),
				"epoch bounds are inverted"
			);
			assert!(!T::MaxSlippage::get().is_zero(), "a buyback needs some slippage");
			assert!(T::FinalizePerBlock::get() >= 1, "the pass must advance");
			assert!(T::MaxSeekersPerEpoch::get() >= 1, "an epoch must tally a seeker");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Choose the programme run when epochs close.
		///
		/// ## Dispatch Origin
		/// [`Config::ProgrammeOrigin`] (the fee-parameters track).
		///
		/// ## Details
		/// Applies from the next close. A buyback's `max_slippage` must be in
		/// `(0, MaxSlippage]`.
		///
		/// ## Errors
		/// [`Error::SlippageOutOfBounds`].
		///
		/// ## Events
		/// [`Event::ProgrammeChanged`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_programme())]
		pub fn set_programme(origin: OriginFor<T>, programme: Programme) -> DispatchResult {
			T::ProgrammeOrigin::ensure_origin(origin)?;
			Self::check_programme(&programme)?;
			let old = ActiveProgramme::<T>::get();
			ActiveProgramme::<T>::put(programme);
			Self::deposit_event(Event::ProgrammeChanged { old, new: programme });
			Ok(())
		}

		/// Claim every rebate owed to the caller, in both assets.
		///
		/// ## Dispatch Origin
		/// Signed: the seeker.
		///
		/// ## Errors
		/// [`Error::NothingToClaim`]; [`Error::PotShort`] if the pot cannot pay (never, while
		/// the invariants hold).
		///
		/// ## Events
		/// [`Event::RebatesClaimed`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_rebates())]
		pub fn claim_rebates(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(&who)
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pot's account.
		pub fn account_id() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		pub(crate) fn check_programme(programme: &Programme) -> DispatchResult {
			if let Programme::Buyback { max_slippage } = programme {
				ensure!(
					!max_slippage.is_zero() && *max_slippage <= T::MaxSlippage::get(),
					Error::<T>::SlippageOutOfBounds
				);
			}
			Ok(())
		}

		/// NXV and stable the pot holds above their minimums.
		pub fn holdings() -> Amounts {
			use frame_support::traits::tokens::{Fortitude, Preservation};
			let pot = Self::account_id();
			let held = |asset| {
				<T::Assets as fungibles::Inspect<T::AccountId>>::reducible_balance(
					asset,
					&pot,
					Preservation::Preserve,
					Fortitude::Polite,
				)
			};
			Amounts { native: held(T::NativeAsset::get()), stable: held(T::StableAsset::get()) }
		}

		/// What an epoch closing now could spend: the holdings less what is owed.
		pub fn available() -> Amounts {
			Self::holdings().saturating_sub(Owed::<T>::get())
		}

		/// Blocks of the current epoch still to run.
		pub fn epoch_end() -> BlockNumberFor<T> {
			EpochStart::<T>::get().saturating_add(EpochLength::<T>::get())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The state [`runtime_api::BuybackApi::buyback_status`] returns.
	pub fn status(
	) -> runtime_api::BuybackStatus<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>>
	{
		let epoch = CurrentEpoch::<T>::get();
		let tally = Tallies::<T>::get(epoch);
		runtime_api::BuybackStatus {
			account: Self::account_id(),
			programme: ActiveProgramme::<T>::get(),
			epoch,
			epoch_start: EpochStart::<T>::get(),
			epoch_end: Self::epoch_end(),
			epoch_spend: tally.spend,
			epoch_seekers: tally.seekers,
			holdings: Self::holdings(),
			owed: Owed::<T>::get(),
			available: Self::available(),
			closing_epoch: Closings::<T>::get().map(|c| c.epoch),
			totals: ProgrammeTotals::<T>::get(),
		}
	}
}
