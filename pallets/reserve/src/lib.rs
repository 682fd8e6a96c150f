//! # Reserve
//!
//! The pot that makes the market safe to use: "reserve coverage before yield".
//!
//! ## Overview
//!
//! Every settled receipt sends the reserve its share of the protocol's take (30% of the take
//! by default, plus the split's rounding dust), in the asset the seeker paid. The reserve pays:
//! - **refunds** to seekers when a charged request is rolled back by its provider or a dispute is
//!   upheld (called by the metering pallet through [`nexus_primitives::traits::ReserveFund`]; the
//!   provider's or gateway's bond is slashed into the reserve to refill it). A refund is paid in
//!   full or not at all: when the reserve is short, the rollback or ruling fails and the charge
//!   stays refundable until the reserve is funded again;
//! - **claims** for abuse losses and emergency actions, approved by [`Config::ClaimOrigin`] (Root
//!   until OpenGov's reserve track).
//!
//! ### Coverage
//!
//! The reserve's value (every asset it holds, in the pricing unit) is compared with the
//! settled volume over the trailing coverage window (from the fees pallet): the **coverage
//! ratio**. The **target** value is `max(MinReserve, TargetCoverage × trailing volume)`. What
//! is above the target is **overflow**, and goes to the treasury: anyone may call
//! `sweep_overflow`, and the pallet sweeps by itself every [`Config::SweepPeriod`] blocks in
//! `on_idle`. The stable asset is swept first; NXV is valued at the last NXV price.
//!
//! The reserve account is a [`Config::PalletId`] account kept alive by a provider reference
//! from genesis; payments never take it below the existential deposit (or an asset's minimum
//! balance), so no dust is ever burnt.
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
//! `pay_claim` ([`Config::ClaimOrigin`]), `sweep_overflow` (anyone); the runtime API
//! [`runtime_api::ReserveApi`].

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

pub use pallet::*;
pub use weights::WeightInfo;

mod impls;
pub mod runtime_api;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// A payment asset's identifier, as the reserve's `Config::Assets` names it.
pub type AssetOf<T> = <T as Config>::AssetKind;

