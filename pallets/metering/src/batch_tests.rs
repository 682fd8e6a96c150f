//! Unit tests of version-2 receipt batches: settlement by session group, dense sequence
//! numbers, the commitment and its rebuilt leaves, rollbacks and disputes by leaf and proof,
//! pruning, and every error path.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![allow(clippy::arithmetic_side_effects)]

use crate::{
	mock::*,
	pallet::{BatchOf, Commitments, LeafOf, Marks, NextBatchId, ReceiptDisputes},
	Error, Event, Mark, Ruling,
};
use frame_support::{assert_noop, assert_ok, BoundedVec};
use nexus_primitives::{
	receipts::{
		commitment_root, leaf_hash, proof, signing_payload, CompactReceipt, GroupRefusal,
		ReceiptOutcome, Rejection, SessionGroup, Settlement, Units, Verdict,
	},
	settlement::{price_request, FeeParams, Rate},
	traits::FeePolicy,
};
use sp_core::{sr25519, Pair, H256};

type Group = SessionGroup<frame_support::traits::ConstU32<MAX_BATCH>>;

fn usdn_session(who: AccountId, cap: u128) -> u64 {
	assert_ok!(Metering::deposit(RuntimeOrigin::signed(who), usdn(), cap));
	let id = crate::pallet::NextSessionId::<Test>::get();
	assert_ok!(Metering::open_session(RuntimeOrigin::signed(who), 0, usdn(), cap, 500));
	id
}

fn served(capsule: u32, units: Units) -> CompactReceipt {
	CompactReceipt { outcome: ReceiptOutcome::Served, capsule, units, age_ms: 0 }
}

fn failed(capsule: u32) -> CompactReceipt {
	CompactReceipt {
		outcome: ReceiptOutcome::Failed,
		capsule,
		units: Units::plain(0, 0),
		age_ms: 0,
	}
}

fn group(session: u64, first_seq: u64, receipts: Vec<CompactReceipt>) -> Group {
	Group { session, first_seq, receipts: BoundedVec::truncate_from(receipts) }
}

fn batch(capsules: Vec<u64>, groups: Vec<Group>) -> BatchOf<Test> {
	BatchOf::<Test> {
		gateway: 0,
		time_ms: now_ms(),
		capsules: BoundedVec::truncate_from(capsules),
		groups: BoundedVec::truncate_from(groups),
	}
}

fn sign(pair: &sr25519::Pair, b: &BatchOf<Test>) -> sr25519::Signature {
	pair.sign(&signing_payload(&Metering::genesis_hash(), b))
}

fn submit_batch(b: BatchOf<Test>) -> frame_support::dispatch::DispatchResultWithPostInfo {
	let sig = sign(&gateway_pair(), &b);
	Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b), sig)
}

/// The last `BatchSettled` event: (batch id, root, leaves, settlement).
fn settled() -> (Option<u64>, H256, u32, Settlement<AccountId, Asset>) {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Metering(Event::BatchSettled {
				batch, root, leaves, settlement, ..
			}) => Some((batch, root, leaves, settlement)),
			_ => None,
		})
		.expect("a BatchSettled event")
}

/// The batch's leaves as whoever holds the batch and its event rebuilds them, checked against
/// the commitment the chain keeps.
fn leaves_of(b: &BatchOf<Test>) -> Vec<LeafOf<Test>> {
	let (id, root, n, settlement) = settled();
	let leaves = settlement.leaves(b).unwrap();
	let hashes: Vec<H256> = leaves.iter().map(leaf_hash).collect();
	assert_eq!(hashes.len() as u32, n);
	assert_eq!(commitment_root(&hashes), root, "the rebuilt leaves give the chain's root");
	assert_eq!(Commitments::<Test>::get(id.unwrap()).unwrap().root, root);
	leaves
}

fn proof_of(leaves: &[LeafOf<Test>], index: u32) -> nexus_primitives::receipts::Proof {
	let hashes: Vec<H256> = leaves.iter().map(leaf_hash).collect();
	proof(&hashes, index).unwrap()
}

fn last_seq(session: u64) -> u64 {
	crate::pallet::Sessions::<Test>::get(session).unwrap().last_seq
}

