//! v0 → v1: re-seated the receipt-pruning cursor of version-1 receipt ids.
//!
//! In v0, settlement set the pruning cursor once and never moved it back, so receipt ids dated
//! before the chain's first could stay in `Receipts` and `ReceiptExpiry` for ever; this
//! migration moved the cursor back to the oldest bucket in use. Storage version 2 ([`super::v2`])
//! deletes the ids, their expiry index and the cursor altogether, so a v0 chain has nothing
//! left to re-seat: the step only sets the version to 1, and v2 follows it.

use crate::Pallet;
use frame_support::{
	migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade, weights::Weight,
};

/// Nothing to move: [`MigrateV0ToV1`] only sets the version.
pub struct NothingToMove;

impl UncheckedOnRuntimeUpgrade for NothingToMove {
	fn on_runtime_upgrade() -> Weight {
		Weight::zero()
	}
}

/// Metering storage v0 → v1: sets the on-chain storage version to 1 (see the module docs).
pub type MigrateV0ToV1<T> =
	VersionedMigration<0, 1, NothingToMove, Pallet<T>, <T as frame_system::Config>::DbWeight>;
