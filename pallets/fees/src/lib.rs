//! # Fees
//!
//! The governed side of settlement: the fee parameters, the NXV price that converts the pricing
//! unit into NXV, and the ledger of settled flows.
//!
//! ## Overview
//!
//! Every settled receipt is priced in the **pricing unit** (the stable asset's smallest unit,
//! 10⁻⁶ USDN) and paid in a **payment asset**: the stable asset one-to-one, or NXV converted at
//! the NXV price held here. The protocol takes `take_rate` of what the seeker pays and splits
//! it between the treasury, the buyback/rebates pot, the validator reward pot and the reserve;
//! the provider keeps the rest (see [`nexus_primitives::settlement`] for the maths, which this
//! pallet never re-implements).
//!
//! ### Fee parameters
//!
//! [`FeeParams`] change only through [`Config::ParamsOrigin`] (Root until OpenGov's
//! fee-parameters track) and only within two kinds of bound:
//! - **hard bounds** that hold for every value ever stored: the shares sum to exactly 100%, the
//!   take rate is at most 30% (so providers always keep more than half), the combined discount cap
//!   is at most 30%, and the NXV discount is within that cap;
//! - **pace bounds**: no field moves by more than [`Config::MaxStep`] in one change, and changes
//!   are at least [`Config::ChangeCooldown`] blocks apart, so a captured vote cannot swing the
//!   market overnight.
//!
//! ### The NXV price
//!
//! [`Config::PriceOrigin`] sets the price of one NXV in the pricing unit. A price older than
//! [`Config::MaxPriceAge`] blocks is **stale**: settlement refuses to charge in NXV at it (the
//! receipt is rejected with a reason, nothing moves) until a fresh price is set. A later issue
//! replaces the governance price by an on-chain pool price behind the same
//! [`nexus_primitives::traits::FeePolicy`].
//!
//! ### Flows
//!
//! Settlement books every batch here: per payment asset, lifetime totals and a ring of
//! [`Config::FlowHistory`] buckets of [`Config::FlowBucketLength`] blocks each, so that
//! "flows since block N" and the reserve's trailing volume are answered with bounded work and
//! bounded storage. In every record the legs sum exactly to `net` (checked by `try_state`).
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
//! `set_params` ([`Config::ParamsOrigin`]), `set_nxv_price` ([`Config::PriceOrigin`]); the
//! runtime API in [`runtime_api`]; the trait [`nexus_primitives::traits::FeePolicy`] for the
//! metering pallet.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;
pub use types::*;
pub use weights::WeightInfo;

