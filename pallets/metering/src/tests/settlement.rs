//! Settlement of receipt batches: verdicts, legs, sequence numbers, the commitment and its
//! rebuilt leaves, the usage programmes, weights, and every error path.

use super::*;

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

#[test]
fn a_served_receipt_in_usdn_moves_every_leg_exactly() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 50 * USDN);
		let dests = [PROVIDER, TREASURY, BUYBACK, VALIDATORS, Reserve::account_id()];
		let balances = || dests.map(|w| bal(usdn(), w));
		let before = balances();
		let q = Metering::quote(SEEKER, STANDARD, Units::plain(1_000, 200), usdn()).unwrap();
		assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(1_000, 200))));
		// 1,000 × 3 USDN/1k + 200 × 15 USDN/1k = 6 USDN, no discount.
		assert_eq!((q.list, q.net), (6 * USDN, 6 * USDN));
		let legs = [5_100_000, 315_000, 225_000, 90_000, 270_000];
		assert_eq!(
			[q.legs.provider, q.legs.treasury, q.legs.buyback, q.legs.validators, q.legs.reserve],
			legs
		);
		let after = balances();
		for i in 0..dests.len() {
			assert_eq!(after[i] - before[i], legs[i], "leg {i}");
		}
		assert_eq!(escrow(SEEKER, usdn()), EscrowLedger { free: 50 * USDN, committed: 44 * USDN });
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, 6 * USDN);
		// The event carries the spend, the discount and every leg.
		let settlement = settled().3;
		assert_eq!(settlement.groups[0].spent, 6 * USDN);
		assert_eq!(settlement.groups[0].discount, Perbill::zero());
		assert_eq!(settlement.assets[0].legs, q.legs);
		assert_eq!(settlement.assets[0].net_pricing, 6 * USDN);
		assert_eq!(Fees::lifetime_totals()[1].1.net, 6 * USDN);
	});
}

#[test]
fn paying_in_nxv_converts_at_the_price_and_applies_nxv_and_tier_discounts() {
	build_and_execute(|| {
		let s = session_for(GOLD, nxv(), 100 * NXV, 50 * NXV);
		let p0 = bal(nxv(), PROVIDER);
		assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(1_000, 200))));
		// 6 USDN − (10% NXV + 7% Gold) = 4.98 USDN = 2.49 NXV at 2 USDN.
		let q = Metering::quote(GOLD, STANDARD, Units::plain(1_000, 200), nxv()).unwrap();
		assert_eq!(q.discount, Perbill::from_percent(17));
		assert_eq!(q.net_pricing, 4_980_000);
		assert_eq!(q.net, 2_490_000_000_000);
		assert_eq!(bal(nxv(), PROVIDER) - p0, q.legs.provider);
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, q.net);
		let settlement = settled().3;
		assert_eq!(settlement.groups[0].discount, Perbill::from_percent(17));
		assert!(matches!(settlement.assets[0].rate, Rate::Token { .. }));
	});
}

#[test]
fn a_batch_writes_each_destination_once_and_the_legs_sum_to_the_debits() {
	build_and_execute(|| {
		let (a, b) = (usdn_session(SEEKER, 100 * USDN), usdn_session(GOLD, 100 * USDN));
		let dests = [PROVIDER, TREASURY, BUYBACK, VALIDATORS, Reserve::account_id()];
		let total = || dests.iter().map(|w| bal(usdn(), *w)).sum::<u128>();
		let before = total();
		System::reset_events();
		assert_ok!(submit_batch(batch(
			vec![STANDARD, PREMIUM],
			vec![
				group(
					a,
					1,
					vec![served(0, Units::plain(1_000, 200)), served(0, Units::plain(333, 77))]
				),
				group(
					b,
					1,
					vec![served(1, Units::plain(12_345, 678)), served(0, Units::plain(1, 0))]
				),
			],
		)));
		let debits =
			Sessions::<Test>::get(a).unwrap().spent + Sessions::<Test>::get(b).unwrap().spent;
		assert_eq!(total() - before, debits);
		// One transfer per destination for the stable asset.
		let transfers = System::events()
			.iter()
			.filter(|r| {
				matches!(r.event, RuntimeEvent::Assets(pallet_assets::Event::Transferred { .. }))
			})
			.count();
		assert_eq!(transfers, 5, "one transfer per destination, not one per receipt");
	});
}

#[test]
fn failed_receipts_charge_nothing_consume_their_number_and_lower_trust() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 10 * USDN);
		let trust0 = pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().trust;
		let b = batch(vec![STANDARD], vec![group(s, 1, vec![failed(0)])]);
		assert_ok!(submit_batch(b.clone()));
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, 0);
		assert_eq!(last_seq(s), 1);
		assert!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().trust < trust0);
		let leaf = &leaves_of(&b)[0];
		assert_eq!(
			(leaf.outcome, leaf.verdict, leaf.charge),
			(ReceiptOutcome::Failed, Verdict::Recorded, 0)
		);
	});
}

#[test]
fn receipts_on_unknown_inactive_or_premium_capsules_are_rejected_one_by_one() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 100 * USDN);
		assert_ok!(Capsules::pause(RuntimeOrigin::signed(PROVIDER), STANDARD));
		// SEEKER's Basic tier has no premium lane; capsule 42 does not exist.
		let b = batch(
			vec![STANDARD, PREMIUM, 42],
			vec![group(
				s,
				1,
				vec![
					served(0, Units::plain(1, 0)),
					served(1, Units::plain(1, 0)),
					served(2, Units::plain(1, 0)),
				],
			)],
		);
		assert_ok!(submit_batch(b));
		assert_eq!(
			rejections(),
			vec![Rejection::CapsuleNotActive, Rejection::LaneNotAllowed, Rejection::UnknownCapsule]
		);
		assert_eq!((last_seq(s), Sessions::<Test>::get(s).unwrap().spent), (3, 0));
		assert_ok!(Capsules::resume(RuntimeOrigin::signed(PROVIDER), STANDARD));
		assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(1, 0))));
		assert_eq!(rejections(), vec![]);
	});
}

