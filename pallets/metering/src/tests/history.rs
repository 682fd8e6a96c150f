//! Usage history and its replay under proposed fee parameters.

use super::*;
use crate::{
	pallet::{UsageDayIndex, UsageDays, UsageUnbooked},
	ReplayError, UsageLine, DAY_MS,
};
use nexus_primitives::settlement::Priced;
use sp_runtime::Permill;

fn today() -> u32 {
	(now_ms() / DAY_MS) as u32
}

/// Moves chain time `days` days on (block numbers stay, so sessions stay open).
fn days_later(days: u64) {
	Timestamp::set_timestamp(now_ms() + days * DAY_MS);
}

fn line_of(day: u32, asset: Asset, tier: Permill) -> UsageLine<Asset> {
	UsageDays::<Test>::get(day)
		.into_iter()
		.find(|l| l.asset == asset && l.tier_discount == tier && l.regime == 0)
		.expect("a usage line")
}

/// The price of `list` with `discount` in USDN under `p`, from the settlement maths' own
/// steps (the discount, then the split), not through `price_list`, which the replay calls.
fn by_hand(list: u128, discount: Perbill, p: &FeeParams) -> Priced {
	use nexus_primitives::settlement::{net_price, split};
	let net = net_price(list, discount);
	Priced { list, net_pricing: net, net, legs: split(net, p) }
}

#[test]
fn a_days_served_receipts_are_kept_per_asset_and_tier_discount() {
	build_and_execute(|| {
		let (_, _, _) = a_settled_batch();
		let (_, _, _, settlement) = settled();
		let units = Units { input: 1_000, output: 200, cache_read: 10_000, cache_write: 2_000 };
		let (q_seeker, q_small, q_gold) = (
			Metering::quote(SEEKER, STANDARD, units, usdn()).unwrap(),
			Metering::quote(SEEKER, STANDARD, Units::plain(500, 50), usdn()).unwrap(),
			Metering::quote(GOLD, PREMIUM, units, usdn()).unwrap(),
		);
		assert_eq!(UsageDayIndex::<Test>::get().into_inner(), vec![today()]);
		// SEEKER is in tier 0 (no discount): two served receipts, the failed one not counted.
		let s = line_of(today(), usdn(), Permill::zero());
		assert_eq!(s.receipts, 2);
		assert_eq!(
			s.units,
			Units { input: 1_500, output: 250, cache_read: 10_000, cache_write: 2_000 }
		);
		assert_eq!(s.list, q_seeker.list + q_small.list);
		assert_eq!(s.net, q_seeker.net + q_small.net);
		assert_eq!(s.legs.provider, q_seeker.legs.provider + q_small.legs.provider);
		let g = line_of(today(), usdn(), Permill::from_percent(7));
		assert_eq!((g.receipts, g.list, g.net), (1, q_gold.list, q_gold.net));
		assert_eq!(g.legs, q_gold.legs);
		// Together they are the batch's flows, leg by leg.
		let mut legs = s.legs;
		legs.accrue(&g.legs);
		assert_eq!(legs, settlement.assets[0].legs);

		// A second batch the same day adds to the same lines.
		let session = usdn_session(SEEKER, 10 * USDN);
		assert_ok!(submit_batch(serve(session, STANDARD, Units::plain(100, 10))));
		let q = Metering::quote(SEEKER, STANDARD, Units::plain(100, 10), usdn()).unwrap();
		let s2 = line_of(today(), usdn(), Permill::zero());
		assert_eq!((s2.receipts, s2.net), (3, s.net + q.net));
		assert_eq!(UsageDays::<Test>::get(today()).len(), 2);
	});
}