// The FRAME macros expand to code with `expect` on values they construct themselves.
#[allow(clippy::expect_used)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{fungibles, BuildGenesisConfig},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use nexus_primitives::traits::FeePolicy;
	use sp_core::H256;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	/// The current storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the reserve.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
		/// A payment asset's identifier.
		type AssetKind: Parameter + MaxEncodedLen + Ord;
		/// NXV and the stable asset, as one `fungibles` (e.g. `UnionOf<Balances, Assets>`).
		type Assets: fungibles::Mutate<Self::AccountId, AssetId = Self::AssetKind, Balance = u128>;
		/// NXV.
		type NativeAsset: Get<Self::AssetKind>;
		/// The stable asset (swept first).
		type StableAsset: Get<Self::AssetKind>;
		/// Conversion to the pricing unit and the trailing settled volume.
		type Policy: FeePolicy<Self::AssetKind>;
		/// The reserve's account id.
		#[pallet::constant]
		type PalletId: Get<PalletId>;
		/// Where overflow goes.
		type Treasury: Get<Self::AccountId>;
		/// Who approves claims on the reserve.
		type ClaimOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// The target reserve as a share of trailing settled volume.
		#[pallet::constant]
		type TargetCoverage: Get<Perbill>;
		/// The reserve value (pricing unit) never swept away, whatever the volume.
		#[pallet::constant]
		type MinReserve: Get<u128>;
		/// Blocks between automatic sweeps.
		#[pallet::constant]
		type SweepPeriod: Get<BlockNumberFor<Self>>;
		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// What the reserve has paid out, per asset: refunds and claims.
	// Hasher: Blake2_128Concat: asset ids are few, but hashing keeps keys uniform.
	#[pallet::storage]
	pub type Paid<T: Config> = StorageMap<_, Blake2_128Concat, T::AssetKind, u128, ValueQuery>;

	/// What has been swept to the treasury, per asset.
	// Hasher: as `Paid`.
	#[pallet::storage]
	pub type Swept<T: Config> = StorageMap<_, Blake2_128Concat, T::AssetKind, u128, ValueQuery>;

	/// The block of the last sweep.
	#[pallet::storage]
	pub type LastSweep<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Makes the reserve account exist from genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let account = Pallet::<T>::account_id();
			if !frame_system::Pallet::<T>::account_exists(&account) {
				frame_system::Pallet::<T>::inc_providers(&account);
			}
		}
	}

	/// Events of the reserve.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A refund was paid (settlement's rollback or an upheld dispute).
		RefundPaid {
			/// The asset.
			asset: T::AssetKind,
			/// To whom.
			to: T::AccountId,
			/// The amount (always the full refund: the reserve never pays part of one).
			amount: u128,
		},
		/// A governance-approved claim was paid.
		ClaimPaid {
			/// The asset.
			asset: T::AssetKind,
			/// To whom.
			to: T::AccountId,
			/// How much.
			amount: u128,
			/// Hash of the claim's evidence.
			reason: H256,
		},
		/// Overflow above the coverage target went to the treasury.
		OverflowSwept {
			/// The asset.
			asset: T::AssetKind,
			/// How much (in the asset).
			amount: u128,
			/// The target value (pricing unit) at the sweep.
			target: u128,
		},
	}

	/// Errors of the reserve.
	#[pallet::error]
	pub enum Error<T> {
		/// A claim of zero.
		ZeroAmount,
		/// The reserve does not hold enough of the asset (above its minimum balance).
		InsufficientReserve,
		/// The asset is not a payment asset.
		UnsupportedAsset,
		/// The reserve is not above its target: nothing to sweep.
		NoOverflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			let cost = T::WeightInfo::sweep_overflow();
			let due = n >= LastSweep::<T>::get().saturating_add(T::SweepPeriod::get());
			if !due || remaining.any_lt(cost) {
				return Weight::zero();
			}
			// Nothing to sweep is the normal case; the sweep is retried next period.
			let _ = Self::do_sweep();
			LastSweep::<T>::put(n);
			cost
		}

		fn integrity_test() {
			assert!(T::NativeAsset::get() != T::StableAsset::get(), "assets must differ");
			assert!(!T::SweepPeriod::get().is_zero(), "SweepPeriod must be positive");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pays a claim on the reserve: an abuse loss or an emergency action.
		///
		/// ## Dispatch Origin
		/// [`Config::ClaimOrigin`].
		///
		/// ## Details
		/// Pays `amount` of `asset` to `to` in full, or fails with `InsufficientReserve`; the
		/// reserve keeps its minimum balance. `reason` is the hash of the claim's evidence.
		///
		/// ## Events
		/// [`Event::ClaimPaid`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::pay_claim())]
		pub fn pay_claim(
			origin: OriginFor<T>,
			asset: T::AssetKind,
			to: T::AccountId,
			amount: u128,
			reason: H256,
		) -> DispatchResult {
			T::ClaimOrigin::ensure_origin(origin)?;
			Self::do_pay_claim(asset, to, amount, reason)
		}

		/// Sends the reserve's value above its coverage target to the treasury.
		///
		/// ## Dispatch Origin
		/// Signed, by anyone.
		///
		/// ## Details
		/// Fails with `NoOverflow` when the reserve is at or below its target. The fee is
		/// refunded when something was swept.
		///
		/// ## Events
		/// [`Event::OverflowSwept`] per asset moved.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::sweep_overflow())]
		pub fn sweep_overflow(origin: OriginFor<T>) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_sweep()?;
			LastSweep::<T>::put(frame_system::Pallet::<T>::block_number());
			Ok(Pays::No.into())
		}
	}
}
