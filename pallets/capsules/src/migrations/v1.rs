//! v0 → v1: capsule prices gain the two prompt-cache kinds.
//!
//! A v0 capsule has a price per 1,000 input and per 1,000 output units; v1 adds a price per
//! 1,000 cache-read and per 1,000 cache-write units (see [`crate::Price`]). Under v0 every
//! input unit, cached or not, was priced as plain input, so this migration gives each capsule,
//! and each announced price still pending, `per_1k_cache_read = per_1k_cache_write =
//! per_1k_input`: every quote and charge stays what it was. Providers then announce their
//! cache prices with `announce_price`, under the usual notice delay, so no seeker's quote
//! changes without notice.
//!
//! Weight: one read and one write per capsule. That suits the networks running today
//! (development and test networks, tens of capsules); a chain with many thousands would need
//! it as a multi-block migration.

use crate::{
	pallet::{BalanceOf, CapsuleOf, Capsules, Config, Pallet},
	CapsuleId, CapsuleSpec, CapsuleStatus, PendingPrice, Price,
};
use codec::{Decode, Encode};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::Permill;
#[cfg(feature = "try-runtime")]
use {alloc::vec::Vec, frame_support::ensure, sp_runtime::TryRuntimeError};

/// The v0 layout of a capsule, as stored before this migration.
pub mod v0 {
	use super::*;

	/// v0 prices: input and output only.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct Price<Balance> {
		/// Per 1,000 input units (cached or not).
		pub per_1k_input: Balance,
		/// Per 1,000 output units.
		pub per_1k_output: Balance,
	}

	/// A v0 pending price.
	#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct PendingPrice<Balance, BlockNumber> {
		/// The new price.
		pub price: Price<Balance>,
		/// First block at which it applies.
		pub effective_at: BlockNumber,
	}

	/// A v0 capsule: the v1 layout with v0 prices.
	#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
	pub struct Capsule<AccountId, Balance, BlockNumber, Offering, Region, Metadata> {
		pub(crate) owner: AccountId,
		pub(crate) offering: Offering,
		pub(crate) lane: crate::Lane,
		pub(crate) price: Price<Balance>,
		pub(crate) capacity: u64,
		pub(crate) window: crate::QuotaWindow,
		pub(crate) concurrency: u32,
		pub(crate) region: Region,
		pub(crate) endpoint_commitment: H256,
		pub(crate) metadata: Metadata,
		pub(crate) pending_price: Option<PendingPrice<Balance, BlockNumber>>,
		pub(crate) status: CapsuleStatus<BlockNumber>,
		pub(crate) bond: Balance,
		pub(crate) deposit: Balance,
		pub(crate) trust: Permill,
		pub(crate) uptime: Permill,
	}

	/// A v0 capsule of runtime `T`.
	pub type CapsuleOf<T> = Capsule<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		BoundedVec<u8, <T as Config>::MaxOfferingLen>,
		BoundedVec<u8, <T as Config>::MaxRegionLen>,
		BoundedVec<u8, <T as Config>::MaxMetadataLen>,
	>;
}

/// A v0 price in the v1 layout: cache reads and writes priced as plain input, as v0 did.
pub fn upgrade_price<Balance: Copy>(old: v0::Price<Balance>) -> Price<Balance> {
	Price {
		per_1k_input: old.per_1k_input,
		per_1k_output: old.per_1k_output,
		per_1k_cache_read: old.per_1k_input,
		per_1k_cache_write: old.per_1k_input,
	}
}

/// A v0 capsule in the v1 layout.
pub fn upgrade_capsule<T: Config>(old: v0::CapsuleOf<T>) -> CapsuleOf<T> {
	CapsuleOf::<T> {
		owner: old.owner,
		spec: CapsuleSpec {
			offering: old.offering,
			lane: old.lane,
			price: upgrade_price(old.price),
			capacity: old.capacity,
			window: old.window,
			concurrency: old.concurrency,
			region: old.region,
			endpoint_commitment: old.endpoint_commitment,
			metadata: old.metadata,
		},
		pending_price: old
			.pending_price
			.map(|p| PendingPrice { price: upgrade_price(p.price), effective_at: p.effective_at }),
		status: old.status,
		bond: old.bond,
		deposit: old.deposit,
		trust: old.trust,
		uptime: old.uptime,
	}
}

/// The migration's body, run by [`MigrateV0ToV1`] only while the on-chain version is 0.
pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
		// Every capsule as v0 stored it, to compare field by field afterwards.
		let old: Vec<(CapsuleId, v0::CapsuleOf<T>)> = Capsules::<T>::iter_keys()
			.map(|id| {
				let raw = Capsules::<T>::hashed_key_for(id);
				let capsule = frame_support::storage::unhashed::get::<v0::CapsuleOf<T>>(&raw)
					.ok_or("a capsule does not decode as v0")?;
				Ok((id, capsule))
			})
			.collect::<Result<_, TryRuntimeError>>()?;
		Ok(old.encode())
	}

	fn on_runtime_upgrade() -> Weight {
		let mut n: u64 = 0;
		Capsules::<T>::translate::<v0::CapsuleOf<T>, _>(|_id: CapsuleId, old| {
			n = n.saturating_add(1);
			Some(upgrade_capsule::<T>(old))
		});
		T::DbWeight::get().reads_writes(n, n)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
		let old = <Vec<(CapsuleId, v0::CapsuleOf<T>)>>::decode(&mut &state[..])
			.map_err(|_| "bad pre-upgrade state")?;
		ensure!(
			Capsules::<T>::iter_keys().count() == old.len(),
			"the migration added or dropped capsules"
		);
		for (id, before) in old {
			let after = Capsules::<T>::get(id).ok_or("a capsule is gone")?;
			ensure!(after == upgrade_capsule::<T>(before), "a capsule changed beyond its prices");
			let price = after.spec.price;
			ensure!(
				price.per_1k_cache_read == price.per_1k_input &&
					price.per_1k_cache_write == price.per_1k_input,
				"cache units are not priced as plain input"
			);
		}
		Pallet::<T>::do_try_state()
	}
}

/// Capsules storage v0 → v1 (see the module docs). Runs once: it checks the on-chain storage
/// version and sets it to 1.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	InnerMigrateV0ToV1<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