/// Two seekers' sessions, four receipts with every unit kind, on both capsules.
fn a_settled_batch() -> (BatchOf<Test>, u64, u64) {
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
fn a_batch_settles_every_group_at_four_unit_prices_and_commits_to_its_leaves() {
	build_and_execute(|| {
		let before = bal(usdn(), PROVIDER);
		let (b, s, g) = a_settled_batch();
		// Dense sequence numbers: each group consumed exactly its receipts' numbers.
		assert_eq!((last_seq(s), last_seq(g)), (3, 1));
		let (id, _, n, settlement) = settled();
		assert_eq!((id, n), (Some(0), 4));
		assert_eq!(NextBatchId::<Test>::get(), 1);

		// Each charge is what `quote` says for the same units, and what the leaves say.
		let units = Units { input: 1_000, output: 200, cache_read: 10_000, cache_write: 2_000 };
		let q_seeker = Metering::quote(SEEKER, STANDARD, units, usdn()).unwrap();
		let q_small = Metering::quote(SEEKER, STANDARD, Units::plain(500, 50), usdn()).unwrap();
		let q_gold = Metering::quote(GOLD, PREMIUM, units, usdn()).unwrap();
		let leaves = leaves_of(&b);
		let verdicts: Vec<_> = leaves.iter().map(|l| (l.seq, l.verdict, l.charge)).collect();
		assert_eq!(
			verdicts,
			vec![
				(1, Verdict::Settled, q_seeker.net),
				(2, Verdict::Recorded, 0),
				(3, Verdict::Settled, q_small.net),
				(1, Verdict::Settled, q_gold.net),
			]
		);
		assert_eq!(leaves[0].provider_amount, q_seeker.legs.provider);
		assert_eq!(leaves[3].seeker, GOLD);
		assert_eq!(leaves[3].provider, Some(PROVIDER));

		// Spend per group and legs per asset, as the event reports them.
		assert_eq!(settlement.groups[0].spent, q_seeker.net + q_small.net);
		assert_eq!(settlement.groups[1].spent, q_gold.net);
		assert_eq!(settlement.groups[1].discount, q_gold.discount);
		let usdn_line = &settlement.assets[0];
		assert_eq!((usdn_line.rate, usdn_line.settled), (Rate::Par, 3));
		assert_eq!(
			usdn_line.legs.provider,
			q_seeker.legs.provider + q_small.legs.provider + q_gold.legs.provider
		);
		assert_eq!(bal(usdn(), PROVIDER) - before, usdn_line.legs.provider);
		assert_eq!(usdn_line.legs.total(), settlement.groups.iter().map(|g| g.spent).sum());
		assert!(settlement.rejected.is_empty() && settlement.refused.is_empty());
	});
}

#[test]
fn an_indexer_recomputes_every_charge_from_the_event_and_the_batch() {
	build_and_execute(|| {
		let (b, _, _) = a_settled_batch();
		let (_, _, _, settlement) = settled();
		// By hand, from nothing but the event and the batch: the capsule's prices, the group's
		// discount, the asset's rate and the fee parameters.
		let receipts = b.resolve(u32::MAX).unwrap();
		let prices = |c: u64| settlement.capsules.iter().find(|x| x.capsule == c).unwrap().prices;
		let params: FeeParams = settlement.params;
		let mut total = 0;
		for (r, leaf) in receipts.iter().zip(leaves_of(&b)) {
			if r.outcome == ReceiptOutcome::Failed {
				continue;
			}
			let g = settlement.groups.iter().find(|g| g.session == r.session).unwrap();
			let p = price_request(&r.units, &prices(r.capsule), g.discount, &Rate::Par, &params)
				.unwrap();
			assert_eq!((p.net, p.legs.provider), (leaf.charge, leaf.provider_amount));
			total += p.net;
		}
		assert_eq!(total, settlement.assets[0].legs.total());
		assert_eq!(params, <Fees as FeePolicy<Asset>>::params());
	});
}

#[test]
fn groups_out_of_sequence_are_refused_whole_and_consume_nothing() {
	build_and_execute(|| {
		let (b, s, g) = a_settled_batch();
		// The same batch again: every group is a replay.
		assert_ok!(submit_batch(b));
		let (id, _, n, settlement) = settled();
		assert_eq!((id, n), (None, 0), "nothing judged, nothing committed");
		assert_eq!(
			settlement.refused,
			vec![
				(0, GroupRefusal::Replayed { last_seq: 3 }),
				(1, GroupRefusal::Replayed { last_seq: 1 })
			]
		);
		// A gap, an unknown session and another gateway's session, beside a good group.
		// A session moved to another gateway by hand (put back at the end).
		let other = usdn_session(GOLD, 10 * USDN);
		crate::pallet::Sessions::<Test>::mutate(other, |x| x.as_mut().unwrap().gateway = 7);
		let spent = crate::pallet::Sessions::<Test>::get(g).unwrap().spent;
		let b = batch(
			vec![STANDARD],
			vec![
				group(s, 5, vec![served(0, Units::plain(1, 1))]),
				group(999, 1, vec![served(0, Units::plain(1, 1))]),
				group(other, 1, vec![served(0, Units::plain(1, 1))]),
				group(g, 2, vec![served(0, Units::plain(0, 0))]),
			],
		);
		assert_ok!(submit_batch(b.clone()));
		let (_, _, n, settlement) = settled();
		assert_eq!(
			settlement.refused,
			vec![
				(0, GroupRefusal::SequenceGap { last_seq: 3 }),
				(1, GroupRefusal::UnknownSession),
				(2, GroupRefusal::WrongGateway),
			]
		);
		// The good group's receipt is judged (rejected: zero units) and consumes its number.
		assert_eq!(n, 1);
		assert_eq!(settlement.rejected, vec![(0, Rejection::ZeroUnits)]);
		assert_eq!((last_seq(s), last_seq(g)), (3, 2));
		assert_eq!(crate::pallet::Sessions::<Test>::get(g).unwrap().spent, spent);
		assert_eq!(leaves_of(&b)[0].verdict, Verdict::Rejected(Rejection::ZeroUnits));
		crate::pallet::Sessions::<Test>::mutate(other, |x| x.as_mut().unwrap().gateway = 0);
	});
}

#[test]
fn a_rejected_receipt_consumes_its_number_and_the_next_one_still_settles() {
	build_and_execute(|| {
		// A cap of 10 USDN: the second receipt (9 USDN list) would take it over.
		let s = usdn_session(SEEKER, 10 * USDN);
		let b = batch(
			vec![STANDARD],
			vec![group(
				s,
				1,
				vec![
					served(0, Units::plain(1_000, 200)),
					served(0, Units::plain(3_000, 0)),
					served(0, Units::plain(1, 0)),
				],
			)],
		);
		assert_ok!(submit_batch(b.clone()));
		let (_, _, _, settlement) = settled();
		assert_eq!(settlement.rejected, vec![(1, Rejection::OverCap)]);
		assert_eq!(last_seq(s), 3);
		let verdicts: Vec<_> = leaves_of(&b).iter().map(|l| l.verdict).collect();
		assert_eq!(
			verdicts,
			vec![Verdict::Settled, Verdict::Rejected(Rejection::OverCap), Verdict::Settled]
		);
		// Expired and future receipts are rejected on their own time.
		let mut old = served(0, Units::plain(1, 0));
		old.age_ms = (RECEIPT_WINDOW_MS + 1) as u32;
		let mut late = batch(vec![STANDARD], vec![group(s, 4, vec![old])]);
		assert_ok!(submit_batch(late.clone()));
		assert_eq!(settled().3.rejected, vec![(0, Rejection::Expired)]);
		late.time_ms = now_ms() + SKEW_MS + 1;
		late.groups[0].first_seq = 5;
		late.groups[0].receipts[0].age_ms = 0;
		assert_ok!(submit_batch(late));
		assert_eq!(settled().3.rejected, vec![(0, Rejection::InFuture)]);
		assert_eq!(last_seq(s), 5);
	});
}

#[test]
fn the_usage_cap_counts_input_output_and_cache_writes_but_not_cache_reads() {
	build_and_execute(|| {
		// SEEKER's tier allows 100,000 units per window.
		let s = usdn_session(SEEKER, 100 * USDN);
		let reads = Units { input: 10, output: 10, cache_read: 200_000, cache_write: 0 };
		let writes = Units { input: 10, output: 10, cache_read: 0, cache_write: 100_000 };
		let b = batch(vec![STANDARD], vec![group(s, 1, vec![served(0, reads), served(0, writes)])]);
		assert_ok!(submit_batch(b.clone()));
		assert_eq!(settled().3.rejected, vec![(1, Rejection::UsageCapExceeded)]);
		assert_eq!(crate::pallet::Usage::<Test>::get(SEEKER).1, 20);
		let only_reads = Units { input: 0, output: 0, cache_read: 1, cache_write: 0 };
		let b = batch(vec![STANDARD], vec![group(s, 3, vec![served(0, only_reads)])]);
		assert_ok!(submit_batch(b.clone()));
		assert_eq!(leaves_of(&b)[0].verdict, Verdict::Settled, "a request of cache reads only");
	});
}

#[test]
fn malformed_or_unauthorised_batches_fail_before_any_write() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 10 * USDN);
		let ok = || group(s, 1, vec![served(0, Units::plain(1, 1))]);
		let cases = [
			(batch(vec![STANDARD], vec![]), Error::<Test>::EmptyBatch),
			(batch(vec![STANDARD], vec![ok(), group(s + 1, 1, vec![])]), Error::<Test>::EmptyGroup),
			(batch(vec![STANDARD], vec![ok(), ok()]), Error::<Test>::DuplicateSession),
			(
				batch(vec![STANDARD], vec![group(s, 1, vec![served(1, Units::plain(1, 1))])]),
				Error::<Test>::UnknownCapsuleIndex,
			),
			(batch(vec![STANDARD, PREMIUM], vec![ok()]), Error::<Test>::UnusedOrRepeatedCapsule),
			(
				batch(
					vec![STANDARD],
					vec![group(s, u64::MAX, vec![served(0, Units::plain(1, 1)); 2])],
				),
				Error::<Test>::SequenceOverflow,
			),
			(
				batch(
					vec![STANDARD],
					vec![group(s, 1, vec![served(0, Units::plain(1, 1)); MAX_BATCH as usize]), {
						group(s + 1, 1, vec![served(0, Units::plain(1, 1))])
					}],
				),
				Error::<Test>::BatchTooLarge,
			),
		];
		for (b, e) in cases {
			assert_noop!(submit_batch(b), e);
		}
		let mut b = batch(vec![STANDARD], vec![ok()]);
		b.time_ms = 5;
		b.groups[0].receipts[0].age_ms = 6;
		assert_noop!(submit_batch(b), Error::<Test>::TimeUnderflow);

		// Signatures: another key, or this key over another chain's payload.
		let b = batch(vec![STANDARD], vec![ok()]);
		let other = sr25519::Pair::from_seed(&[9u8; 32]);
		let sig = sign(&other, &b);
		assert_noop!(
			Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b.clone()), sig),
			Error::<Test>::BadSignature
		);
		let foreign = gateway_pair().sign(&signing_payload(&H256::repeat_byte(3), &b));
		assert_noop!(
			Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b.clone()), foreign),
			Error::<Test>::BadSignature
		);
		let sig = sign(&gateway_pair(), &b);
		assert_noop!(
			Metering::submit_batch(RuntimeOrigin::signed(STRANGER), Box::new(b.clone()), sig),
			Error::<Test>::NotOperator
		);
		assert_ok!(Metering::suspend_gateway(RuntimeOrigin::root(), 0));
		assert_noop!(
			Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b), sig),
			Error::<Test>::GatewaySuspended
		);
	});
}