#[test]
fn receipts_after_a_close_or_past_the_release_block_are_rejected() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 100 * USDN);
		// Closed: a request dated after the close is refused, one from before still settles.
		let before_close = now_ms();
		run_to(2);
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), s));
		run_to(3);
		let early = CompactReceipt {
			age_ms: (now_ms() - before_close) as u32,
			..served(0, Units::plain(1, 0))
		};
		let b =
			batch(vec![STANDARD], vec![group(s, 1, vec![early, served(0, Units::plain(1, 0))])]);
		assert_ok!(submit_batch(b.clone()));
		assert_eq!(settled().3.rejected, vec![(1, Rejection::SessionClosed)]);
		assert_eq!(leaves_of(&b)[0].verdict, Verdict::Settled);

		// Past its release block (on_idle not yet run) the session takes nothing.
		let t = usdn_session(GOLD, 10 * USDN);
		run_to(500 + GRACE);
		assert_ok!(submit_batch(serve(t, STANDARD, Units::plain(1, 0))));
		assert_eq!(rejections(), vec![Rejection::SessionExpired]);
	});
}

#[test]
fn usage_caps_reset_with_the_window() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 1_000 * USDN);
		// Basic: 100,000 units per window.
		let b = batch(
			vec![STANDARD],
			vec![group(
				s,
				1,
				vec![served(0, Units::plain(90_000, 0)), served(0, Units::plain(10_001, 0))],
			)],
		);
		assert_ok!(submit_batch(b));
		assert_eq!(rejections(), vec![Rejection::UsageCapExceeded]);
		run_to(USAGE_WINDOW);
		assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(10_001, 0))));
		assert_eq!(rejections(), vec![]);
	});
}

#[test]
fn nxv_payments_stop_at_a_stale_price() {
	build_and_execute(|| {
		// The genesis price (block 0) is fresh for 1,000 blocks.
		run_to(400);
		assert_ok!(Metering::deposit(RuntimeOrigin::signed(SEEKER), nxv(), 100 * NXV));
		assert_ok!(Metering::open_session(
			RuntimeOrigin::signed(SEEKER),
			0,
			nxv(),
			10 * NXV,
			1_300
		));
		run_to(1_001);
		assert_ok!(submit_batch(serve(0, STANDARD, Units::plain(1, 0))));
		assert_eq!(rejections(), vec![Rejection::Conversion(ConversionError::StalePrice)]);
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		/// Whatever is served, in whatever asset: the seeker's debit equals what every
		/// destination received, each leaf's legs sum to its charge, providers get more than
		/// half of every charge, and escrow never goes short.
		#[test]
		fn settlement_never_creates_or_destroys_value(
			units in proptest::collection::vec(
				(0u64..50_000, 0u64..20_000, 0u64..100_000, 0u64..20_000, any::<bool>()),
				1..(MAX_BATCH as usize),
			),
			pay_nxv in any::<bool>(),
			gold in any::<bool>(),
		) {
			new_test_ext().execute_with(|| {
				let asset = if pay_nxv { nxv() } else { usdn() };
				let who = if gold { GOLD } else { SEEKER };
				let unit = if pay_nxv { NXV } else { USDN };
				let s = session_for(who, asset.clone(), 1_000 * unit, 400 * unit);
				let dests = [PROVIDER, TREASURY, BUYBACK, VALIDATORS, Reserve::account_id()];
				let before: u128 = dests.iter().map(|w| bal(asset.clone(), *w)).sum();
				let receipts: Vec<_> = units
					.iter()
					.map(|(i, o, r, w, premium)| {
						let u = Units { input: *i, output: *o, cache_read: *r, cache_write: *w };
						served(u32::from(*premium), u)
					})
					.collect();
				let b = batch(vec![STANDARD, PREMIUM], vec![group(s, 1, receipts)]);
				// A batch whose receipts all stay on one capsule names only that one.
				let b = if units.iter().all(|u| u.4) || units.iter().all(|u| !u.4) {
					let only = if units[0].4 { PREMIUM } else { STANDARD };
					let mut b = b;
					b.capsules = BoundedVec::truncate_from(vec![only]);
					for r in b.groups[0].receipts.iter_mut() { r.capsule = 0; }
					b
				} else { b };
				submit_batch(b.clone()).unwrap();
				let after: u128 = dests.iter().map(|w| bal(asset.clone(), *w)).sum();
				let spent = Sessions::<Test>::get(s).unwrap().spent;
				prop_assert_eq!(after - before, spent);
				let settlement = settled().3;
				let legs: u128 = settlement.assets.iter().map(|a| a.legs.total()).sum();
				prop_assert_eq!(legs, spent);
				if settlement.rejected.len() < units.len() {
					for leaf in leaves_of(&b).iter().filter(|l| l.verdict == Verdict::Settled) {
						prop_assert!(leaf.provider_amount * 2 > leaf.charge);
					}
				}
				Metering::do_try_state().unwrap();
				Ok(())
			})?;
		}
	}
}