mod impls;
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
	use frame_support::{pallet_prelude::*, traits::BuildGenesisConfig};
	use frame_system::pallet_prelude::*;
	use nexus_primitives::settlement::FeeParams;
	use sp_runtime::{traits::Zero, Perbill};

	/// The current storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the fees pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// A payment asset's identifier.
		type AssetKind: Parameter + MaxEncodedLen + Ord;
		/// NXV, the native asset (paid at the NXV price, with the NXV discount).
		type NativeAsset: Get<Self::AssetKind>;
		/// The stable asset whose smallest unit is the pricing unit.
		type StableAsset: Get<Self::AssetKind>;
		/// Planck per NXV (10¹²): the NXV price is quoted per this many planck.
		#[pallet::constant]
		type NativeUnit: Get<u128>;
		/// Who changes the fee parameters.
		type ParamsOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Who sets the NXV price.
		type PriceOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The most any fee parameter may move in one change.
		#[pallet::constant]
		type MaxStep: Get<Perbill>;
		/// The fewest blocks between two changes of the fee parameters.
		#[pallet::constant]
		type ChangeCooldown: Get<BlockNumberFor<Self>>;
		/// Blocks after which an NXV price is stale and NXV payments stop.
		#[pallet::constant]
		type MaxPriceAge: Get<BlockNumberFor<Self>>;
		/// Blocks per flow bucket.
		#[pallet::constant]
		type FlowBucketLength: Get<BlockNumberFor<Self>>;
		/// Buckets kept (the furthest back `flows` can look).
		#[pallet::constant]
		type FlowHistory: Get<u32>;
		/// Buckets that make the reserve's trailing volume (at most `FlowHistory`).
		#[pallet::constant]
		type CoverageBuckets: Get<u32>;
		/// Enacted changes of the fee parameters kept in [`ParamsHistory`] (the oldest drop out).
		#[pallet::constant]
		type MaxParamsHistory: Get<u32>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The starting fee parameters: the defaults of docs/token-model.md ("Parameters, defaults and
	/// bounds").
	pub struct DefaultParams;
	impl Get<FeeParams> for DefaultParams {
		fn get() -> FeeParams {
			FeeParams::defaults()
		}
	}

	/// The fee parameters in force (always valid: every write is validated).
	#[pallet::storage]
	pub type Params<T> = StorageValue<_, FeeParams, ValueQuery, DefaultParams>;

	/// The block of the last change of the fee parameters (none since genesis: `None`).
	#[pallet::storage]
	pub type LastChange<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// The last [`Config::MaxParamsHistory`] enacted changes, oldest first: when, from what, to
	/// what. Settlement files each day's usage under the block its parameters were enacted at
	/// (metering's usage history), so the dashboard sets what a change was predicted to do
	/// beside what it did.
	#[pallet::storage]
	pub type ParamsHistory<T: Config> = StorageValue<
		_,
		BoundedVec<ParamsChange<BlockNumberFor<T>>, T::MaxParamsHistory>,
		ValueQuery,
	>;

	/// The NXV price and when it was set.
	#[pallet::storage]
	pub type NxvPrice<T: Config> = StorageValue<_, PriceRecord<BlockNumberFor<T>>, OptionQuery>;

	/// Lifetime flows per payment asset.
	// Hasher: Blake2_128Concat: asset ids are few, but hashing keeps keys uniform.
	#[pallet::storage]
	pub type Totals<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AssetKind, FlowTotals, ValueQuery>;

	/// A ring of flow buckets per asset: slot `bucket % FlowHistory` holds `(bucket, totals)`;
	/// a slot whose bucket is not the one asked for is empty. Bounded: `FlowHistory` slots per
	/// asset, never pruned.
	// Hasher: Twox64Concat for the slot (a small counter), Blake2_128Concat for the asset.
	#[pallet::storage]
	pub type Buckets<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		u32,
		Blake2_128Concat,
		T::AssetKind,
		(u32, FlowTotals),
		OptionQuery,
	>;

	/// Fee parameters and (optionally) an NXV price at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Starting fee parameters (`None`: the defaults).
		pub params: Option<FeeParams>,
		/// Starting NXV price in the pricing unit per NXV (`None`: no NXV payments until set).
		pub nxv_price: Option<u128>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		// Panicking is how a genesis build rejects an invalid chain spec.
		#[allow(clippy::panic)]
		fn build(&self) {
			if let Some(p) = self.params {
				if let Err(e) = p.validate() {
					panic!("genesis fee parameters are invalid: {e:?}");
				}
				Params::<T>::put(p);
			}
			if let Some(price) = self.nxv_price {
				if price == 0 {
					panic!("genesis NXV price is zero");
				}
				NxvPrice::<T>::put(PriceRecord { price, set_at: Zero::zero() });
			}
		}
	}

	/// Events of the fees pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The fee parameters changed.
		ParamsChanged {
			/// Before.
			old: FeeParams,
			/// After.
			new: FeeParams,
		},
		/// The NXV price was set.
		NxvPriceSet {
			/// The previous price (pricing units per NXV), if any.
			old: Option<u128>,
			/// The new price.
			new: u128,
		},
	}

	/// Errors of the fees pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// Treasury, buyback, validators and reserve shares do not sum to 100%.
		SharesDoNotSumToOne,
		/// The take rate is above the hard cap (30%): providers must keep more than half.
		TakeRateTooHigh,
		/// The maximum combined discount is above the hard cap (30%).
		DiscountCapTooHigh,
		/// The NXV discount alone exceeds the maximum combined discount.
		AssetDiscountAboveCap,
		/// A field moves by more than `MaxStep` in one change.
		StepTooLarge,
		/// The previous change was less than `ChangeCooldown` blocks ago.
		TooSoon,
		/// The new parameters equal those in force.
		Unchanged,
		/// A price of zero.
		ZeroPrice,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(
				T::NativeAsset::get() != T::StableAsset::get(),
				"NXV and the stable asset must differ"
			);
			assert!(T::NativeUnit::get() > 0, "NativeUnit must be positive");
			assert!(!T::MaxStep::get().is_zero(), "MaxStep of zero would freeze the parameters");
			assert!(T::MaxParamsHistory::get() > 0, "MaxParamsHistory must be positive");
			assert!(!T::FlowBucketLength::get().is_zero(), "FlowBucketLength must be positive");
			assert!(
				T::CoverageBuckets::get() > 0 && T::CoverageBuckets::get() <= T::FlowHistory::get(),
				"CoverageBuckets must be in 1..=FlowHistory"
			);
			assert_eq!(FeeParams::defaults().validate(), Ok(()), "defaults must be valid");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Replaces the fee parameters.
		///
		/// ## Dispatch Origin
		/// [`Config::ParamsOrigin`].
		///
		/// ## Details
		/// `new` must satisfy the hard bounds (shares sum to 100%, take rate ≤ 30%, discount
		/// cap ≤ 30%, NXV discount ≤ cap), differ from the parameters in force, move no field
		/// by more than [`Config::MaxStep`], and come at least [`Config::ChangeCooldown`] blocks
		/// after the previous change. Settlements from the next receipt on use it.
		///
		/// ## Events
		/// [`Event::ParamsChanged`] with the old and the new parameters.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, new: FeeParams) -> DispatchResult {
			T::ParamsOrigin::ensure_origin(origin)?;
			Self::do_set_params(new)
		}

		/// Sets the NXV price: how many pricing units (10⁻⁶ USDN) one NXV is worth.
		///
		/// ## Dispatch Origin
		/// [`Config::PriceOrigin`].
		///
		/// ## Details
		/// The price must be positive. It is fresh for [`Config::MaxPriceAge`] blocks.
		///
		/// ## Events
		/// [`Event::NxvPriceSet`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_nxv_price())]
		pub fn set_nxv_price(origin: OriginFor<T>, price: u128) -> DispatchResult {
			T::PriceOrigin::ensure_origin(origin)?;
			ensure!(price > 0, Error::<T>::ZeroPrice);
			let old = NxvPrice::<T>::get().map(|p| p.price);
			NxvPrice::<T>::put(PriceRecord {
				price,
				set_at: frame_system::Pallet::<T>::block_number(),
			});
			Self::deposit_event(Event::NxvPriceSet { old, new: price });
			Ok(())
		}
	}
}