#[test]
fn the_weight_charged_is_that_of_the_receipts_judged() {
	use crate::weights::WeightInfo;
	build_and_execute(|| {
		let (b, _, _) = a_settled_batch();
		let replay = submit_batch(b.clone()).unwrap();
		let declared = Metering::batch_weight(4, 2, 2);
		// The benchmark's session and capsule slopes carry a receipt each: four receipts on
		// two sessions and two capsules are what `submit_batch(0, 2, 2)` measured.
		assert_eq!(declared, <Test as crate::Config>::WeightInfo::submit_batch(0, 2, 2));
		let per_receipt = Metering::batch_weight(5, 2, 2).saturating_sub(declared);
		assert!(per_receipt.ref_time() > 0);
		assert_eq!(Metering::batch_weight(4 + 7, 2, 2), declared + per_receipt * 7);
		let actual = replay.actual_weight.unwrap();
		assert_eq!(actual, Metering::batch_weight(0, 2, 2));
		assert!(actual.ref_time() < declared.ref_time(), "refused groups are refunded");
	});
}

#[test]
fn the_gateway_rolls_a_settled_receipt_back_once_by_its_leaf() {
	build_and_execute(|| {
		let (b, _, _) = a_settled_batch();
		let leaves = leaves_of(&b);
		let (leaf, p) = (leaves[0].clone(), proof_of(&leaves, 0));
		let free = escrow(SEEKER, usdn()).free;
		let bond = pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond;
		assert_noop!(
			Metering::roll_back(
				RuntimeOrigin::signed(STRANGER),
				0,
				Box::new(leaf.clone()),
				p.clone()
			),
			Error::<Test>::NotOperator
		);
		assert_ok!(Metering::roll_back(
			RuntimeOrigin::signed(OPERATOR),
			0,
			Box::new(leaf.clone()),
			p.clone()
		));
		assert_eq!(escrow(SEEKER, usdn()).free, free + leaf.charge);
		assert!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond < bond);
		assert_eq!(Marks::<Test>::get(0, 0), Some(Mark::RolledBack));
		assert!(matches!(
			last_event(),
			Event::LeafRolledBack { batch: 0, index: 0, seq: 1, refunded, .. }
				if refunded == leaf.charge
		));
		// Once only, and never a receipt that charged nothing.
		assert_noop!(
			Metering::roll_back(RuntimeOrigin::signed(OPERATOR), 0, Box::new(leaf), p),
			Error::<Test>::AlreadyRefunded
		);
		assert_noop!(
			Metering::roll_back(
				RuntimeOrigin::signed(OPERATOR),
				0,
				Box::new(leaves[1].clone()),
				proof_of(&leaves, 1)
			),
			Error::<Test>::NotCharged
		);
	});
}

