//! Storage migrations: v1 → v2 retires version-1 receipts.

use super::*;
use crate::{
	migrations::v2::{keys_under, retired_cursor, retired_maps, MigrateV1ToV2},
	pallet::LegacyReceiptsLeft,
};
use codec::Encode;
use frame_support::{
	storage::unhashed,
	traits::{GetStorageVersion, Hooks, OnRuntimeUpgrade, StorageVersion},
	weights::{RuntimeDbWeight, Weight},
};

/// A storage-version-1 chain as version 1 left it: `n` receipt ids with their expiry entries,
/// a pruning cursor, and one open version-1 dispute.
fn a_version_1_chain(n: u8) {
	let [receipts, expiry] = retired_maps::<Test>();
	for i in 0..n {
		let id = [i; 16];
		// Keys as the retired maps hashed them: Blake2_128Concat(id), Twox64Concat(bucket).
		let mut key = receipts.to_vec();
		key.extend(sp_io::hashing::blake2_128(&id));
		key.extend(id);
		unhashed::put_raw(&key, &[1, 2, 3]);
		let mut key = expiry.to_vec();
		key.extend(sp_io::hashing::twox_64(&7u64.encode()));
		key.extend(7u64.encode());
		key.extend(sp_io::hashing::blake2_128(&id));
		key.extend(id);
		unhashed::put_raw(&key, &[]);
	}
	unhashed::put(&retired_cursor::<Test>(), &7u64);
	StorageVersion::new(1).put::<Metering>();
}

fn db() -> RuntimeDbWeight {
	<Test as frame_system::Config>::DbWeight::get()
}

#[test]
fn the_v2_migration_deletes_the_cursor_and_leaves_the_ids_to_on_idle() {
	let [receipts, expiry] = [retired_maps::<Test>()[0], retired_maps::<Test>()[1]];
	let mut ext = new_test_ext();
	ext.execute_with(|| {
		a_version_1_chain(10);
		assert_eq!((keys_under(&receipts), keys_under(&expiry)), (10, 10));
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Metering::on_chain_storage_version(), StorageVersion::new(2));
		assert_eq!(unhashed::get_raw(&retired_cursor::<Test>()), None);
		assert!(LegacyReceiptsLeft::<Test>::get());
		// Nothing else was touched: the ids are still there for on_idle.
		assert_eq!(keys_under(&receipts), 10);
	});
	// The upgrade's block is committed: on_idle meets the ids in the database, in later blocks.
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		// Room for 8 deletions (and the flag's read and write): 8 go ...
		let room = db().reads(1) + db().writes(9);
		let used = crate::migrations::v2::drain_legacy_receipts::<Test>(room);
		assert_eq!(used, db().reads(1) + db().writes(8));
		assert_eq!((keys_under(&receipts), keys_under(&expiry)), (2, 10));
		assert!(LegacyReceiptsLeft::<Test>::get());
		// ... and with no room, none.
		assert_eq!(
			crate::migrations::v2::drain_legacy_receipts::<Test>(Weight::zero()),
			Weight::zero()
		);
	});
	ext.commit_all().unwrap();
	ext.execute_with(|| {
		// A block's on_idle with ample room: the rest go, and the flag with them.
		run_to(2);
		Metering::on_idle(2, Weight::MAX);
		assert_eq!((keys_under(&receipts), keys_under(&expiry)), (0, 0));
		assert!(!LegacyReceiptsLeft::<Test>::get());
		// From then on, one read a block.
		assert_eq!(
			crate::migrations::v2::drain_legacy_receipts::<Test>(Weight::MAX),
			db().reads(1)
		);
		Metering::do_try_state().unwrap();
		// Once applied, the migration does nothing.
		a_version_1_chain(1);
		StorageVersion::new(2).put::<Metering>();
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert!(unhashed::get_raw(&retired_cursor::<Test>()).is_some());
		assert!(!LegacyReceiptsLeft::<Test>::get());
		// And try_state notices ids left without the flag, and a cursor left on a v2 chain.
		assert!(Metering::do_try_state().is_err());
	});
}

#[test]
fn a_chain_without_version_1_receipts_sets_no_flag() {
	build_and_execute(|| {
		StorageVersion::new(1).put::<Metering>();
		MigrateV1ToV2::<Test>::on_runtime_upgrade();
		assert_eq!(Metering::on_chain_storage_version(), StorageVersion::new(2));
		assert!(!LegacyReceiptsLeft::<Test>::get());
	});
}

#[test]
fn a_version_0_chain_goes_through_both_steps() {
	use crate::migrations::v1::MigrateV0ToV1;
	build_and_execute(|| {
		a_version_1_chain(3);
		StorageVersion::new(0).put::<Metering>();
		<(MigrateV0ToV1<Test>, MigrateV1ToV2<Test>) as OnRuntimeUpgrade>::on_runtime_upgrade();
		assert_eq!(Metering::on_chain_storage_version(), StorageVersion::new(2));
		assert!(LegacyReceiptsLeft::<Test>::get());
		Metering::on_idle(1, Weight::MAX);
		assert_eq!(keys_under(&retired_maps::<Test>()[0]), 0);
	});
}

/// The migration as an upgrade check runs it: `pre_upgrade`, the migration, `post_upgrade`
/// (which also runs `try_state`); its post-upgrade check fails when a version-1 dispute is lost.
#[cfg(feature = "try-runtime")]
#[test]
fn the_v2_migration_passes_its_own_upgrade_checks_and_they_catch_a_lost_dispute() {
	use crate::migrations::v2::InnerMigrateV1ToV2;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;
	build_and_execute(|| {
		a_version_1_chain(4);
		Disputes::<Test>::insert(
			[9; 16],
			crate::Dispute {
				charge: crate::Charge {
					session: 0,
					seeker: SEEKER,
					gateway: 0,
					capsule: STANDARD,
					provider: PROVIDER,
					asset: usdn(),
					net: 1,
					provider_amount: 1,
					timestamp: now_ms(),
					refunded: false,
					disputed: true,
				},
				deposit: DISPUTE_DEPOSIT,
			},
		);
		assert_ok!(<Balances as frame_support::traits::fungible::MutateHold<AccountId>>::hold(
			&crate::HoldReason::DisputeDeposit.into(),
			&SEEKER,
			DISPUTE_DEPOSIT
		));
		assert_ok!(MigrateV1ToV2::<Test>::try_on_runtime_upgrade(true));
		assert!(Disputes::<Test>::contains_key([9; 16]));

		let state = InnerMigrateV1ToV2::<Test>::pre_upgrade().unwrap();
		Disputes::<Test>::remove([9; 16]);
		assert!(InnerMigrateV1ToV2::<Test>::post_upgrade(state).is_err());
		// Put the chain back as try_state expects it.
		let _ = <Balances as frame_support::traits::fungible::MutateHold<AccountId>>::release(
			&crate::HoldReason::DisputeDeposit.into(),
			&SEEKER,
			DISPUTE_DEPOSIT,
			frame_support::traits::tokens::Precision::Exact,
		);
		Metering::on_idle(1, Weight::MAX);
	});
}
