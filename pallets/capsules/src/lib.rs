//! # Capsules
//!
//! The capsule registry: the supply side of the Nexus Vault market.
//!
//! ## Overview
//!
//! A *capsule* is a priced, rate-limited unit of AI access that a provider lists: an upstream
//! *offering* (a model family from a governance-curated list), a lane, prices per 1,000 input,
//! output, prompt-cache-read and prompt-cache-write units in the pricing unit (agents resend
//! large cached prefixes every turn, and upstreams bill cache reads at about a tenth of input
//! and writes above it: see [`Price`]), a capacity per quota window, concurrency, region, and
//! a commitment (hash) to the endpoint the provider hands the gateway off chain.
//!
//! Listing costs a **bond** (held NXV, slashable to compensate seekers through the reserve) and
//! a **storage deposit** per metadata byte; both come back when the capsule is retired and its
//! bond delay has passed. Each provider may list at most [`Config::MaxCapsulesPerProvider`].
//!
//! Price *increases and decreases* take effect only after [`Config::PriceNoticeDelay`] blocks,
//! so a quote a seeker got stays honest for that long. Capacity changes apply at once (they do
//! not change what anyone pays).
//!
//! Seekers' clients name models by the upstream's own ids (`claude-sonnet-4-6`,
//! `claude-opus-4-8`, `gpt-5-codex`); governance maps such **model aliases** to offerings
//! (`set_model_aliases`), so a gateway routes a request for `claude-opus-4-8` to the capsules of
//! `claude-opus`. An alias names one offering and is never itself an offering id; each offering
//! has at most [`Config::MaxAliasesPerOffering`].
//!
//! Only offerings whose terms permit resale may be listed. When governance flips an offering's
//! `resale_permitted` flag off, every capsule on it counts as suspended at once (the effective
//! status is derived, so no unbounded sweep is needed) and cannot resume until it is back on.
//!
//! **Trust** is an exponentially weighted average of session outcomes (served = 1, failed or
//! rolled back = 0) with weight [`Config::TrustSmoothing`] on the newest outcome; **uptime** is
//! the latest gateway health report. Both are `Permill`. Settlement reports them through
//! [`nexus_primitives::traits::CapsuleHealth`].
//!
//! ## Storage version and migrations
//!
//! Storage version 1: prices per 1,000 input, output, cache-read and cache-write units
//! ([`migrations`] lists every version). A change to a stored type or key comes with a
//! `migrations/vN.rs` (a `VersionedMigration` with pre- and post-upgrade checks and a unit
//! test), listed in the runtime's `Migrations`, and a version bump here.
//! `scripts/upgrade-check.sh` rehearses every upgrade on a snapshot of a running chain.
//!
//! ## Pallet API
//!
//! Providers: `register`, `announce_price`, `set_capacity`, `pause`, `resume`, `retire`,
//! `release_bond`. Governance: `set_offering` and `set_model_aliases` ([`Config::AdminOrigin`]);
//! `suspend` and
//! `unsuspend` ([`Config::SuspendOrigin`], the emergency track's power).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod impls;
pub mod migrations;
pub mod runtime_api;
pub mod types;
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
			fungible::{Inspect, Mutate, MutateHold},
			BuildGenesisConfig,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{traits::Saturating, Permill};

	/// The balance type of [`Config::Currency`].
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

	/// A capsule as this pallet stores it.
	pub type CapsuleOf<T> = Capsule<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		<T as Config>::MaxOfferingLen,
		<T as Config>::MaxRegionLen,
		<T as Config>::MaxMetadataLen,
	>;

	/// A registration request.
	pub type SpecOf<T> = CapsuleSpec<
		BalanceOf<T>,
		<T as Config>::MaxOfferingLen,
		<T as Config>::MaxRegionLen,
		<T as Config>::MaxMetadataLen,
	>;

	/// An offering id of this pallet.
	pub type OfferingIdOf<T> = OfferingId<<T as Config>::MaxOfferingLen>;

	/// An offering's model aliases.
	pub type AliasesOf<T> = BoundedVec<OfferingIdOf<T>, <T as Config>::MaxAliasesPerOffering>;

	/// The in-code storage version (see [`crate::migrations`]).
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A capsule's bond.
		CapsuleBond,
		/// A capsule's metadata storage deposit.
		MetadataDeposit,
	}

	/// Configuration of the capsule registry.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// NXV, in which bonds and deposits are held.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;
		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;
		/// Who curates offerings.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Who suspends and unsuspends capsules.
		type SuspendOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Bond held per capsule.
		#[pallet::constant]
		type CapsuleBond: Get<BalanceOf<Self>>;
		/// Deposit held per metadata byte.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;
		/// Blocks between `announce_price` and the new price applying.
		#[pallet::constant]
		type PriceNoticeDelay: Get<BlockNumberFor<Self>>;
		/// Blocks between `retire` and `release_bond`.
		#[pallet::constant]
		type BondReleaseDelay: Get<BlockNumberFor<Self>>;
		/// Most capsules one provider may have registered (retired ones count until released).
		#[pallet::constant]
		type MaxCapsulesPerProvider: Get<u32>;
		/// Longest offering id (and model alias).
		#[pallet::constant]
		type MaxOfferingLen: Get<u32>;
		/// Most model aliases one offering has.
		#[pallet::constant]
		type MaxAliasesPerOffering: Get<u32>;
		/// Longest region slug.
		#[pallet::constant]
		type MaxRegionLen: Get<u32>;
		/// Longest metadata.
		#[pallet::constant]
		type MaxMetadataLen: Get<u32>;
		/// Weight of the newest outcome in the trust average.
		#[pallet::constant]
		type TrustSmoothing: Get<Permill>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The next capsule id.
	#[pallet::storage]
	pub type NextCapsuleId<T> = StorageValue<_, CapsuleId, ValueQuery>;

	/// Registered capsules.
	// Hasher: Twox64Concat is safe: ids are sequential counters, not chosen by users.
	#[pallet::storage]
	pub type Capsules<T: Config> =
		StorageMap<_, Twox64Concat, CapsuleId, CapsuleOf<T>, OptionQuery>;

	/// The capsules of each provider.
	// Hasher: Blake2_128Concat because accounts are user-chosen keys.
	#[pallet::storage]
	pub type ProviderCapsules<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<CapsuleId, T::MaxCapsulesPerProvider>,
		ValueQuery,
	>;

	/// Curated upstream offerings and whether their terms permit resale.
	// Hasher: Blake2_128Concat: ids are set by governance, but hashing costs little here.
	#[pallet::storage]
	pub type Offerings<T: Config> =
		StorageMap<_, Blake2_128Concat, OfferingIdOf<T>, bool, OptionQuery>;

	/// Model ids that name an offering: alias → offering (see the module docs).
	// Hasher: Blake2_128Concat: ids are set by governance, but hashing costs little here.
	#[pallet::storage]
	pub type ModelAliases<T: Config> =
		StorageMap<_, Blake2_128Concat, OfferingIdOf<T>, OfferingIdOf<T>, OptionQuery>;

	/// Each offering's model aliases (the reverse of [`ModelAliases`]).
	#[pallet::storage]
	pub type OfferingAliases<T: Config> =
		StorageMap<_, Blake2_128Concat, OfferingIdOf<T>, AliasesOf<T>, ValueQuery>;

	/// The registry at genesis: offerings first, then their aliases, then capsules registered
	/// in order (ids from 0).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Offerings and whether their terms permit resale.
		pub offerings: alloc::vec::Vec<(alloc::vec::Vec<u8>, bool)>,
		/// Model aliases of offerings listed above.
		pub aliases: alloc::vec::Vec<(alloc::vec::Vec<u8>, alloc::vec::Vec<alloc::vec::Vec<u8>>)>,
		/// Capsules to register.
		pub capsules: alloc::vec::Vec<GenesisCapsule<T::AccountId, BalanceOf<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec: it runs when the spec
		// is built, never in a block.
		#[allow(clippy::panic)]
		fn build(&self) {
			for (offering, permitted) in &self.offerings {
				let Ok(id) = OfferingIdOf::<T>::try_from(offering.clone()) else {
					panic!("genesis offering id longer than MaxOfferingLen");
				};
				if id.is_empty() {
					panic!("genesis offering id is empty");
				}
				Offerings::<T>::insert(id, *permitted);
			}
			for (offering, aliases) in &self.aliases {
				let parsed = aliases
					.iter()
					.map(|a| OfferingIdOf::<T>::try_from(a.clone()))
					.collect::<Result<alloc::vec::Vec<_>, _>>()
					.ok()
					.and_then(|a| AliasesOf::<T>::try_from(a).ok());
				let (Ok(offering), Some(aliases)) =
					(OfferingIdOf::<T>::try_from(offering.clone()), parsed)
				else {
					panic!("genesis aliases longer than their bounds");
				};
				if let Err(e) = Pallet::<T>::do_set_aliases(offering, aliases) {
					panic!("genesis aliases cannot be set: {e:?}");
				}
			}
			for c in &self.capsules {
				let (Ok(offering), Ok(region), Ok(metadata)) = (
					c.offering.clone().try_into(),
					c.region.clone().try_into(),
					c.metadata.clone().try_into(),
				) else {
					panic!("genesis capsule field longer than its bound");
				};
				let spec = SpecOf::<T> {
					offering,
					lane: c.lane,
					price: c.price,
					capacity: c.capacity,
					window: c.window,
					concurrency: c.concurrency,
					region,
					endpoint_commitment: c.endpoint_commitment,
					metadata,
				};
				if let Err(e) = Pallet::<T>::do_register(c.owner.clone(), spec) {
					panic!("genesis capsule cannot be registered: {e:?}");
				}
			}
		}
	}

	/// Events of the capsule registry.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A capsule was registered.
		Registered {
			/// The new capsule.
			id: CapsuleId,
			/// Its provider.
			owner: T::AccountId,
			/// Bond held.
			bond: BalanceOf<T>,
			/// Metadata deposit held.
			deposit: BalanceOf<T>,
		},
		/// A price change was announced.
		PriceAnnounced {
			/// The capsule.
			id: CapsuleId,
			/// The new price.
			price: Price<BalanceOf<T>>,
			/// When it applies.
			effective_at: BlockNumberFor<T>,
		},
		/// Capacity, window or concurrency changed.
		CapacitySet {
			/// The capsule.
			id: CapsuleId,
			/// Units per window.
			capacity: u64,
			/// The quota window.
			window: QuotaWindow,
			/// Concurrent requests.
			concurrency: u32,
		},
		/// The provider paused a capsule.
		Paused {
			/// The capsule.
			id: CapsuleId,
		},
		/// The provider resumed a capsule.
		Resumed {
			/// The capsule.
			id: CapsuleId,
		},
		/// The provider retired a capsule.
		Retired {
			/// The capsule.
			id: CapsuleId,
			/// When its bond can be released.
			bond_release_at: BlockNumberFor<T>,
		},
		/// A retired capsule's bond and deposit were returned and the capsule removed.
		BondReleased {
			/// The capsule.
			id: CapsuleId,
			/// Bond returned.
			bond: BalanceOf<T>,
			/// Deposit returned.
			deposit: BalanceOf<T>,
		},
		/// Governance listed or updated an offering.
		OfferingSet {
			/// The offering.
			offering: OfferingIdOf<T>,
			/// Whether its terms permit resale.
			resale_permitted: bool,
		},
		/// Governance set an offering's model aliases (replacing the ones it had).
		ModelAliasesSet {
			/// The offering.
			offering: OfferingIdOf<T>,
			/// Its aliases now.
			aliases: AliasesOf<T>,
		},
		/// Governance suspended a capsule.
		Suspended {
			/// The capsule.
			id: CapsuleId,
		},
		/// Governance lifted a suspension.
		Unsuspended {
			/// The capsule.
			id: CapsuleId,
		},
	}

	/// Errors of the capsule registry.
	#[pallet::error]
	pub enum Error<T> {
		/// No capsule has this id.
		UnknownCapsule,
		/// The offering is not listed.
		UnknownOffering,
		/// The offering's terms do not permit resale.
		ResaleNotPermitted,
		/// One of the four prices is zero.
		ZeroPrice,
		/// Capacity is zero.
		ZeroCapacity,
		/// Concurrency is zero.
		ZeroConcurrency,
		/// The caller does not own the capsule.
		NotOwner,
		/// The provider has `MaxCapsulesPerProvider` capsules.
		TooManyCapsules,
		/// The capsule is retired.
		AlreadyRetired,
		/// The capsule is not active.
		NotActive,
		/// The capsule is not paused.
		NotPaused,
		/// The capsule is not suspended.
		NotSuspended,
		/// The capsule is suspended by governance or by its offering.
		CapsuleSuspended,
		/// The capsule is not retired.
		NotRetired,
		/// The bond delay has not passed.
		BondLocked,
		/// The free balance cannot cover bond and deposit.
		InsufficientBalance,
		/// A balance sum overflowed.
		Overflow,
		/// The offering id is empty.
		EmptyOffering,
		/// A model alias is empty.
		EmptyAlias,
		/// A model alias is an offering id (it would name two things).
		AliasIsOffering,
		/// A model alias already names another offering.
		AliasTaken,
		/// The same alias is given twice.
		DuplicateAlias,
		/// The offering id is already a model alias of an offering.
		OfferingIsAlias,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxCapsulesPerProvider::get() >= 1, "providers must be able to list");
			assert!(T::MaxOfferingLen::get() >= 1, "offering ids need a byte");
			assert!(T::MaxAliasesPerOffering::get() >= 1, "offerings need room for an alias");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register a capsule.
		///
		/// ## Dispatch Origin
		/// Signed by the provider.
		///
		/// ## Details
		/// The offering must be listed with resale permitted; prices, capacity and concurrency
		/// must be non-zero. Holds the bond and the metadata deposit.
		///
		/// ## Events
		/// [`Event::Registered`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register(spec.metadata.len() as u32))]
		pub fn register(origin: OriginFor<T>, spec: SpecOf<T>) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register(owner, spec).map(|_| ())
		}

		/// Announce a new price; it applies after [`Config::PriceNoticeDelay`] blocks.
		///
		/// ## Dispatch Origin
		/// Signed by the capsule's owner.
		///
		/// ## Details
		/// A matured earlier announcement is applied first; an unmatured one is replaced.
		///
		/// ## Events
		/// [`Event::PriceAnnounced`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::announce_price())]
		pub fn announce_price(
			origin: OriginFor<T>,
			id: CapsuleId,
			price: Price<BalanceOf<T>>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!price.has_zero(), Error::<T>::ZeroPrice);
			let now = frame_system::Pallet::<T>::block_number();
			// Saturating: at the last block number the change only comes later.
			let effective_at = now.saturating_add(T::PriceNoticeDelay::get());
			Self::mutate_owned(&who, id, |c| {
				ensure!(
					!matches!(c.status, CapsuleStatus::Retired { .. }),
					Error::<T>::AlreadyRetired
				);
				c.spec.price = Self::price_at(c, now);
				c.pending_price = Some(PendingPrice { price, effective_at });
				Ok(())
			})?;
			Self::deposit_event(Event::PriceAnnounced { id, price, effective_at });
			Ok(())
		}

		/// Change capacity, quota window and concurrency (at once).
		///
		/// ## Dispatch Origin
		/// Signed by the capsule's owner.
		///
		/// ## Events
		/// [`Event::CapacitySet`].
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_capacity())]
		pub fn set_capacity(
			origin: OriginFor<T>,
			id: CapsuleId,
			capacity: u64,
			window: QuotaWindow,
			concurrency: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(capacity > 0, Error::<T>::ZeroCapacity);
			ensure!(concurrency > 0, Error::<T>::ZeroConcurrency);
			Self::mutate_owned(&who, id, |c| {
				ensure!(
					!matches!(c.status, CapsuleStatus::Retired { .. }),
					Error::<T>::AlreadyRetired
				);
				c.spec.capacity = capacity;
				c.spec.window = window;
				c.spec.concurrency = concurrency;
				Ok(())
			})?;
			Self::deposit_event(Event::CapacitySet { id, capacity, window, concurrency });
			Ok(())
		}

		/// Take an active capsule off routing.
		///
		/// ## Dispatch Origin
		/// Signed by the capsule's owner.
		///
		/// ## Events
		/// [`Event::Paused`].
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::pause())]
		pub fn pause(origin: OriginFor<T>, id: CapsuleId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::mutate_owned(&who, id, |c| {
				ensure!(c.status == CapsuleStatus::Active, Error::<T>::NotActive);
				c.status = CapsuleStatus::Paused;
				Ok(())
			})?;
			Self::deposit_event(Event::Paused { id });
			Ok(())
		}

		/// Put a paused capsule back on routing (its offering must still permit resale).
		///
		/// ## Dispatch Origin
		/// Signed by the capsule's owner.
		///
		/// ## Events
		/// [`Event::Resumed`].
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::resume())]
		pub fn resume(origin: OriginFor<T>, id: CapsuleId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::mutate_owned(&who, id, |c| {
				ensure!(c.status == CapsuleStatus::Paused, Error::<T>::NotPaused);
				ensure!(
					Offerings::<T>::get(&c.spec.offering).unwrap_or(false),
					Error::<T>::ResaleNotPermitted
				);
				c.status = CapsuleStatus::Active;
				Ok(())
			})?;
			Self::deposit_event(Event::Resumed { id });
			Ok(())
		}

		/// Retire a capsule for good; its bond is released after [`Config::BondReleaseDelay`].
		///
		/// ## Dispatch Origin
		/// Signed by the capsule's owner.
		///
		/// ## Events
		/// [`Event::Retired`].
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::retire())]
		pub fn retire(origin: OriginFor<T>, id: CapsuleId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			// Saturating: at the last block number the release only comes later.
			let bond_release_at = frame_system::Pallet::<T>::block_number()
				.saturating_add(T::BondReleaseDelay::get());
			Self::mutate_owned(&who, id, |c| {
				ensure!(
					!matches!(c.status, CapsuleStatus::Retired { .. }),
					Error::<T>::AlreadyRetired
				);
				c.status = CapsuleStatus::Retired { bond_release_at };
				Ok(())
			})?;
			Self::deposit_event(Event::Retired { id, bond_release_at });
			Ok(())
		}

		/// Return a retired capsule's bond and deposit once the delay has passed, and remove
		/// the capsule.
		///
		/// ## Dispatch Origin
		/// Signed by the capsule's owner.
		///
		/// ## Events
		/// [`Event::BondReleased`].
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::release_bond(T::MaxCapsulesPerProvider::get()))]
		pub fn release_bond(origin: OriginFor<T>, id: CapsuleId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let capsule = Capsules::<T>::get(id).ok_or(Error::<T>::UnknownCapsule)?;
			ensure!(capsule.owner == who, Error::<T>::NotOwner);
			Self::do_release(id, capsule)
		}

		/// List an offering, or change whether its terms permit resale. Turning resale off
		/// suspends every capsule on the offering at once (see the module docs).
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::OfferingSet`].
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_offering())]
		pub fn set_offering(
			origin: OriginFor<T>,
			offering: OfferingIdOf<T>,
			resale_permitted: bool,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(!offering.is_empty(), Error::<T>::EmptyOffering);
			ensure!(!ModelAliases::<T>::contains_key(&offering), Error::<T>::OfferingIsAlias);
			Offerings::<T>::insert(&offering, resale_permitted);
			Self::deposit_event(Event::OfferingSet { offering, resale_permitted });
			Ok(())
		}

		/// Set the model ids that name `offering` (replacing its aliases; an empty list removes
		/// them). Each alias must be non-empty, not an offering id, not another offering's
		/// alias, and given once.
		///
		/// ## Dispatch Origin
		/// [`Config::AdminOrigin`].
		///
		/// ## Events
		/// [`Event::ModelAliasesSet`].
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::set_model_aliases(
			T::MaxAliasesPerOffering::get(),
			aliases.len() as u32,
		))]
		pub fn set_model_aliases(
			origin: OriginFor<T>,
			offering: OfferingIdOf<T>,
			aliases: AliasesOf<T>,
		) -> DispatchResultWithPostInfo {
			T::AdminOrigin::ensure_origin(origin)?;
			let old = Self::do_set_aliases(offering, aliases.clone())?;
			Ok(Some(T::WeightInfo::set_model_aliases(old, aliases.len() as u32)).into())
		}

		/// Suspend a capsule (abuse, failed audits, emergencies).
		///
		/// ## Dispatch Origin
		/// [`Config::SuspendOrigin`].
		///
		/// ## Events
		/// [`Event::Suspended`].
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::suspend())]
		pub fn suspend(origin: OriginFor<T>, id: CapsuleId) -> DispatchResult {
			T::SuspendOrigin::ensure_origin(origin)?;
			Capsules::<T>::try_mutate(id, |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::UnknownCapsule)?;
				ensure!(
					matches!(c.status, CapsuleStatus::Active | CapsuleStatus::Paused),
					Error::<T>::NotActive
				);
				c.status = CapsuleStatus::Suspended;
				Ok(())
			})?;
			Self::deposit_event(Event::Suspended { id });
			Ok(())
		}

		/// Lift a suspension; the capsule comes back paused, for its provider to resume.
		///
		/// ## Dispatch Origin
		/// [`Config::SuspendOrigin`].
		///
		/// ## Events
		/// [`Event::Unsuspended`].
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::unsuspend())]
		pub fn unsuspend(origin: OriginFor<T>, id: CapsuleId) -> DispatchResult {
			T::SuspendOrigin::ensure_origin(origin)?;
			Capsules::<T>::try_mutate(id, |c| -> DispatchResult {
				let c = c.as_mut().ok_or(Error::<T>::UnknownCapsule)?;
				ensure!(c.status == CapsuleStatus::Suspended, Error::<T>::NotSuspended);
				c.status = CapsuleStatus::Paused;
				Ok(())
			})?;
			Self::deposit_event(Event::Unsuspended { id });
			Ok(())
		}
	}
}