#[test]
fn a_rollback_the_reserve_cannot_pay_fails_and_stays_possible() {
	build_and_execute(|| {
		let (b, _, _) = a_settled_batch();
		let leaves = leaves_of(&b);
		let reserve = Reserve::account_id();
		let held = bal(usdn(), reserve);
		assert_ok!(<AssetsOf as frame_support::traits::fungibles::Mutate<AccountId>>::transfer(
			usdn(),
			&reserve,
			&STRANGER,
			held - 1,
			frame_support::traits::tokens::Preservation::Expendable,
		));
		let (leaf, p) = (leaves[0].clone(), proof_of(&leaves, 0));
		assert_noop!(
			Metering::roll_back(RuntimeOrigin::signed(OPERATOR), 0, Box::new(leaf), p),
			Error::<Test>::ReserveShortfall
		);
		assert_eq!(Marks::<Test>::get(0, 0), None);
	});
}

#[test]
fn a_seeker_disputes_a_receipt_by_its_leaf_once_and_the_ruling_refunds_it() {
	build_and_execute(|| {
		let (b, _, _) = a_settled_batch();
		let leaves = leaves_of(&b);
		let (leaf, p) = (leaves[0].clone(), proof_of(&leaves, 0));
		let dispute = |who, leaf: LeafOf<Test>, p| {
			Metering::dispute_receipt(RuntimeOrigin::signed(who), 0, Box::new(leaf), p)
		};
		// Named errors: another seeker, a forged leaf, a wrong proof, an unknown batch, a
		// receipt that charged nothing.
		assert_noop!(dispute(GOLD, leaf.clone(), p.clone()), Error::<Test>::NotYourReceipt);
		let mut forged = leaf.clone();
		forged.charge += 1;
		assert_noop!(dispute(SEEKER, forged, p.clone()), Error::<Test>::BadProof);
		assert_noop!(dispute(SEEKER, leaf.clone(), proof_of(&leaves, 2)), Error::<Test>::BadProof);
		assert_noop!(
			Metering::dispute_receipt(
				RuntimeOrigin::signed(SEEKER),
				9,
				Box::new(leaf.clone()),
				p.clone()
			),
			Error::<Test>::UnknownBatch
		);
		assert_noop!(
			dispute(SEEKER, leaves[1].clone(), proof_of(&leaves, 1)),
			Error::<Test>::NotCharged
		);

		assert_ok!(dispute(SEEKER, leaf.clone(), p.clone()));
		assert_eq!(Marks::<Test>::get(0, 0), Some(Mark::Disputed));
		assert_noop!(dispute(SEEKER, leaf.clone(), p.clone()), Error::<Test>::AlreadyDisputed);
		assert_noop!(
			Metering::roll_back(
				RuntimeOrigin::signed(OPERATOR),
				0,
				Box::new(leaf.clone()),
				p.clone()
			),
			Error::<Test>::AlreadyDisputed
		);
		let free = escrow(SEEKER, usdn()).free;
		assert_ok!(Metering::resolve_receipt_dispute(
			RuntimeOrigin::root(),
			0,
			0,
			Ruling::ProviderAtFault
		));
		assert_eq!(escrow(SEEKER, usdn()).free, free + leaf.charge);
		assert_eq!(Marks::<Test>::get(0, 0), Some(Mark::DisputeUpheld));
		assert_eq!(ReceiptDisputes::<Test>::get(0, 0), None);
		assert_noop!(dispute(SEEKER, leaf, p), Error::<Test>::AlreadyRefunded);
		assert_noop!(
			Metering::resolve_receipt_dispute(RuntimeOrigin::root(), 0, 0, Ruling::Rejected),
			Error::<Test>::UnknownDispute
		);
	});
}

