//! Tests of metering, one file per subsystem over one shared harness (this module): the mock
//! runtime (`crate::mock`) and the helpers every file uses to deposit, open sessions, build,
//! sign and submit receipt batches, and read what the chain reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

mod disputes;
mod escrow;
mod gateways;
mod history;
mod migrations;
mod pricing;
mod sessions;
mod settlement;

pub(crate) use crate::{
	mock::*,
	pallet::{
		BatchOf, Commitments, Disputes, Escrow, Gateways, LeafOf, Marks, NextBatchId,
		ReceiptDisputes, Sessions,
	},
	Error, EscrowLedger, Event, GatewayStatus, Mark, RejectReason, Ruling, SimulationError,
	WorkloadLine, MAX_WORKLOAD_LINES,
};
pub(crate) use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, fungibles::Inspect},
	BoundedVec,
};
pub(crate) use nexus_primitives::{
	receipts::{
		commitment_root, leaf_hash, proof, signing_payload, CompactReceipt, GroupRefusal,
		ReceiptOutcome, Rejection, SessionGroup, Settlement, Units, Verdict,
	},
	settlement::{price_request, FeeParams, ParamsError, Rate},
	traits::{ConversionError, FeePolicy},
};
pub(crate) use sp_core::{sr25519, Pair, H256};
pub(crate) use sp_runtime::{DispatchError, Perbill};

pub(crate) type AssetsOf = <Test as crate::pallet::Config>::Assets;
pub(crate) type Group = SessionGroup<frame_support::traits::ConstU32<MAX_BATCH>>;

pub(crate) fn bal(asset: Asset, who: AccountId) -> u128 {
	<AssetsOf as Inspect<AccountId>>::balance(asset, &who)
}

pub(crate) fn escrow(who: AccountId, asset: Asset) -> EscrowLedger {
	Escrow::<Test>::get(who, asset)
}

/// This pallet's events so far.
pub(crate) fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Metering(e) = r.event { Some(e) } else { None })
		.collect()
}

pub(crate) fn last_event() -> Event<Test> {
	events().pop().expect("a metering event")
}

/// Deposits `amount` and opens a session of `cap` for `who` on gateway 0; returns its id.
pub(crate) fn session_for(who: AccountId, asset: Asset, amount: u128, cap: u128) -> u64 {
	assert_ok!(Metering::deposit(RuntimeOrigin::signed(who), asset.clone(), amount));
	let id = crate::pallet::NextSessionId::<Test>::get();
	assert_ok!(Metering::open_session(RuntimeOrigin::signed(who), 0, asset, cap, 500));
	id
}

/// A USDN session of `cap`, all of the deposit committed.
pub(crate) fn usdn_session(who: AccountId, cap: u128) -> u64 {
	session_for(who, usdn(), cap, cap)
}

pub(crate) fn served(capsule: u32, units: Units) -> CompactReceipt {
	CompactReceipt { outcome: ReceiptOutcome::Served, capsule, units, age_ms: 0 }
}

pub(crate) fn failed(capsule: u32) -> CompactReceipt {
	CompactReceipt {
		outcome: ReceiptOutcome::Failed,
		capsule,
		units: Units::plain(0, 0),
		age_ms: 0,
	}
}

pub(crate) fn group(session: u64, first_seq: u64, receipts: Vec<CompactReceipt>) -> Group {
	Group { session, first_seq, receipts: BoundedVec::truncate_from(receipts) }
}

/// A batch of gateway 0 dated now.
pub(crate) fn batch(capsules: Vec<u64>, groups: Vec<Group>) -> BatchOf<Test> {
	BatchOf::<Test> {
		gateway: 0,
		time_ms: now_ms(),
		capsules: BoundedVec::truncate_from(capsules),
		groups: BoundedVec::truncate_from(groups),
	}
}

/// A batch of one served receipt of `units` on `capsule`, the next in session `s`.
pub(crate) fn serve(s: u64, capsule: u64, units: Units) -> BatchOf<Test> {
	batch(vec![capsule], vec![group(s, last_seq(s) + 1, vec![served(0, units)])])
}

pub(crate) fn sign(pair: &sr25519::Pair, b: &BatchOf<Test>) -> sr25519::Signature {
	pair.sign(&signing_payload(&Metering::genesis_hash(), b))
}

/// Submits `b` signed by the gateway's key, as its operator.
pub(crate) fn submit_batch(
	b: BatchOf<Test>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let sig = sign(&gateway_pair(), &b);
	Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b), sig)
}

/// The last `BatchSettled` event: (batch id, root, leaves, settlement).
pub(crate) fn settled() -> (Option<u64>, H256, u32, Settlement<AccountId, Asset>) {
	events()
		.into_iter()
		.rev()
		.find_map(|e| match e {
			Event::BatchSettled { batch, root, leaves, settlement, .. } =>
				Some((batch, root, leaves, settlement)),
			_ => None,
		})
		.expect("a BatchSettled event")
}

/// The rejections of the last batch, without their leaf indices.
pub(crate) fn rejections() -> Vec<Rejection> {
	settled().3.rejected.into_iter().map(|(_, r)| r).collect()
}

/// The batch's leaves as whoever holds the batch and its event rebuilds them, checked against
/// the commitment the chain keeps.
pub(crate) fn leaves_of(b: &BatchOf<Test>) -> Vec<LeafOf<Test>> {
	let (id, root, n, settlement) = settled();
	let leaves = settlement.leaves(b).unwrap();
	let hashes: Vec<H256> = leaves.iter().map(leaf_hash).collect();
	assert_eq!(hashes.len() as u32, n);
	assert_eq!(commitment_root(&hashes), root, "the rebuilt leaves give the chain's root");
	assert_eq!(Commitments::<Test>::get(id.unwrap()).unwrap().root, root);
	leaves
}

pub(crate) fn proof_of(leaves: &[LeafOf<Test>], index: u32) -> nexus_primitives::receipts::Proof {
	let hashes: Vec<H256> = leaves.iter().map(leaf_hash).collect();
	proof(&hashes, index).unwrap()
}

pub(crate) fn last_seq(session: u64) -> u64 {
	Sessions::<Test>::get(session).unwrap().last_seq
}

/// Two seekers' sessions, four receipts with every unit kind, on both capsules.
pub(crate) fn a_settled_batch() -> (BatchOf<Test>, u64, u64) {
	let (s, g) = (usdn_session(SEEKER, 100 * USDN), usdn_session(GOLD, 100 * USDN));
	let units = Units { input: 1_000, output: 200, cache_read: 10_000, cache_write: 2_000 };
	let b = batch(
		vec![STANDARD, PREMIUM],
		vec![
			group(s, 1, vec![served(0, units), failed(0), served(0, Units::plain(500, 50))]),
			group(g, 1, vec![served(1, units)]),
		],
	);
	assert_ok!(submit_batch(b.clone()));
	(b, s, g)
}

#[test]
fn integrity_test_passes() {
	new_test_ext().execute_with(|| {
		<Metering as frame_support::traits::Hooks<u64>>::integrity_test();
	});
}