#[test]
fn replay_reprices_each_day_under_a_proposal_as_by_hand() {
	build_and_execute(|| {
		a_settled_batch();
		let now = <Fees as FeePolicy<Asset>>::params();
		// Under the parameters in force: lines of one receipt replay exactly as charged, the
		// two-receipt line within one unit per receipt and leg.
		let r = Metering::replay(now, 1).unwrap();
		assert_eq!((r.today, r.from, r.days.len()), (today(), today(), 1));
		let day = &r.days[0];
		assert_eq!((day.day, day.unbooked), (today(), 0));
		for l in &day.lines {
			let a = l.line.actual();
			if l.line.receipts == 1 {
				assert_eq!(l.replayed, a);
			}
			assert_eq!(l.replayed.list, a.list);
			assert!(l.replayed.net.abs_diff(a.net) <= u128::from(l.line.receipts));
			assert!(
				l.replayed.legs.provider.abs_diff(a.legs.provider) <= 2 * l.line.receipts as u128
			);
		}

		// A proposal: take 20%, the treasury's share to 40% from the reserve's, discount cap 5%.
		let p = FeeParams {
			take_rate: Perbill::from_percent(20),
			treasury_share: Perbill::from_percent(40),
			reserve_share: Perbill::from_percent(25),
			max_discount: Perbill::from_percent(5),
			nxv_discount: Perbill::from_percent(5),
			..now
		};
		let r = Metering::replay(p, 1).unwrap();
		let day = &r.days[0];
		for l in &day.lines {
			// Tier 0 keeps no discount; Gold's 7% is capped at 5%.
			let d = if l.line.tier_discount.is_zero() {
				Perbill::zero()
			} else {
				Perbill::from_percent(5)
			};
			assert_eq!(l.discount, d);
			assert_eq!(l.replayed, by_hand(l.line.list, d, &p));
		}
		// Per asset: the lines' sums, as settled and as replayed.
		assert_eq!(day.per_asset.len(), 1);
		let t = &day.per_asset[0];
		assert_eq!((t.asset.clone(), t.receipts), (usdn(), 3));
		let sum =
			|f: fn(&crate::ReplayedLine<Asset>) -> u128| day.lines.iter().map(f).sum::<u128>();
		assert_eq!(t.replayed.net, sum(|l| l.replayed.net));
		assert_eq!(t.replayed.legs.treasury, sum(|l| l.replayed.legs.treasury));
		assert_eq!(t.actual.legs.reserve, sum(|l| l.line.legs.reserve));
		// One day in the window: the window's totals are the day's.
		assert_eq!(r.total, day.per_asset);
		// Nothing was written: the history and the parameters are as they were.
		assert_eq!(<Fees as FeePolicy<Asset>>::params(), now);
		assert_eq!(Metering::replay(now, 1).unwrap().days[0].lines[0].line, day.lines[0].line);
	});
}

#[test]
fn a_token_line_replays_at_the_days_own_rate() {
	build_and_execute(|| {
		let s = session_for(GOLD, nxv(), 100 * NXV, 100 * NXV);
		let units = Units::plain(1_200, 350);
		assert_ok!(submit_batch(serve(s, STANDARD, units)));
		let charged = Metering::quote(GOLD, STANDARD, units, nxv()).unwrap();
		let now = <Fees as FeePolicy<Asset>>::params();
		let line = &Metering::replay(now, 1).unwrap().days[0].lines[0];
		assert_eq!(line.line.asset, nxv());
		// Gold in NXV: 10% + 7%, under the 20% cap.
		assert_eq!(line.discount, Perbill::from_percent(17));
		assert_eq!(line.replayed, charged_as(&charged));
		// Without the NXV discount the day's NXV buys the undiscounted net at the same rate.
		let p = FeeParams { nxv_discount: Perbill::zero(), ..now };
		let replayed = Metering::replay(p, 1).unwrap().days[0].lines[0].replayed;
		let net_pricing = charged.list - Perbill::from_percent(7).mul_floor(charged.list);
		assert_eq!(replayed.net_pricing, net_pricing);
		let rate = (charged.net, charged.net_pricing);
		assert_eq!(replayed.net, (net_pricing * rate.0).div_ceil(rate.1));
	});
}

fn charged_as(q: &crate::QuoteBreakdown) -> Priced {
	Priced { list: q.list, net_pricing: q.net_pricing, net: q.net, legs: q.legs }
}

#[test]
fn the_history_keeps_its_window_of_days() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 100 * USDN);
		let first = today();
		let serve_now = || {
			let b = serve(s, STANDARD, Units::plain(100, 10));
			assert_ok!(submit_batch(b));
		};
		serve_now();
		days_later(1);
		serve_now();
		// Two days later (none in between): USAGE_DAYS = 3 keeps first + 1 ..= first + 3.
		days_later(2);
		serve_now();
		assert_eq!(UsageDayIndex::<Test>::get().into_inner(), vec![first + 1, first + 3]);
		assert!(!UsageDays::<Test>::contains_key(first));
		let now = <Fees as FeePolicy<Asset>>::params();
		let days = |n| -> Vec<u32> {
			Metering::replay(now, n).unwrap().days.iter().map(|d| d.day).collect()
		};
		assert_eq!(days(3), vec![first + 1, first + 3]);
		assert_eq!(days(2), vec![first + 3]);
		let r = Metering::replay(now, 3).unwrap();
		assert_eq!(r.from, first + 1);
		// The window's totals add up its days.
		let receipts: u64 = r.days.iter().map(|d| d.per_asset[0].receipts).sum();
		let net: u128 = r.days.iter().map(|d| d.per_asset[0].actual.net).sum();
		assert_eq!((r.total.len(), r.total[0].receipts, r.total[0].actual.net), (1, receipts, net));
		assert_eq!(receipts, 2);
		// A week later everything before has left the window: the batch that drops the two
		// days is charged for removing them (the call declares every kept day dropped).
		days_later(7);
		let b = serve(s, STANDARD, Units::plain(100, 10));
		let info = submit_batch(b).unwrap();
		assert_eq!(UsageDayIndex::<Test>::get().into_inner(), vec![first + 10]);
		assert_eq!(UsageDays::<Test>::iter().count(), 1);
		let charged = info.actual_weight.unwrap();
		assert_eq!(charged, Metering::batch_weight(1, 1, 1) + Metering::history_weight(Some(2)));
		assert!(
			Metering::history_weight(Some(2)).ref_time() >
				Metering::history_weight(Some(0)).ref_time()
		);
		assert!(
			Metering::history_weight(Some(USAGE_DAYS)).all_gte(Metering::history_weight(Some(2)))
		);
		assert_eq!(Metering::history_weight(None), frame_support::weights::Weight::zero());
	});
}