#[test]
fn commitments_are_pruned_after_the_dispute_window_with_their_markers() {
	build_and_execute(|| {
		let (b, _, _) = a_settled_batch();
		let leaves = leaves_of(&b);
		assert_ok!(Metering::roll_back(
			RuntimeOrigin::signed(OPERATOR),
			0,
			Box::new(leaves[0].clone()),
			proof_of(&leaves, 0)
		));
		// Disputes close with the window; the commitment goes right after.
		let start = System::block_number();
		run_to(start + DISPUTE_WINDOW_MS / BLOCK_MS + 1);
		assert_noop!(
			Metering::dispute_receipt(
				RuntimeOrigin::signed(SEEKER),
				0,
				Box::new(leaves[2].clone()),
				proof_of(&leaves, 2)
			),
			Error::<Test>::DisputeWindowClosed
		);
		run_to_with_idle(start + (DISPUTE_WINDOW_MS + SKEW_MS) / BLOCK_MS + 1);
		assert_eq!(Commitments::<Test>::get(0), None);
		assert_eq!(Marks::<Test>::iter().count(), 0);
		assert_eq!(crate::pallet::CommitmentCursor::<Test>::get(), 1);
		assert_noop!(
			Metering::roll_back(
				RuntimeOrigin::signed(OPERATOR),
				0,
				Box::new(leaves[2].clone()),
				proof_of(&leaves, 2)
			),
			Error::<Test>::UnknownBatch
		);
	});
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|r| match r.event {
			RuntimeEvent::Metering(e) => Some(e),
			_ => None,
		})
		.unwrap()
}

