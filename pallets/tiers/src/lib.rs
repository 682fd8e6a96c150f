//! # Tiers
//!
//! Seeker staking tiers and provider stake: the commitment side of the Nexus Vault market.
//!
//! ## Overview
//!
//! **Seekers** hold NXV to reach a *tier*. A tier buys better service from the gateway (a higher
//! rate limit, access to premium-lane capsules, a higher failover priority) and a *commitment
//! discount* on every settled receipt. The tier table is a governance parameter; each entry
//! names the active stake it needs. A seeker's tier is the highest entry whose threshold their
//! active stake reaches.
//!
//! **Providers** stake NXV against the uptime and trust of their capsules. Their reward
//! multiplier (used by milestone emissions) is a pure, capped function of stake, trust and
//! uptime, with a bonus for providers who take their payouts in NXV: see [`multiplier`].
//!
//! Stake is *held* from the account (`fungible` holds, one reason per ledger), never
//! transferred: it stays the staker's, cannot be spent, and is released only by
//! `withdraw_unbonded` after the unbonding delay.
//!
//! ### Why an unbonding delay
//!
//! `unstake` lowers the active stake — and with it the tier — at once, but the funds stay held
//! for [`Config::UnbondingDelay`] blocks. So a tier cannot be borrowed for one block (stake,
//! settle a large batch at the discount, unstake, move the NXV on): the NXV is committed for at
//! least the delay. `rebond` returns unlocking stake to active without waiting.
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
//! Seekers: [`Pallet::stake`], [`Pallet::unstake`], [`Pallet::rebond`],
//! [`Pallet::withdraw_unbonded`]. Providers: [`Pallet::provider_stake`],
//! [`Pallet::provider_unstake`], [`Pallet::provider_rebond`],
//! [`Pallet::provider_withdraw_unbonded`], [`Pallet::set_nxv_payouts`]. Governance
//! ([`Config::AdminOrigin`]): [`Pallet::set_tier_table`].
//!
//! Other pallets read tiers through [`nexus_primitives::traits::TierProvider`] and provider
//! multipliers through [`nexus_primitives::traits::ProviderMultiplier`].
//!
//! ### Terminology
//!
//! - *Active stake*: held NXV that counts for a tier or multiplier.
//! - *Unlocking chunk*: held NXV that no longer counts and is released at a known block.
//! - *Tier table*: the ordered list of [`TierParams`] in [`TierTable`]; index 0 is the entry tier
//!   (threshold 0).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub(crate) use impls::StakeKind;
pub use pallet::*;
pub use types::*;

mod impls;
pub mod multiplier;
pub mod runtime_api;
pub mod types;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use weights::WeightInfo;

