//! Receipt batches as the development gateway posts them (gateway 0, Dave's sr25519 key and
//! account, as in the presets), for the runtime's tests.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{AccountId, Metering, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System};
use frame_support::BoundedVec;
use nexus_primitives::receipts::{
	signing_payload, CompactReceipt, ReceiptOutcome, SessionGroup, Settlement, Units,
};
use pallet_metering::BatchOf;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

type AssetKind = crate::configs::assets::AssetKind;

/// A served receipt of `units` on the batch's capsule `capsule` (an index into its table),
/// `age_ms` before the batch's time.
pub(crate) fn served(capsule: u32, units: Units, age_ms: u32) -> CompactReceipt {
	CompactReceipt { outcome: ReceiptOutcome::Served, capsule, units, age_ms }
}

/// A batch of gateway 0 dated `time_ms`: its capsule table and `(session, first_seq, receipts)`
/// groups.
pub(crate) fn batch(
	time_ms: u64,
	capsules: Vec<u64>,
	groups: Vec<(u64, u64, Vec<CompactReceipt>)>,
) -> BatchOf<Runtime> {
	BatchOf::<Runtime> {
		gateway: 0,
		time_ms,
		capsules: BoundedVec::truncate_from(capsules),
		groups: BoundedVec::truncate_from(
			groups
				.into_iter()
				.map(|(session, first_seq, receipts)| SessionGroup {
					session,
					first_seq,
					receipts: BoundedVec::truncate_from(receipts),
				})
				.collect(),
		),
	}
}

/// `b` signed by `key` for this chain.
pub(crate) fn signed(b: &BatchOf<Runtime>, key: Sr25519Keyring) -> sr25519::Signature {
	key.pair().sign(&signing_payload(&Metering::genesis_hash(), b))
}

/// The `submit_batch` call of `b` with `signature`.
pub(crate) fn submit(b: &BatchOf<Runtime>, signature: sr25519::Signature) -> RuntimeCall {
	RuntimeCall::Metering(pallet_metering::Call::submit_batch {
		batch: Box::new(b.clone()),
		signature,
	})
}

/// The development gateway's operator.
pub(crate) fn dave() -> RuntimeOrigin {
	RuntimeOrigin::signed(AccountId::from(Sr25519Keyring::Dave.public()))
}

/// Posts `b` as the development gateway, signed with its key; panics if the call fails.
pub(crate) fn post(b: &BatchOf<Runtime>) -> Settlement<AccountId, AssetKind> {
	use sp_runtime::traits::Dispatchable;
	submit(b, signed(b, Sr25519Keyring::Dave)).dispatch(dave()).unwrap();
	last_settlement()
}

/// The settlement reported by the last `BatchSettled` event.
pub(crate) fn last_settlement() -> Settlement<AccountId, AssetKind> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Metering(pallet_metering::Event::BatchSettled { settlement, .. }) =>
				Some(settlement),
			_ => None,
		})
		.expect("a BatchSettled event")
}
