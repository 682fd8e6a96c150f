//! v0 → v1: re-seats the receipt-pruning cursor.
//!
//! Receipt ids are remembered for the receipt window, in time buckets that `on_idle` prunes
//! upwards from [`PruneCursor`]. In v0, settlement set the cursor once, from the first receipt
//! it ever recorded (the first by id in that batch), and never moved it back: a receipt recorded
//! in an older bucket (another of that batch, or a later batch's receipt dated before it, within
//! the window) sat behind the cursor and was never pruned. The leak was bounded, to receipts
//! dated before the chain's first and recorded during the window after it (once pruning passes
//! the first bucket, an accepted receipt is never behind the cursor), but those ids stayed in
//! `Receipts` and `ReceiptExpiry` for ever. v1's settlement moves the cursor back to such a
//! bucket (`Pallet::prune_from`). This migration does the same for the entries a v0 chain
//! already leaked: it moves the cursor to the oldest bucket in use, and pruning then forgets
//! them as their window ends.
//!
//! Weight: one read per remembered receipt id (those of the last receipt window) and one write.
//! That suits the networks running today (development and test networks, a few thousand ids);
//! a chain holding millions of ids in its window would need it as a multi-block migration.

use crate::{Config, Pallet, PruneCursor, ReceiptExpiry};
use frame_support::{
	migrations::VersionedMigration,
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
#[cfg(feature = "try-runtime")]
use {
	alloc::vec::Vec,
	codec::{Decode, Encode},
	frame_support::ensure,
	sp_runtime::TryRuntimeError,
};

/// The migration's body, run by [`MigrateV0ToV1`] only while the on-chain version is 0.
pub struct InnerMigrateV0ToV1<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV0ToV1<T> {
	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
		// The cursor, and the oldest bucket in use: after the migration the cursor is the older.
		Ok((PruneCursor::<T>::get(), oldest_bucket::<T>().0).encode())
	}

	fn on_runtime_upgrade() -> Weight {
		let (oldest, entries) = oldest_bucket::<T>();
		let cursor = PruneCursor::<T>::get();
		let mut writes: u64 = 0;
		if let Some(oldest) = oldest {
			if Pallet::<T>::prune_from(oldest) {
				log::info!(
					target: "runtime::metering",
					"v1: pruning cursor moved back from bucket {cursor} to {oldest}"
				);
				writes = 1;
			}
		}
		T::DbWeight::get().reads_writes(entries.saturating_add(1), writes)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
		let (before, oldest) =
			<(u64, Option<u64>)>::decode(&mut &state[..]).map_err(|_| "bad pre-upgrade state")?;
		let expected = match oldest {
			Some(oldest) if before == 0 || oldest < before => oldest,
			_ => before,
		};
		ensure!(
			PruneCursor::<T>::get() == expected,
			"the pruning cursor is not at the older of itself and the oldest bucket in use"
		);
		// Every id now has its expiry entry at or past the cursor (and the rest of the pallet's
		// invariants hold).
		Pallet::<T>::do_try_state()
	}
}

/// The oldest bucket holding a receipt id, and how many entries were read to find it.
fn oldest_bucket<T: Config>() -> (Option<u64>, u64) {
	let mut read: u64 = 0;
	let mut oldest: Option<u64> = None;
	for (bucket, _) in ReceiptExpiry::<T>::iter_keys() {
		read = read.saturating_add(1);
		oldest = Some(oldest.map_or(bucket, |o| o.min(bucket)));
	}
	(oldest, read)
}

/// Metering storage v0 → v1 (see the module docs). Runs once: it checks the on-chain storage
/// version and sets it to 1.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	InnerMigrateV0ToV1<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