// The FRAME macros expand to code with `expect` (on values they construct themselves); the
// pallet's own logic lives in `impls.rs`, where the workspace lints apply in full.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, InspectHold, Mutate, MutateHold},
			BuildGenesisConfig,
		},
	};
	use frame_system::pallet_prelude::*;
	use nexus_primitives::traits::ProviderReputation;
	use sp_runtime::{traits::Zero, FixedU128, Permill};

	/// The balance type of [`Config::Currency`].
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A stake ledger of this pallet.
	pub type LedgerOf<T> =
		StakeLedger<BalanceOf<T>, BlockNumberFor<T>, <T as Config>::MaxUnlockingChunks>;

	/// The tier table of this pallet.
	pub type TierTableOf<T> = BoundedTiers<BalanceOf<T>, <T as Config>::MaxTiers>;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A seeker's tier stake (active and unlocking).
		SeekerStake,
		/// A provider's stake against uptime and trust (active and unlocking).
		ProviderStake,
	}

	/// Configuration of the tiers pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The NXV currency stake is held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>
			+ InspectHold<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Who may replace the tier table (the fee-parameters track; Root until governance).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Trust and uptime of providers (the capsules pallet).
		type Reputation: ProviderReputation<Self::AccountId>;

		/// Blocks between `unstake` and the funds' release.
		#[pallet::constant]
		type UnbondingDelay: Get<BlockNumberFor<Self>>;

		/// The smallest active stake a ledger may keep (zero is always allowed): stops dust
		/// ledgers from filling state.
		#[pallet::constant]
		type MinStake: Get<BalanceOf<Self>>;

		/// Most entries a tier table may have (at most [`HardMaxTiers`]).
		#[pallet::constant]
		type MaxTiers: Get<u32>;

		/// Most unlocking chunks per ledger; `unstake` fails with `TooManyUnlockingChunks` past
		/// it (withdraw first).
		#[pallet::constant]
		type MaxUnlockingChunks: Get<u32>;

		/// The largest commitment discount a tier may give.
		#[pallet::constant]
		type MaxCommitmentDiscount: Get<Permill>;

		/// Provider stake at which the stake factor of the multiplier saturates.
		#[pallet::constant]
		type ProviderStakeForFullBoost: Get<BalanceOf<Self>>;

		/// The boost a provider with full stake, trust and uptime gets (multiplier `1 + boost`).
		#[pallet::constant]
		type MaxStakeBoost: Get<FixedU128>;

		/// The extra boost of providers who take their payouts in NXV.
		#[pallet::constant]
		type NxvPayoutBonus: Get<FixedU128>;

		/// The largest multiplier anyone can reach.
		#[pallet::constant]
		type MaxMultiplier: Get<FixedU128>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The tier table, ordered by strictly increasing threshold, entry 0 at threshold 0.
	#[pallet::storage]
	pub type TierTable<T: Config> = StorageValue<_, TierTableOf<T>, ValueQuery>;

	/// Seekers' tier stake.
	// Hasher: Blake2_128Concat because accounts are user-chosen keys.
	#[pallet::storage]
	pub type SeekerLedgers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, LedgerOf<T>, OptionQuery>;

	/// Providers' stake.
	// Hasher: Blake2_128Concat because accounts are user-chosen keys.
	#[pallet::storage]
	pub type ProviderLedgers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, LedgerOf<T>, OptionQuery>;

	/// Providers who take their payouts in NXV (and earn [`Config::NxvPayoutBonus`]).
	// Hasher: Blake2_128Concat because accounts are user-chosen keys.
	#[pallet::storage]
	pub type NxvPayouts<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, (), OptionQuery>;

	/// Genesis: the tier table.
	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The initial tier table (validated like `set_tier_table`).
		pub tiers: alloc::vec::Vec<TierParams<BalanceOf<T>>>,
	}

	/// Without a preset, the table has only the entry tier, and it grants nothing (no rate,
	/// no premium lanes, no discount): a chain spec must set the real table.
	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self { tiers: alloc::vec![TierParams::grants_nothing()] }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec: it runs when the spec
		// is built, never in a block.
		#[allow(clippy::panic)]
		fn build(&self) {
			let table: TierTableOf<T> = match self.tiers.clone().try_into() {
				Ok(t) => t,
				Err(_) => panic!("genesis tier table has more than MaxTiers entries"),
			};
			if let Err(e) = Pallet::<T>::validate_table(&table) {
				panic!("genesis tier table is invalid: {e:?}");
			}
			TierTable::<T>::put(table);
		}
	}

	/// Events of the tiers pallet. Each carries every amount it moved and the resulting state,
	/// so that indexers need no storage reads.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A seeker staked more.
		Staked {
			/// The seeker.
			who: T::AccountId,
			/// Newly held.
			amount: BalanceOf<T>,
			/// Active stake after the call.
			active: BalanceOf<T>,
			/// Tier after the call.
			tier: TierIndex,
		},
		/// A seeker started unbonding; the tier dropped at once.
		Unstaked {
			/// The seeker.
			who: T::AccountId,
			/// Moved from active to unlocking.
			amount: BalanceOf<T>,
			/// Active stake after the call.
			active: BalanceOf<T>,
			/// Tier after the call.
			tier: TierIndex,
			/// Block from which `withdraw_unbonded` releases `amount`.
			unlock_at: BlockNumberFor<T>,
		},
		/// A seeker moved unlocking stake back to active.
		Rebonded {
			/// The seeker.
			who: T::AccountId,
			/// Moved from unlocking to active.
			amount: BalanceOf<T>,
			/// Active stake after the call.
			active: BalanceOf<T>,
			/// Tier after the call.
			tier: TierIndex,
		},
		/// A seeker's matured unlocking stake was released.
		Withdrawn {
			/// The seeker.
			who: T::AccountId,
			/// Released to the free balance.
			amount: BalanceOf<T>,
		},
		/// A provider staked more.
		ProviderStaked {
			/// The provider.
			who: T::AccountId,
			/// Newly held.
			amount: BalanceOf<T>,
			/// Active stake after the call.
			active: BalanceOf<T>,
		},
		/// A provider started unbonding.
		ProviderUnstaked {
			/// The provider.
			who: T::AccountId,
			/// Moved from active to unlocking.
			amount: BalanceOf<T>,
			/// Active stake after the call.
			active: BalanceOf<T>,
			/// Block from which `provider_withdraw_unbonded` releases `amount`.
			unlock_at: BlockNumberFor<T>,
		},
		/// A provider moved unlocking stake back to active.
		ProviderRebonded {
			/// The provider.
			who: T::AccountId,
			/// Moved from unlocking to active.
			amount: BalanceOf<T>,
			/// Active stake after the call.
			active: BalanceOf<T>,
		},
		/// A provider's matured unlocking stake was released.
		ProviderWithdrawn {
			/// The provider.
			who: T::AccountId,
			/// Released to the free balance.
			amount: BalanceOf<T>,
		},
		/// A provider opted into or out of NXV-settled payouts.
		NxvPayoutsSet {
			/// The provider.
			who: T::AccountId,
			/// Whether payouts are now settled in NXV.
			enabled: bool,
		},
		/// Governance replaced the tier table.
		TierTableSet {
			/// The table before.
			old: TierTableOf<T>,
			/// The table now.
			new: TierTableOf<T>,
		},
	}

	/// Errors of the tiers pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The active stake would be above zero but below `MinStake`.
		BelowMinStake,
		/// The account has no stake ledger.
		NotStaking,
		/// Unstaking more than the active stake.
		InsufficientActiveStake,
		/// Rebonding more than is unlocking.
		InsufficientUnlocking,
		/// The ledger already has `MaxUnlockingChunks` chunks: withdraw first.
		TooManyUnlockingChunks,
		/// Nothing has finished unbonding yet.
		NothingToWithdraw,
		/// The free balance cannot cover the stake (or would fall below what must stay free).
		InsufficientBalance,
		/// A balance sum overflowed.
		Overflow,
		/// The tier table is empty.
		EmptyTierTable,
		/// The first tier's threshold is not zero.
		FirstTierNotFree,
		/// Thresholds do not strictly increase.
		ThresholdsNotIncreasing,
		/// A tier gives a worse rate limit, lane access, failover priority or discount than the
		/// tier below it.
		TierNotMonotonic,
		/// A tier's commitment discount is above `MaxCommitmentDiscount`.
		DiscountTooHigh,
		/// The table has more than `MaxTiers` entries.
		TooManyTiers,
		/// Opting in or out to the state already set.
		NxvPayoutsUnchanged,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxTiers::get() >= 1, "MaxTiers must allow one tier");
			assert!(
				T::MaxTiers::get() <= <HardMaxTiers as Get<u32>>::get(),
				"MaxTiers must not exceed HardMaxTiers"
			);
			assert!(T::MaxUnlockingChunks::get() >= 1, "MaxUnlockingChunks must be at least 1");
			assert!(!T::UnbondingDelay::get().is_zero(), "UnbondingDelay must be non-zero");
			assert!(
				T::MaxMultiplier::get() >= FixedU128::from_u32(1),
				"MaxMultiplier must be at least 1"
			);
			assert!(
				!T::ProviderStakeForFullBoost::get().is_zero(),
				"ProviderStakeForFullBoost must be non-zero"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Stake `amount` more NXV towards a tier.
		///
		/// ## Dispatch Origin
		/// Signed by the seeker.
		///
		/// ## Details
		/// Holds `amount` from the caller's free balance (reason `SeekerStake`) and adds it to
		/// the active stake; the tier follows at once.
		///
		/// ## Events
		/// [`Event::Staked`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::stake())]
		pub fn stake(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let active = Self::do_stake(&who, amount, StakeKind::Seeker)?;
			let tier = Self::tier_for(active);
			Self::deposit_event(Event::Staked { who, amount, active, tier });
			Ok(())
		}

		/// Start unbonding `amount` of the active stake.
		///
		/// ## Dispatch Origin
		/// Signed by the seeker.
		///
		/// ## Details
		/// The active stake, and with it the tier, drops at once; the funds stay held until
		/// `now + UnbondingDelay`, then `withdraw_unbonded` releases them. The remaining active
		/// stake must be zero or at least `MinStake`.
		///
		/// ## Events
		/// [`Event::Unstaked`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::unstake())]
		pub fn unstake(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (active, unlock_at) = Self::do_unstake(&who, amount, StakeKind::Seeker)?;
			let tier = Self::tier_for(active);
			Self::deposit_event(Event::Unstaked { who, amount, active, tier, unlock_at });
			Ok(())
		}

		/// Move `amount` of unlocking stake back to active (newest chunks first).
		///
		/// ## Dispatch Origin
		/// Signed by the seeker.
		///
		/// ## Events
		/// [`Event::Rebonded`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnlockingChunks::get()))]
		pub fn rebond(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let active = Self::do_rebond(&who, amount, StakeKind::Seeker)?;
			let tier = Self::tier_for(active);
			Self::deposit_event(Event::Rebonded { who, amount, active, tier });
			Ok(())
		}

		/// Release every unlocking chunk that has matured.
		///
		/// ## Dispatch Origin
		/// Signed by the seeker.
		///
		/// ## Details
		/// Releases the held funds of matured chunks to the free balance. A ledger left with no
		/// stake at all is removed.
		///
		/// ## Events
		/// [`Event::Withdrawn`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnlockingChunks::get()))]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let amount = Self::do_withdraw(&who, StakeKind::Seeker)?;
			Self::deposit_event(Event::Withdrawn { who, amount });
			Ok(())
		}

		/// Replace the tier table.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Details
		/// The table must be non-empty, start at threshold 0, have strictly increasing
		/// thresholds, never give a higher tier less (rate limit, premium lanes, failover
		/// priority, discount) than a lower one, and keep every discount within
		/// `MaxCommitmentDiscount`. Seekers' tiers follow the new table at once.
		///
		/// ## Events
		/// [`Event::TierTableSet`] with the old and the new table.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_tier_table(T::MaxTiers::get()))]
		pub fn set_tier_table(
			origin: OriginFor<T>,
			tiers: alloc::vec::Vec<TierParams<BalanceOf<T>>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			let new: TierTableOf<T> = tiers.try_into().map_err(|_| Error::<T>::TooManyTiers)?;
			Self::validate_table(&new)?;
			let old = TierTable::<T>::get();
			TierTable::<T>::put(&new);
			Self::deposit_event(Event::TierTableSet { old, new });
			Ok(())
		}

		/// Stake `amount` more NXV as a provider.
		///
		/// ## Dispatch Origin
		/// Signed by the provider.
		///
		/// ## Events
		/// [`Event::ProviderStaked`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::stake())]
		pub fn provider_stake(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let active = Self::do_stake(&who, amount, StakeKind::Provider)?;
			Self::deposit_event(Event::ProviderStaked { who, amount, active });
			Ok(())
		}

		/// Start unbonding `amount` of a provider's active stake.
		///
		/// ## Dispatch Origin
		/// Signed by the provider.
		///
		/// ## Events
		/// [`Event::ProviderUnstaked`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::unstake())]
		pub fn provider_unstake(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let (active, unlock_at) = Self::do_unstake(&who, amount, StakeKind::Provider)?;
			Self::deposit_event(Event::ProviderUnstaked { who, amount, active, unlock_at });
			Ok(())
		}

		/// Move `amount` of a provider's unlocking stake back to active.
		///
		/// ## Dispatch Origin
		/// Signed by the provider.
		///
		/// ## Events
		/// [`Event::ProviderRebonded`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::rebond(T::MaxUnlockingChunks::get()))]
		pub fn provider_rebond(
			origin: OriginFor<T>,
			#[pallet::compact] amount: BalanceOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let active = Self::do_rebond(&who, amount, StakeKind::Provider)?;
			Self::deposit_event(Event::ProviderRebonded { who, amount, active });
			Ok(())
		}

		/// Release a provider's matured unlocking stake.
		///
		/// ## Dispatch Origin
		/// Signed by the provider.
		///
		/// ## Events
		/// [`Event::ProviderWithdrawn`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded(T::MaxUnlockingChunks::get()))]
		pub fn provider_withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let amount = Self::do_withdraw(&who, StakeKind::Provider)?;
			Self::deposit_event(Event::ProviderWithdrawn { who, amount });
			Ok(())
		}

		/// Opt into (or out of) NXV-settled payouts, which add [`Config::NxvPayoutBonus`] to
		/// the provider's multiplier.
		///
		/// ## Dispatch Origin
		/// Signed by the provider.
		///
		/// ## Events
		/// [`Event::NxvPayoutsSet`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_nxv_payouts())]
		pub fn set_nxv_payouts(origin: OriginFor<T>, enabled: bool) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(
				NxvPayouts::<T>::contains_key(&who) != enabled,
				Error::<T>::NxvPayoutsUnchanged
			);
			if enabled {
				NxvPayouts::<T>::insert(&who, ());
			} else {
				NxvPayouts::<T>::remove(&who);
			}
			Self::deposit_event(Event::NxvPayoutsSet { who, enabled });
			Ok(())
		}
	}
}
