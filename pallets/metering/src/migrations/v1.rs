//! v0 → v1: re-seats the receipt-pruning cursor.
//!
//! Receipt ids are remembered for the receipt window, in time buckets that `on_idle` prunes
//! upwards from [`PruneCursor`]. In v0, settlement set the cursor once, from the first receipt
//! it ever recorded (the first by id in that batch), and never moved it back: any receipt
//! recorded in an older bucket (another of that batch, or a later batch's receipt dated up to a
//! window earlier) sat behind the cursor and was never pruned, so `Receipts` and
//! `ReceiptExpiry` grew without bound. v1's settlement moves the cursor back to such a bucket.
//! This migration does the same for the entries a v0 chain already leaked: it moves the cursor
//! to the oldest bucket in use, and pruning then forgets them as their window ends.
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
	crate::Receipts,
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
		let ids = u64::try_from(Receipts::<T>::iter_keys().count()).unwrap_or(u64::MAX);
		Ok(ids.encode())
	}

	fn on_runtime_upgrade() -> Weight {
		let mut reads: u64 = 1;
		let mut oldest: Option<u64> = None;
		for (bucket, _) in ReceiptExpiry::<T>::iter_keys() {
			reads = reads.saturating_add(1);
			oldest = Some(oldest.map_or(bucket, |o| o.min(bucket)));
		}
		let cursor = PruneCursor::<T>::get();
		let mut writes: u64 = 0;
		if let Some(oldest) = oldest {
			if cursor == 0 || oldest < cursor {
				log::info!(
					target: "runtime::metering",
					"v1: pruning cursor moved back from bucket {cursor} to {oldest}"
				);
				PruneCursor::<T>::put(oldest);
				writes = 1;
			}
		}
		T::DbWeight::get().reads_writes(reads, writes)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
		let before = u64::decode(&mut &state[..]).map_err(|_| "bad pre-upgrade state")?;
		let after = u64::try_from(Receipts::<T>::iter_keys().count()).unwrap_or(u64::MAX);
		ensure!(before == after, "the migration lost or added receipt ids");
		let cursor = PruneCursor::<T>::get();
		ensure!(
			ReceiptExpiry::<T>::iter_keys().all(|(bucket, _)| bucket >= cursor),
			"a receipt id is still behind the pruning cursor"
		);
		Ok(())
	}
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
