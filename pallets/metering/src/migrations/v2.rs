//! v1 → v2: version-1 receipts retire.
//!
//! Version 1 remembered every receipt id for the receipt window (`Receipts`), indexed by time
//! bucket for pruning (`ReceiptExpiry`, `PruneCursor`): two entries per receipt, 216 million at
//! 10,000 receipts a second. Version 2 replaces them with one sequence number per session and
//! one commitment per batch, and `submit_receipts` and `dispute` (by receipt id) are gone. This
//! migration:
//! - deletes `PruneCursor`;
//! - leaves the receipt ids to `on_idle`, which deletes as many a block as the block's spare weight
//!   allows ([`drain_legacy_receipts`]) while [`LegacyReceiptsLeft`] is set: a chain holding
//!   millions of ids upgrades in one ordinary block, and nothing reads them any more;
//! - keeps the disputes opened under version 1 ([`crate::Disputes`], with their deposits held):
//!   `resolve_dispute` rules them as before. A charge settled under version 1 and not yet disputed
//!   can no longer be disputed: enact the upgrade once the gateways have posted version 2 for a
//!   dispute window (`DisputeWindowMs`, 6 hours), and none is left.
//!
//! The retired items are reached by their storage keys (`twox128(pallet) ‖ twox128(item)`); the
//! values are never decoded.

use crate::{Config, LegacyReceiptsLeft, Pallet};
use frame_support::{
	migrations::VersionedMigration,
	storage::{storage_prefix, unhashed},
	traits::{Get, PalletInfoAccess, UncheckedOnRuntimeUpgrade},
	weights::Weight,
};
#[cfg(feature = "try-runtime")]
use {
	alloc::vec::Vec,
	codec::{Decode, Encode},
	frame_support::ensure,
	sp_runtime::TryRuntimeError,
};

/// The storage prefix of a retired item of this pallet.
fn retired<T: Config>(item: &[u8]) -> [u8; 32] {
	storage_prefix(<Pallet<T> as PalletInfoAccess>::name().as_bytes(), item)
}

/// Whether any key lies under `prefix`.
fn any_under(prefix: &[u8]) -> bool {
	sp_io::storage::next_key(prefix).is_some_and(|k| k.starts_with(prefix))
}

/// How many keys lie under `prefix` (try-runtime checks and tests).
#[cfg(any(feature = "try-runtime", test))]
pub(crate) fn keys_under(prefix: &[u8]) -> u64 {
	let mut n = 0u64;
	let mut key = prefix.to_vec();
	while let Some(next) = sp_io::storage::next_key(&key) {
		if !next.starts_with(prefix) {
			break;
		}
		n = n.saturating_add(1);
		key = next;
	}
	n
}

/// The two retired maps: receipt records, and their expiry index.
pub(crate) fn retired_maps<T: Config>() -> [[u8; 32]; 2] {
	[retired::<T>(b"Receipts"), retired::<T>(b"ReceiptExpiry")]
}

/// The retired pruning cursor's key.
pub(crate) fn retired_cursor<T: Config>() -> [u8; 32] {
	retired::<T>(b"PruneCursor")
}

/// The migration's body, run by [`MigrateV1ToV2`] only while the on-chain version is 1.
pub struct InnerMigrateV1ToV2<T>(core::marker::PhantomData<T>);

impl<T: Config> UncheckedOnRuntimeUpgrade for InnerMigrateV1ToV2<T> {
	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, TryRuntimeError> {
		let [receipts, expiry] = retired_maps::<T>();
		let disputes = u64::try_from(crate::Disputes::<T>::iter_keys().count()).unwrap_or(u64::MAX);
		Ok((keys_under(&receipts), keys_under(&expiry), disputes).encode())
	}

	fn on_runtime_upgrade() -> Weight {
		unhashed::kill(&retired_cursor::<T>());
		let left = retired_maps::<T>().iter().any(|p| any_under(p));
		if left {
			LegacyReceiptsLeft::<T>::put(true);
		}
		log::info!(
			target: "runtime::metering",
			"v2: version-1 receipts retired; {} left to on_idle",
			if left { "their ids are" } else { "no id is" }
		);
		T::DbWeight::get().reads_writes(2, 2)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(state: Vec<u8>) -> Result<(), TryRuntimeError> {
		let (receipts, expiry, disputes) =
			<(u64, u64, u64)>::decode(&mut &state[..]).map_err(|_| "bad pre-upgrade state")?;
		ensure!(unhashed::get_raw(&retired_cursor::<T>()).is_none(), "PruneCursor is still set");
		ensure!(
			LegacyReceiptsLeft::<T>::get() == (receipts > 0 || expiry > 0),
			"LegacyReceiptsLeft does not say whether version-1 receipt ids are left"
		);
		ensure!(
			u64::try_from(crate::Disputes::<T>::iter_keys().count()).unwrap_or(u64::MAX) ==
				disputes,
			"a version-1 dispute was lost"
		);
		Pallet::<T>::do_try_state()
	}
}

/// Deletes retired receipt ids within `limit` weight (`on_idle`, while [`LegacyReceiptsLeft`]
/// is set); returns the weight used. Clears the flag once none is left.
pub fn drain_legacy_receipts<T: Config>(limit: Weight) -> Weight {
	let db = T::DbWeight::get();
	let mut used = db.reads(1);
	if used.any_gt(limit) || !LegacyReceiptsLeft::<T>::get() {
		return if used.any_gt(limit) { Weight::zero() } else { used };
	}
	let mut done = true;
	for prefix in retired_maps::<T>() {
		// One write per key deleted, and one for the flag.
		let room = limit
			.saturating_sub(used)
			.saturating_sub(db.writes(1))
			.ref_time()
			.checked_div(db.writes(1).ref_time().max(1))
			.unwrap_or(0);
		let room = u32::try_from(room).unwrap_or(u32::MAX);
		if room == 0 {
			done = false;
			break;
		}
		let r = unhashed::clear_prefix(&prefix, Some(room), None);
		used.saturating_accrue(db.writes(u64::from(r.backend.max(r.unique))));
		if r.maybe_cursor.is_some() {
			done = false;
			break;
		}
	}
	if done {
		LegacyReceiptsLeft::<T>::kill();
		used.saturating_accrue(db.writes(1));
	}
	used
}

/// Metering storage v1 → v2 (see the module docs). Runs once: it checks the on-chain storage
/// version and sets it to 2.
pub type MigrateV1ToV2<T> = VersionedMigration<
	1,
	2,
	InnerMigrateV1ToV2<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