#[test]
fn a_full_day_counts_the_receipts_it_cannot_file() {
	build_and_execute(|| {
		// USAGE_LINES = 2: SEEKER and GOLD in USDN fill the day; GOLD in NXV is a third line.
		a_settled_batch();
		let s = session_for(GOLD, nxv(), 100 * NXV, 100 * NXV);
		assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(100, 10))));
		assert_eq!(UsageDays::<Test>::get(today()).len(), 2);
		assert_eq!(UsageUnbooked::<Test>::get(today()), 1);
		let now = <Fees as FeePolicy<Asset>>::params();
		assert_eq!(Metering::replay(now, 1).unwrap().days[0].unbooked, 1);
	});
}

#[test]
fn replay_refuses_bad_parameters_and_windows() {
	build_and_execute(|| {
		let now = <Fees as FeePolicy<Asset>>::params();
		let bad = FeeParams { take_rate: Perbill::from_percent(31), ..now };
		assert_eq!(
			Metering::replay(bad, 1),
			Err(ReplayError::InvalidParams(ParamsError::TakeRateTooHigh))
		);
		let shares = FeeParams { treasury_share: Perbill::from_percent(36), ..now };
		assert_eq!(
			Metering::replay(shares, 1),
			Err(ReplayError::InvalidParams(ParamsError::SharesDoNotSumToOne))
		);
		assert_eq!(Metering::replay(now, 0), Err(ReplayError::WindowOutOfRange));
		assert_eq!(Metering::replay(now, USAGE_DAYS + 1), Err(ReplayError::WindowOutOfRange));
		// No history yet: an empty window, not an error.
		assert_eq!(Metering::replay(now, USAGE_DAYS).unwrap().days, vec![]);
	});
}

#[test]
fn try_state_catches_a_history_out_of_step() {
	build_and_execute(|| {
		a_settled_batch();
		// A line whose legs do not sum to its net.
		UsageDays::<Test>::mutate(today(), |lines| lines[0].legs.provider += 1);
		assert!(Metering::do_try_state().is_err());
		UsageDays::<Test>::mutate(today(), |lines| lines[0].legs.provider -= 1);
		assert_ok!(Metering::do_try_state());
		// A day outside the index.
		UsageDays::<Test>::insert(today() - 1, UsageDays::<Test>::get(today()));
		assert!(Metering::do_try_state().is_err());
		UsageDays::<Test>::remove(today() - 1);
		// Days not ascending.
		UsageDayIndex::<Test>::put(BoundedVec::truncate_from(vec![today(), today() - 1]));
		UsageDays::<Test>::insert(today() - 1, UsageDays::<Test>::get(today()));
		assert!(Metering::do_try_state().is_err());
		UsageDayIndex::<Test>::put(BoundedVec::truncate_from(vec![today() - 1, today()]));
		assert_ok!(Metering::do_try_state());
	});
}

#[test]
fn a_fee_change_starts_new_lines_so_before_and_after_can_be_compared() {
	build_and_execute(|| {
		let s = usdn_session(SEEKER, 100 * USDN);
		let units = Units::plain(1_000, 100);
		assert_ok!(submit_batch(serve(s, STANDARD, units)));
		let before = Metering::quote(SEEKER, STANDARD, units, usdn()).unwrap();
		// Enacted at block 3: the take rises to 20 %.
		run_to(3);
		let now = <Fees as FeePolicy<Asset>>::params();
		let new = FeeParams { take_rate: Perbill::from_percent(20), ..now };
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), new));
		assert_ok!(submit_batch(serve(s, STANDARD, units)));
		let after = Metering::quote(SEEKER, STANDARD, units, usdn()).unwrap();
		let lines = UsageDays::<Test>::get(today());
		assert_eq!(
			lines.iter().map(|l| (l.regime, l.receipts)).collect::<Vec<_>>(),
			vec![(0, 1), (3, 1)]
		);
		assert_eq!(lines[0].legs, before.legs);
		assert_eq!(lines[1].legs, after.legs);
		// The day before the change replayed under the new parameters predicts the day after
		// (same units, same list price): exactly what the second line settled.
		let r = Metering::replay(new, 1).unwrap();
		assert_eq!(r.days[0].lines[0].replayed, lines[1].actual());
		assert_eq!(
			pallet_fees::ParamsHistory::<Test>::get().into_inner(),
			vec![pallet_fees::ParamsChange { at: 3, old: now, new }]
		);
	});
}