type AssetsOf = <Test as crate::pallet::Config>::Assets;

fn bal(asset: Asset, who: AccountId) -> u128 {
	<AssetsOf as frame_support::traits::fungibles::Inspect<AccountId>>::balance(asset, &who)
}

fn escrow(who: AccountId, asset: Asset) -> crate::EscrowLedger {
	crate::pallet::Escrow::<Test>::get(who, asset)
}

#[test]
fn the_usage_programmes_hear_of_a_batch_once_with_each_accounts_sum() {
	build_and_execute(|| {
		UsageLog::take();
		let (b, s, g) = a_settled_batch();
		let leaves = leaves_of(&b);
		// Volumes are in the pricing unit: USDN's smallest unit, so each charge itself.
		let spent = |session: u64| -> u128 {
			leaves.iter().filter(|l| l.session == session).map(|l| l.charge).sum()
		};
		let (by_s, by_g) = (spent(s), spent(g));
		assert!(by_s > 0 && by_g > 0);
		let mut seekers = vec![(SEEKER, by_s), (GOLD, by_g)];
		seekers.sort();
		assert_eq!(
			UsageLog::take(),
			vec![Usage::Settled(seekers, vec![(PROVIDER, by_s + by_g)])],
			"one report per batch: each seeker's and the provider's sum, not one per receipt"
		);
	});
}
