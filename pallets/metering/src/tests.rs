//! Tests of metering: gateways, escrow, sessions, every receipt verdict, rollbacks, disputes,
//! pruning, and conservation of value.

#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use crate::{
	mock::*,
	pallet::{Disputes, Escrow, Gateways, PruneCursor, ReceiptExpiry, Receipts, Sessions},
	Error, EscrowLedger, Event, GatewayStatus, Receipt, RejectReason, Ruling, SimulationError,
	WorkloadLine, MAX_WORKLOAD_LINES,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{fungible::InspectHold, fungibles::Inspect},
};
use nexus_primitives::{
	receipts::Units,
	settlement::ParamsError,
	traits::{ConversionError, FeePolicy, Outcome},
};
use sp_core::{sr25519, Pair};
use sp_runtime::{DispatchError, Perbill};

type AssetsOf = <Test as crate::pallet::Config>::Assets;

fn bal(asset: Asset, who: AccountId) -> u128 {
	<AssetsOf as Inspect<AccountId>>::balance(asset, &who)
}

fn escrow(who: AccountId, asset: Asset) -> EscrowLedger {
	Escrow::<Test>::get(who, asset)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Metering(e) = r.event { Some(e) } else { None })
		.collect()
}

fn rejections() -> Vec<RejectReason> {
	events()
		.into_iter()
		.filter_map(
			|e| if let Event::ReceiptRejected { reason, .. } = e { Some(reason) } else { None },
		)
		.collect()
}

/// Deposits `amount` and opens a session of `cap` for `who` on gateway 0; returns its id.
fn session_for(who: AccountId, asset: Asset, amount: u128, cap: u128) -> u64 {
	assert_ok!(Metering::deposit(RuntimeOrigin::signed(who), asset.clone(), amount));
	let id = crate::pallet::NextSessionId::<Test>::get();
	assert_ok!(Metering::open_session(RuntimeOrigin::signed(who), 0, asset, cap, 500));
	id
}

/// A session of `SEEKER` (10 USDN, all committed) with one settled 1,000 in / 200 out receipt on
/// the standard capsule (net 6 USDN); returns that receipt.
fn charged_receipt() -> Receipt {
	let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
	let r = served(s, 1, STANDARD, 1_000, 200);
	assert_ok!(submit(vec![r]));
	r
}

/// The gateway's rollback of `r`'s charge, with sequence number `seq`, dated now.
fn rollback_of(r: Receipt, seq: u64) -> Receipt {
	Receipt { seq, outcome: Outcome::RolledBack, timestamp: now_ms(), ..r }
}

// ---- gateways ----

#[test]
fn genesis_registers_the_gateway_with_its_bond_held() {
	build_and_execute(|| {
		let g = Gateways::<Test>::get(0).unwrap();
		assert_eq!((g.operator, g.bond, g.status), (OPERATOR, GATEWAY_BOND, GatewayStatus::Active));
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::GatewayBond.into(), &OPERATOR),
			GATEWAY_BOND
		);
	});
}

#[test]
fn register_gateway_should_work_and_fail_with_named_errors() {
	build_and_execute(|| {
		let key = sr25519::Pair::from_seed(&[9; 32]).public();
		assert_noop!(
			Metering::register_gateway(
				RuntimeOrigin::signed(STRANGER),
				STRANGER,
				key,
				GATEWAY_BOND
			),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Metering::register_gateway(RuntimeOrigin::root(), STRANGER, key, GATEWAY_BOND - 1),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			Metering::register_gateway(RuntimeOrigin::root(), OPERATOR, key, GATEWAY_BOND),
			Error::<Test>::OperatorAlreadyRegistered
		);
		assert_noop!(
			Metering::register_gateway(RuntimeOrigin::root(), 77, key, GATEWAY_BOND),
			Error::<Test>::InsufficientBalance
		);
		assert_ok!(Metering::register_gateway(RuntimeOrigin::root(), STRANGER, key, GATEWAY_BOND));
		System::assert_last_event(
			Event::GatewayRegistered { id: 1, operator: STRANGER, key, bond: GATEWAY_BOND }.into(),
		);
	});
}

#[test]
fn rotated_key_signs_and_the_old_key_no_longer_does() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 100 * USDN);
		let new = sr25519::Pair::from_seed(&[8; 32]);
		assert_noop!(
			Metering::rotate_gateway_key(RuntimeOrigin::root(), 9, new.public()),
			Error::<Test>::UnknownGateway
		);
		assert_ok!(Metering::rotate_gateway_key(RuntimeOrigin::root(), 0, new.public()));
		let batch = vec![served(s, 1, STANDARD, 1_000, 0)];
		let old_sig = sign_with(&gateway_pair(), 0, &batch);
		assert_noop!(
			Metering::submit_receipts(RuntimeOrigin::signed(OPERATOR), 0, batch.clone(), old_sig),
			Error::<Test>::BadSignature
		);
		let sig = sign_with(&new, 0, &batch);
		assert_ok!(Metering::submit_receipts(RuntimeOrigin::signed(OPERATOR), 0, batch, sig));
	});
}

#[test]
fn suspended_gateway_opens_no_session_and_posts_no_receipt_until_resumed() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 10 * USDN);
		assert_noop!(
			Metering::suspend_gateway(RuntimeOrigin::signed(1), 0),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Metering::resume_gateway(RuntimeOrigin::root(), 0),
			Error::<Test>::GatewayNotSuspended
		);
		assert_ok!(Metering::suspend_gateway(RuntimeOrigin::root(), 0));
		assert_noop!(
			Metering::open_session(RuntimeOrigin::signed(SEEKER), 0, usdn(), 1, 500),
			Error::<Test>::GatewaySuspended
		);
		assert_noop!(submit(vec![served(s, 1, STANDARD, 1, 1)]), Error::<Test>::GatewaySuspended);
		assert_ok!(Metering::resume_gateway(RuntimeOrigin::root(), 0));
		assert_ok!(submit(vec![served(s, 1, STANDARD, 1, 1)]));
	});
}

#[test]
fn remove_gateway_waits_for_its_sessions_then_returns_the_bond() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 10 * USDN);
		assert_noop!(
			Metering::remove_gateway(RuntimeOrigin::root(), 0),
			Error::<Test>::GatewayBusy
		);
		assert_noop!(
			Metering::remove_gateway(RuntimeOrigin::root(), 5),
			Error::<Test>::UnknownGateway
		);
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), s));
		run_to(1 + GRACE);
		assert_ok!(Metering::release_session(RuntimeOrigin::signed(STRANGER), s));
		assert_ok!(Metering::remove_gateway(RuntimeOrigin::root(), 0));
		assert_eq!(Balances::balance_on_hold(&crate::HoldReason::GatewayBond.into(), &OPERATOR), 0);
		assert!(Gateways::<Test>::get(0).is_none());
	});
}

// ---- escrow ----

#[test]
fn deposit_and_withdraw_should_work() {
	build_and_execute(|| {
		assert_ok!(Metering::deposit(RuntimeOrigin::signed(SEEKER), usdn(), 50 * USDN));
		assert_eq!(escrow(SEEKER, usdn()), EscrowLedger { free: 50 * USDN, committed: 0 });
		assert_eq!(bal(usdn(), Metering::account_id()), 50 * USDN + 1);
		assert_ok!(Metering::withdraw(RuntimeOrigin::signed(SEEKER), usdn(), 20 * USDN));
		assert_eq!(escrow(SEEKER, usdn()).free, 30 * USDN);
		System::assert_last_event(
			Event::Withdrawn { who: SEEKER, asset: usdn(), amount: 20 * USDN }.into(),
		);
		assert_ok!(Metering::withdraw(RuntimeOrigin::signed(SEEKER), usdn(), 30 * USDN));
		assert!(!Escrow::<Test>::contains_key(SEEKER, usdn()), "an empty ledger is removed");
	});
}

#[test]
fn deposit_should_fail_for_zero_unsupported_asset_or_missing_funds() {
	build_and_execute(|| {
		assert_noop!(
			Metering::deposit(RuntimeOrigin::signed(SEEKER), usdn(), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Metering::deposit(RuntimeOrigin::signed(SEEKER), Asset::WithId(7), 1),
			Error::<Test>::UnsupportedAsset
		);
		assert_noop!(
			Metering::deposit(RuntimeOrigin::signed(STRANGER), usdn(), 1),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn withdraw_should_fail_beyond_free_escrow_or_for_zero() {
	build_and_execute(|| {
		session_for(SEEKER, usdn(), 100 * USDN, 60 * USDN);
		assert_noop!(
			Metering::withdraw(RuntimeOrigin::signed(SEEKER), usdn(), 0),
			Error::<Test>::ZeroAmount
		);
		// 60 are committed to the session.
		assert_noop!(
			Metering::withdraw(RuntimeOrigin::signed(SEEKER), usdn(), 41 * USDN),
			Error::<Test>::InsufficientEscrow
		);
		assert_ok!(Metering::withdraw(RuntimeOrigin::signed(SEEKER), usdn(), 40 * USDN));
	});
}

// ---- sessions ----

#[test]
fn open_session_commits_escrow_and_holds_a_deposit() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 60 * USDN);
		assert_eq!(escrow(SEEKER, usdn()), EscrowLedger { free: 40 * USDN, committed: 60 * USDN });
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::SessionDeposit.into(), &SEEKER),
			SESSION_DEPOSIT
		);
		let session = Sessions::<Test>::get(s).unwrap();
		assert_eq!(
			(session.cap, session.expires_at, session.release_at),
			(60 * USDN, 500, 500 + GRACE)
		);
		assert_eq!(Gateways::<Test>::get(0).unwrap().open_sessions, 1);
	});
}

#[test]
fn open_session_should_fail_with_named_errors() {
	build_and_execute(|| {
		assert_ok!(Metering::deposit(RuntimeOrigin::signed(SEEKER), usdn(), 10 * USDN));
		let open = |gateway, asset, cap, exp| {
			Metering::open_session(RuntimeOrigin::signed(SEEKER), gateway, asset, cap, exp)
		};
		assert_noop!(open(0, usdn(), 0, 500), Error::<Test>::ZeroCap);
		assert_noop!(open(0, Asset::WithId(7), 1, 500), Error::<Test>::UnsupportedAsset);
		assert_noop!(open(3, usdn(), 1, 500), Error::<Test>::UnknownGateway);
		assert_noop!(open(0, usdn(), 1, 1), Error::<Test>::BadExpiry);
		assert_noop!(open(0, usdn(), 1, 2 + MAX_DURATION), Error::<Test>::BadExpiry);
		assert_noop!(open(0, usdn(), 10 * USDN + 1, 500), Error::<Test>::InsufficientEscrow);
		for _ in 0..MAX_SESSIONS {
			assert_ok!(open(0, usdn(), USDN, 500));
		}
		assert_noop!(open(0, usdn(), USDN, 500), Error::<Test>::TooManySessions);
	});
}

#[test]
fn close_session_should_fail_for_strangers_unknown_or_closed_sessions() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		assert_noop!(
			Metering::close_session(RuntimeOrigin::signed(GOLD), s),
			Error::<Test>::NotSessionOwner
		);
		assert_noop!(
			Metering::close_session(RuntimeOrigin::signed(SEEKER), 9),
			Error::<Test>::UnknownSession
		);
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), s));
		System::assert_last_event(Event::SessionClosed { id: s, release_at: 1 + GRACE }.into());
		assert_noop!(
			Metering::close_session(RuntimeOrigin::signed(SEEKER), s),
			Error::<Test>::AlreadyClosed
		);
	});
}

/// Opens another session of `cap` on gateway 0 from `who`'s free escrow; returns its id.
fn open_more(who: AccountId, cap: u128) -> u64 {
	let id = crate::pallet::NextSessionId::<Test>::get();
	assert_ok!(Metering::open_session(RuntimeOrigin::signed(who), 0, usdn(), cap, 500));
	id
}

#[test]
fn an_api_key_binds_to_one_open_session_and_rotates() {
	use crate::pallet::{ApiKeys, SessionKeys};
	use sp_core::H256;
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 5 * USDN);
		let other = open_more(SEEKER, 5 * USDN);
		let (k1, k2) = (H256::repeat_byte(1), H256::repeat_byte(2));
		let bind = |who, id, key| Metering::bind_api_key(RuntimeOrigin::signed(who), id, key);
		assert_ok!(bind(SEEKER, s, k1));
		System::assert_last_event(Event::ApiKeyBound { session: s, key_hash: k1 }.into());
		assert_eq!(ApiKeys::<Test>::get(k1), Some(s));
		assert_eq!(SessionKeys::<Test>::get(s), Some(k1));
		// One key, one session: not for the seeker's other session, nor again for this one.
		assert_noop!(bind(SEEKER, other, k1), Error::<Test>::ApiKeyInUse);
		assert_noop!(bind(SEEKER, s, k1), Error::<Test>::ApiKeyInUse);
		// Rotation: the old key stops working at once.
		assert_ok!(bind(SEEKER, s, k2));
		assert_eq!(ApiKeys::<Test>::get(k1), None);
		assert_eq!(ApiKeys::<Test>::get(k2), Some(s));
		assert!(events().contains(&Event::ApiKeyUnbound { session: s, key_hash: k1 }));
		// The freed key can serve another session.
		assert_ok!(bind(SEEKER, other, k1));
		assert_ok!(Metering::unbind_api_key(RuntimeOrigin::signed(SEEKER), other));
		System::assert_last_event(Event::ApiKeyUnbound { session: other, key_hash: k1 }.into());
		assert_eq!(ApiKeys::<Test>::get(k1), None);
		assert_noop!(
			Metering::unbind_api_key(RuntimeOrigin::signed(SEEKER), other),
			Error::<Test>::NoApiKey
		);
	});
}

#[test]
fn bind_api_key_should_fail_with_named_errors() {
	use sp_core::H256;
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 5 * USDN);
		let key = H256::repeat_byte(7);
		let bind = |who, id| Metering::bind_api_key(RuntimeOrigin::signed(who), id, key);
		assert_noop!(bind(SEEKER, 99), Error::<Test>::UnknownSession);
		assert_noop!(bind(STRANGER, s), Error::<Test>::NotSessionOwner);
		assert_noop!(
			Metering::unbind_api_key(RuntimeOrigin::signed(STRANGER), s),
			Error::<Test>::NotSessionOwner
		);
		assert_noop!(
			Metering::unbind_api_key(RuntimeOrigin::signed(SEEKER), 99),
			Error::<Test>::UnknownSession
		);
		let t = session_for(GOLD, usdn(), 10 * USDN, 5 * USDN);
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(GOLD), t));
		assert_noop!(
			Metering::bind_api_key(RuntimeOrigin::signed(GOLD), t, key),
			Error::<Test>::AlreadyClosed
		);
		run_to(501);
		assert_noop!(bind(SEEKER, s), Error::<Test>::SessionExpired);
	});
}

#[test]
fn closing_or_releasing_a_session_unbinds_its_key() {
	use crate::pallet::{ApiKeys, SessionKeys};
	use sp_core::H256;
	build_and_execute(|| {
		let closed = session_for(SEEKER, usdn(), 10 * USDN, 5 * USDN);
		let expiring = open_more(SEEKER, 5 * USDN);
		let (k1, k2) = (H256::repeat_byte(1), H256::repeat_byte(2));
		assert_ok!(Metering::bind_api_key(RuntimeOrigin::signed(SEEKER), closed, k1));
		assert_ok!(Metering::bind_api_key(RuntimeOrigin::signed(SEEKER), expiring, k2));
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), closed));
		assert_eq!(ApiKeys::<Test>::get(k1), None);
		assert_eq!(SessionKeys::<Test>::get(closed), None);
		assert!(events().contains(&Event::ApiKeyUnbound { session: closed, key_hash: k1 }));
		// The other session is never closed: its key goes when it is released after expiry.
		run_to_with_idle(500 + GRACE - 1);
		assert_eq!(ApiKeys::<Test>::get(k2), Some(expiring));
		run_to_with_idle(500 + GRACE);
		assert!(!Sessions::<Test>::contains_key(expiring));
		assert_eq!(ApiKeys::<Test>::get(k2), None);
		assert_eq!(SessionKeys::<Test>::get(expiring), None);
	});
}

#[test]
fn a_closed_session_releases_after_the_grace_period_by_call() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		assert_ok!(submit(vec![served(s, 1, STANDARD, 1_000, 0)]));
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), s));
		run_to(GRACE);
		assert_noop!(
			Metering::release_session(RuntimeOrigin::signed(STRANGER), s),
			Error::<Test>::NotYetReleasable
		);
		run_to(1 + GRACE);
		assert_ok!(Metering::release_session(RuntimeOrigin::signed(STRANGER), s));
		System::assert_last_event(
			Event::SessionReleased { id: s, seeker: SEEKER, spent: 3 * USDN, returned: 7 * USDN }
				.into(),
		);
		assert_eq!(escrow(SEEKER, usdn()), EscrowLedger { free: 7 * USDN, committed: 0 });
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::SessionDeposit.into(), &SEEKER),
			0
		);
		assert_noop!(
			Metering::release_session(RuntimeOrigin::signed(STRANGER), s),
			Error::<Test>::UnknownSession
		);
	});
}

#[test]
fn expired_sessions_release_by_themselves_in_on_idle() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		run_to_with_idle(500 + GRACE - 1);
		assert!(Sessions::<Test>::contains_key(s));
		run_to_with_idle(500 + GRACE);
		assert!(!Sessions::<Test>::contains_key(s));
		assert_eq!(escrow(SEEKER, usdn()).free, 10 * USDN);
	});
}

#[test]
fn withdraw_releases_due_sessions_first() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), s));
		run_to(1 + GRACE);
		assert_ok!(Metering::withdraw(RuntimeOrigin::signed(SEEKER), usdn(), 10 * USDN));
		assert!(!Sessions::<Test>::contains_key(s));
	});
}

// ---- settlement ----

#[test]
fn quote_prices_prompt_cache_units_at_the_capsules_cache_prices() {
	build_and_execute(|| {
		let plain = Metering::quote(SEEKER, STANDARD, Units::plain(1_000, 200), usdn()).unwrap();
		let units = Units { input: 1_000, output: 200, cache_read: 10_000, cache_write: 2_000 };
		let q = Metering::quote(SEEKER, STANDARD, units, usdn()).unwrap();
		// Plus 10,000 × 0.3 USDN/1k read from the cache and 2,000 × 3.75 USDN/1k written: 3 +
		// 7.5 USDN, where plain input would have cost 36 USDN.
		assert_eq!(q.list, plain.list + 3 * USDN + 7 * USDN + USDN / 2);
		assert_eq!(q.legs.total(), q.net);
	});
}

#[test]
fn a_served_receipt_in_usdn_moves_every_leg_exactly() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 50 * USDN);
		let before = |who| bal(usdn(), who);
		let (p0, t0, b0, v0, r0) = (
			before(PROVIDER),
			before(TREASURY),
			before(BUYBACK),
			before(VALIDATORS),
			before(Reserve::account_id()),
		);
		let q = Metering::quote(SEEKER, STANDARD, Units::plain(1_000, 200), usdn()).unwrap();
		let r = served(s, 1, STANDARD, 1_000, 200);
		assert_ok!(submit(vec![r]));
		// 1,000 × 3 USDN/1k + 200 × 15 USDN/1k = 6 USDN, no discount.
		assert_eq!((q.list, q.net), (6 * USDN, 6 * USDN));
		assert_eq!(q.legs.provider, 5_100_000);
		assert_eq!(
			(q.legs.treasury, q.legs.buyback, q.legs.validators, q.legs.reserve),
			(315_000, 225_000, 90_000, 270_000)
		);
		assert_eq!(before(PROVIDER) - p0, q.legs.provider);
		assert_eq!(before(TREASURY) - t0, q.legs.treasury);
		assert_eq!(before(BUYBACK) - b0, q.legs.buyback);
		assert_eq!(before(VALIDATORS) - v0, q.legs.validators);
		assert_eq!(before(Reserve::account_id()) - r0, q.legs.reserve);
		assert_eq!(escrow(SEEKER, usdn()), EscrowLedger { free: 50 * USDN, committed: 44 * USDN });
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, 6 * USDN);
		assert!(events().contains(&Event::ReceiptSettled {
			id: r.id,
			session: s,
			capsule: STANDARD,
			seeker: SEEKER,
			provider: PROVIDER,
			asset: usdn(),
			list: 6 * USDN,
			discount: Perbill::zero(),
			net: 6 * USDN,
			to_provider: 5_100_000,
			to_treasury: 315_000,
			to_buyback: 225_000,
			to_validators: 90_000,
			to_reserve: 270_000,
		}));
		System::assert_last_event(
			Event::BatchProcessed { gateway: 0, settled: 1, recorded: 0, rejected: 0 }.into(),
		);
		let flows = Fees::lifetime_totals();
		assert_eq!(flows[1].1.net, 6 * USDN);
	});
}

#[test]
fn paying_in_nxv_converts_at_the_price_and_applies_nxv_and_tier_discounts() {
	build_and_execute(|| {
		let s = session_for(GOLD, nxv(), 100 * NXV, 50 * NXV);
		let p0 = bal(nxv(), PROVIDER);
		assert_ok!(submit(vec![served(s, 1, STANDARD, 1_000, 200)]));
		// 6 USDN − (10% NXV + 7% Gold) = 4.98 USDN = 2.49 NXV at 2 USDN.
		let q = Metering::quote(GOLD, STANDARD, Units::plain(1_000, 200), nxv()).unwrap();
		assert_eq!(q.discount, Perbill::from_percent(17));
		assert_eq!(q.net_pricing, 4_980_000);
		assert_eq!(q.net, 2_490_000_000_000);
		assert_eq!(bal(nxv(), PROVIDER) - p0, q.legs.provider);
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, q.net);
	});
}

#[test]
fn the_discount_is_capped_by_the_fee_parameters() {
	build_and_execute(|| {
		// Lower the cap to 15%: Gold in NXV (10% + 7%) gets 15%.
		let mut params = nexus_primitives::settlement::FeeParams::defaults();
		params.max_discount = Perbill::from_percent(15);
		assert_ok!(Fees::set_params(RuntimeOrigin::root(), params));
		let q = Metering::quote(GOLD, STANDARD, Units::plain(1_000, 200), nxv()).unwrap();
		assert_eq!(q.discount, Perbill::from_percent(15));
	});
}

#[test]
fn a_batch_writes_each_destination_once_and_the_legs_sum_to_the_debits() {
	build_and_execute(|| {
		let a = session_for(SEEKER, usdn(), 100 * USDN, 100 * USDN);
		let b = session_for(GOLD, usdn(), 100 * USDN, 100 * USDN);
		let total_before: u128 = [PROVIDER, TREASURY, BUYBACK, VALIDATORS, Reserve::account_id()]
			.iter()
			.map(|w| bal(usdn(), *w))
			.sum();
		let batch = vec![
			served(a, 1, STANDARD, 1_000, 200),
			served(a, 2, STANDARD, 333, 77),
			served(b, 1, PREMIUM, 12_345, 678),
			served(b, 2, STANDARD, 1, 0),
		];
		assert_ok!(submit(batch));
		let total_after: u128 = [PROVIDER, TREASURY, BUYBACK, VALIDATORS, Reserve::account_id()]
			.iter()
			.map(|w| bal(usdn(), *w))
			.sum();
		let debits =
			Sessions::<Test>::get(a).unwrap().spent + Sessions::<Test>::get(b).unwrap().spent;
		assert_eq!(total_after - total_before, debits);
		// One transfer per destination: five Transferred events for the stable asset.
		let transfers = System::events()
			.iter()
			.filter(|r| {
				matches!(r.event, RuntimeEvent::Assets(pallet_assets::Event::Transferred { .. }))
			})
			.count();
		assert_eq!(transfers, 2 + 5, "two deposits, then one transfer per destination");
	});
}

#[test]
fn failed_receipts_charge_nothing_advance_the_sequence_and_lower_trust() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		let trust0 = pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().trust;
		let r = receipt(s, 1, STANDARD, 500, 0, Outcome::Failed);
		assert_ok!(submit(vec![r]));
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, 0);
		assert_eq!(Sessions::<Test>::get(s).unwrap().last_seq, 1);
		assert!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().trust < trust0);
		assert!(events().contains(&Event::ReceiptRecorded {
			id: r.id,
			capsule: STANDARD,
			outcome: Outcome::Failed
		}));
	});
}

#[test]
fn a_rollback_refunds_from_the_reserve_and_slashes_the_provider_bond() {
	build_and_execute(|| {
		let r = charged_receipt();
		let reserve_nxv = bal(nxv(), Reserve::account_id());
		let bond0 = pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond;
		assert_ok!(submit(vec![rollback_of(r, 2)]));
		// The net (6 USDN) back into free escrow; the provider's 5.1 USDN = 2.55 NXV slashed.
		assert_eq!(escrow(SEEKER, usdn()).free, 6 * USDN);
		let slashed = 2_550_000_000_000;
		assert!(events().contains(&Event::ReceiptRolledBack {
			id: r.id,
			refunded: 6 * USDN,
			slashed
		}));
		assert_eq!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond, bond0 - slashed);
		assert_eq!(bal(nxv(), Reserve::account_id()), reserve_nxv + slashed);
		// A second rollback of the same charge is refused.
		assert_ok!(submit(vec![rollback_of(r, 3)]));
		assert_eq!(rejections(), vec![RejectReason::AlreadyRefunded]);
	});
}

#[test]
fn a_rollback_the_reserve_cannot_cover_is_rejected_and_stays_refundable() {
	build_and_execute(|| {
		let r = charged_receipt();
		// Governance pays a claim that leaves the reserve 5 USDN short of the 6 USDN refund.
		let spare = Reserve::available(&usdn()) - 5 * USDN;
		assert_ok!(Reserve::pay_claim(
			RuntimeOrigin::root(),
			usdn(),
			STRANGER,
			spare,
			[0; 32].into()
		));
		let bond0 = pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond;
		assert_ok!(submit(vec![rollback_of(r, 2)]));
		assert_eq!(rejections(), vec![RejectReason::ReserveShortfall]);
		// Nothing moved: no refund, no slash, the charge is still open to a refund.
		assert_eq!(escrow(SEEKER, usdn()).free, 0);
		assert_eq!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond, bond0);
		assert!(matches!(
			Receipts::<Test>::get(r.id),
			Some(crate::ReceiptRecord::Charged(c)) if !c.refunded
		));
		// Funded again, the same rollback (re-sequenced) refunds in full.
		assert_ok!(<AssetsOf as frame_support::traits::fungibles::Mutate<AccountId>>::transfer(
			usdn(),
			&GOLD,
			&Reserve::account_id(),
			USDN,
			frame_support::traits::tokens::Preservation::Preserve,
		));
		assert_ok!(submit(vec![rollback_of(r, 3)]));
		assert_eq!(escrow(SEEKER, usdn()).free, 6 * USDN);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::ReceiptRolledBack { id, refunded, .. } if *id == r.id && *refunded == 6 * USDN
		)));
	});
}

#[test]
fn bad_receipts_are_rejected_one_by_one_and_the_rest_settles() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 10 * USDN);
		let other = session_for(GOLD, usdn(), 100 * USDN, 100 * USDN);
		assert_ok!(Capsules::pause(RuntimeOrigin::signed(PROVIDER), STANDARD));
		assert_ok!(Capsules::resume(RuntimeOrigin::signed(PROVIDER), STANDARD));
		let good = served(s, 5, STANDARD, 1_000, 0);
		let mut future = served(s, 6, STANDARD, 1, 0);
		future.timestamp = now_ms() + SKEW_MS + 1;
		let mut old = served(s, 7, STANDARD, 1, 0);
		old.timestamp = now_ms() - RECEIPT_WINDOW_MS - 1;
		let batch = vec![
			good,
			good,                              // same id again
			served(s, 5, STANDARD, 1, 0),      // id differs only by.. same seq: not increasing
			served(99, 1, STANDARD, 1, 0),     // unknown session
			served(s, 8, 42, 1, 0),            // unknown capsule
			served(s, 9, PREMIUM, 1, 0),       // Basic tier, premium lane
			served(s, 10, STANDARD, 0, 0),     // zero units
			served(s, 11, STANDARD, 0, 4_000), // 60 USDN: over the 10 USDN cap
		];
		assert_ok!(submit(batch));
		assert_eq!(
			rejections(),
			vec![
				RejectReason::DuplicateReceipt,
				RejectReason::DuplicateReceipt,
				RejectReason::UnknownSession,
				RejectReason::UnknownCapsule,
				RejectReason::LaneNotAllowed,
				RejectReason::ZeroUnits,
				RejectReason::OverCap,
			]
		);
		assert_eq!(Sessions::<Test>::get(s).unwrap().spent, 3 * USDN);
		System::reset_events();
		let batch =
			vec![future, old, served(s, 4, STANDARD, 1, 0), served(other, 1, STANDARD, 1, 0)];
		assert_ok!(submit(batch));
		assert_eq!(
			rejections(),
			vec![
				RejectReason::TimestampInFuture,
				RejectReason::ReceiptExpired,
				RejectReason::SequenceNotIncreasing,
			]
		);
	});
}

#[test]
fn receipts_for_paused_capsules_wrong_gateways_closed_or_expired_sessions_are_rejected() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 100 * USDN);
		assert_ok!(Capsules::pause(RuntimeOrigin::signed(PROVIDER), STANDARD));
		assert_ok!(submit(vec![served(s, 1, STANDARD, 1, 0)]));
		assert_eq!(rejections(), vec![RejectReason::CapsuleNotActive]);
		assert_ok!(Capsules::resume(RuntimeOrigin::signed(PROVIDER), STANDARD));

		// A second gateway cannot charge a session opened for the first.
		let pair = sr25519::Pair::from_seed(&[3; 32]);
		assert_ok!(Metering::register_gateway(
			RuntimeOrigin::root(),
			STRANGER,
			pair.public(),
			GATEWAY_BOND
		));
		System::reset_events();
		let batch = vec![served(s, 1, STANDARD, 1, 0)];
		let sig = sign_with(&pair, 1, &batch);
		assert_ok!(Metering::submit_receipts(RuntimeOrigin::signed(STRANGER), 1, batch, sig));
		assert_eq!(rejections(), vec![RejectReason::WrongGateway]);

		// Closed: a request stamped after the close is refused, one from before still settles.
		let before_close = served(s, 2, STANDARD, 1, 0);
		run_to(2);
		assert_ok!(Metering::close_session(RuntimeOrigin::signed(SEEKER), s));
		run_to(3);
		System::reset_events();
		assert_ok!(submit(vec![before_close, served(s, 3, STANDARD, 1, 0)]));
		assert_eq!(rejections(), vec![RejectReason::SessionClosed]);

		// Past its release block (on_idle not yet run) the session takes nothing.
		let t = session_for(GOLD, usdn(), 10 * USDN, 10 * USDN);
		run_to(500 + GRACE);
		System::reset_events();
		assert_ok!(submit(vec![served(t, 1, STANDARD, 1, 0)]));
		assert_eq!(rejections(), vec![RejectReason::SessionExpired]);
	});
}

#[test]
fn usage_caps_per_window_are_enforced_and_reset() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 1_000 * USDN, 1_000 * USDN);
		// Basic: 100,000 units per window.
		assert_ok!(submit(vec![
			served(s, 1, STANDARD, 90_000, 0),
			served(s, 2, STANDARD, 10_001, 0)
		]));
		assert_eq!(rejections(), vec![RejectReason::UsageCapExceeded]);
		run_to(USAGE_WINDOW);
		System::reset_events();
		assert_ok!(submit(vec![served(s, 3, STANDARD, 10_001, 0)]));
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
		let s = 0;
		run_to(1_001);
		assert_ok!(submit(vec![served(s, 1, STANDARD, 1, 0)]));
		assert_eq!(rejections(), vec![RejectReason::Conversion(ConversionError::StalePrice)]);
	});
}

#[test]
fn a_bad_signature_rejects_the_whole_batch_before_any_write() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		let batch = vec![served(s, 1, STANDARD, 1_000, 0)];
		let sig = sign_with(&gateway_pair(), 0, &batch);
		// Tampered: more units than were signed.
		let mut forged = batch.clone();
		forged[0].input_units = 2_000;
		assert_noop!(
			Metering::submit_receipts(RuntimeOrigin::signed(OPERATOR), 0, forged, sig),
			Error::<Test>::BadSignature
		);
		// Re-signed by another key.
		let other = sr25519::Pair::from_seed(&[1; 32]);
		assert_noop!(
			Metering::submit_receipts(
				RuntimeOrigin::signed(OPERATOR),
				0,
				batch.clone(),
				sign_with(&other, 0, &batch)
			),
			Error::<Test>::BadSignature
		);
		// Signed for another chain: the genesis hash is part of the payload.
		let foreign = sign_with(&gateway_pair(), 0, &batch);
		frame_system::BlockHash::<Test>::insert(0, sp_core::H256::repeat_byte(0xEE));
		assert_noop!(
			Metering::submit_receipts(RuntimeOrigin::signed(OPERATOR), 0, batch.clone(), foreign),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn batch_level_errors_are_named() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		assert_noop!(submit(vec![]), Error::<Test>::EmptyBatch);
		let big: Vec<_> =
			(1..=u64::from(MAX_BATCH) + 1).map(|i| served(s, i, STANDARD, 1, 0)).collect();
		assert_noop!(submit(big), Error::<Test>::BatchTooLarge);
		let batch = vec![served(s, 1, STANDARD, 1, 0)];
		let sig = sign_with(&gateway_pair(), 0, &batch);
		assert_noop!(
			Metering::submit_receipts(RuntimeOrigin::signed(STRANGER), 0, batch.clone(), sig),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Metering::submit_receipts(RuntimeOrigin::signed(OPERATOR), 4, batch, sig),
			Error::<Test>::UnknownGateway
		);
	});
}

#[test]
fn a_replay_is_refused_within_the_window_and_after_pruning() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 100 * USDN, 100 * USDN);
		let r = served(s, 1, STANDARD, 1_000, 0);
		assert_ok!(submit(vec![r]));
		System::reset_events();
		assert_ok!(submit(vec![r]));
		assert_eq!(rejections(), vec![RejectReason::DuplicateReceipt]);
		// Even with a higher sequence number, the id is known.
		let mut again = r;
		again.seq = 2;
		System::reset_events();
		assert_ok!(submit(vec![again]));
		assert_eq!(rejections(), vec![RejectReason::DuplicateReceipt]);
		// After the window the id is pruned, and the old receipt fails the time check.
		let later = 1 + (RECEIPT_WINDOW_MS + 2 * BUCKET_MS) / BLOCK_MS;
		run_to_with_idle(later);
		assert!(!Receipts::<Test>::contains_key(r.id));
		assert_eq!(ReceiptExpiry::<Test>::iter().count(), 0);
		System::reset_events();
		assert_ok!(submit(vec![again]));
		assert_eq!(rejections(), vec![RejectReason::ReceiptExpired]);
	});
}

/// A session and one settled batch of two receipts: the first by id (which the batch records
/// first) dated now, the second `age` ms older; returns the session and both.
fn newest_then_older(age: u64) -> (u64, Receipt, Receipt) {
	let s = session_for(SEEKER, usdn(), 100 * USDN, 100 * USDN);
	run_to(1 + 3 * BUCKET_MS / BLOCK_MS);
	let newest = Receipt { id: [1; 16], ..served(s, 3, STANDARD, 10, 0) };
	let older = Receipt { id: [2; 16], timestamp: now_ms() - age, ..served(s, 4, STANDARD, 10, 0) };
	assert_ok!(submit(vec![newest, older]));
	(s, newest, older)
}

#[test]
fn receipts_older_than_the_first_recorded_are_pruned_too() {
	build_and_execute(|| {
		// The first recorded (by id) is the newest, so it set the pruning cursor; the other is
		// a bucket older; a later batch brings one two buckets older.
		let (s, _newest, _older) = newest_then_older(BUCKET_MS);
		let mut oldest = served(s, 5, STANDARD, 10, 0);
		oldest.id = [3; 16];
		oldest.timestamp = now_ms() - 2 * BUCKET_MS;
		assert_ok!(submit(vec![oldest]));
		assert_eq!(ReceiptExpiry::<Test>::iter().count(), 3);
		assert_eq!(PruneCursor::<Test>::get(), oldest.timestamp / BUCKET_MS);
		run_to_with_idle(System::block_number() + (RECEIPT_WINDOW_MS + 2 * BUCKET_MS) / BLOCK_MS);
		assert_eq!(Receipts::<Test>::iter().count(), 0);
		assert_eq!(ReceiptExpiry::<Test>::iter().count(), 0);
	});
}

/// The state a v0 chain leaked in: two receipts two buckets apart, the pruning cursor where the
/// first by id (the newest) set it, storage version 0. Returns the newest and the older.
fn a_v0_chain_with_a_leaked_receipt() -> (Receipt, Receipt) {
	let (_, newest, older) = newest_then_older(2 * BUCKET_MS);
	PruneCursor::<Test>::put(newest.timestamp / BUCKET_MS);
	frame_support::traits::StorageVersion::new(0).put::<Metering>();
	(newest, older)
}

#[test]
fn the_v1_migration_moves_the_cursor_back_to_receipts_a_v0_chain_leaked() {
	use crate::migrations::v1::MigrateV0ToV1;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	build_and_execute(|| {
		let (newest, older) = a_v0_chain_with_a_leaked_receipt();
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PruneCursor::<Test>::get(), older.timestamp / BUCKET_MS);
		assert_eq!(Metering::on_chain_storage_version(), StorageVersion::new(1));
		// Once applied, it does nothing.
		PruneCursor::<Test>::put(newest.timestamp / BUCKET_MS);
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(PruneCursor::<Test>::get(), newest.timestamp / BUCKET_MS);
		// Put the cursor back where the migration set it; pruning then forgets both ids.
		PruneCursor::<Test>::put(older.timestamp / BUCKET_MS);
		run_to_with_idle(System::block_number() + (RECEIPT_WINDOW_MS + 2 * BUCKET_MS) / BLOCK_MS);
		assert_eq!(Receipts::<Test>::iter().count(), 0);
	});
}

/// The migration as an upgrade check runs it: `pre_upgrade`, the migration, `post_upgrade`
/// (which also runs `try_state`). Its post-upgrade check fails on a cursor left behind.
#[cfg(feature = "try-runtime")]
#[test]
fn the_v1_migration_passes_its_own_upgrade_checks_and_they_catch_a_cursor_left_behind() {
	use crate::migrations::v1::{InnerMigrateV0ToV1, MigrateV0ToV1};
	use frame_support::traits::{OnRuntimeUpgrade, UncheckedOnRuntimeUpgrade};
	build_and_execute(|| {
		let (newest, older) = a_v0_chain_with_a_leaked_receipt();
		assert!(Metering::do_try_state().is_err(), "a v0 chain's leak breaks try_state");
		assert_ok!(MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true));
		assert_eq!(PruneCursor::<Test>::get(), older.timestamp / BUCKET_MS);

		// A migration that did nothing would be caught by its post-upgrade check.
		PruneCursor::<Test>::put(newest.timestamp / BUCKET_MS);
		let state = InnerMigrateV0ToV1::<Test>::pre_upgrade().unwrap();
		assert!(InnerMigrateV0ToV1::<Test>::post_upgrade(state).is_err());
		PruneCursor::<Test>::put(older.timestamp / BUCKET_MS);
	});
}

// ---- uptime ----

#[test]
fn report_uptime_should_work_for_the_operator_only() {
	build_and_execute(|| {
		let up = sp_runtime::Permill::from_percent(97);
		assert_noop!(
			Metering::report_uptime(RuntimeOrigin::signed(STRANGER), 0, STANDARD, up),
			Error::<Test>::NotOperator
		);
		assert_noop!(
			Metering::report_uptime(RuntimeOrigin::signed(OPERATOR), 0, 42, up),
			Error::<Test>::UnknownCapsule
		);
		assert_ok!(Metering::report_uptime(RuntimeOrigin::signed(OPERATOR), 0, STANDARD, up));
		assert_eq!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().uptime, up);
	});
}

// ---- disputes ----

fn charged() -> (u64, crate::Receipt) {
	let s = session_for(SEEKER, usdn(), 100 * USDN, 100 * USDN);
	let r = served(s, 1, STANDARD, 1_000, 200);
	assert_ok!(submit(vec![r, receipt(s, 2, STANDARD, 1, 1, Outcome::Failed)]));
	(s, r)
}

#[test]
fn dispute_should_fail_with_named_errors() {
	build_and_execute(|| {
		let (s, r) = charged();
		let failed = receipt(s, 2, STANDARD, 1, 1, Outcome::Failed);
		assert_noop!(
			Metering::dispute(RuntimeOrigin::signed(SEEKER), [9; 16]),
			Error::<Test>::UnknownReceipt
		);
		assert_noop!(
			Metering::dispute(RuntimeOrigin::signed(SEEKER), failed.id),
			Error::<Test>::NotCharged
		);
		assert_noop!(
			Metering::dispute(RuntimeOrigin::signed(GOLD), r.id),
			Error::<Test>::NotYourReceipt
		);
		assert_ok!(Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id));
		assert_noop!(
			Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id),
			Error::<Test>::AlreadyDisputed
		);
		// Under dispute, the gateway cannot roll it back.
		assert_ok!(submit(vec![rollback_of(r, 3)]));
		assert_eq!(rejections(), vec![RejectReason::UnderDispute]);
	});
}

#[test]
fn dispute_should_fail_after_the_window() {
	build_and_execute(|| {
		let (_, r) = charged();
		run_to(1 + DISPUTE_WINDOW_MS / BLOCK_MS + 1);
		assert_noop!(
			Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id),
			Error::<Test>::DisputeWindowClosed
		);
	});
}

#[test]
fn an_upheld_dispute_against_the_provider_refunds_and_slashes_the_capsule_bond() {
	build_and_execute(|| {
		let (_, r) = charged();
		assert_ok!(Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id));
		let free0 = escrow(SEEKER, usdn()).free;
		assert_noop!(
			Metering::resolve_dispute(RuntimeOrigin::signed(SEEKER), r.id, Ruling::ProviderAtFault),
			DispatchError::BadOrigin
		);
		assert_ok!(Metering::resolve_dispute(RuntimeOrigin::root(), r.id, Ruling::ProviderAtFault));
		assert_eq!(escrow(SEEKER, usdn()).free, free0 + 6 * USDN);
		System::assert_last_event(
			Event::DisputeResolved {
				id: r.id,
				ruling: Ruling::ProviderAtFault,
				refunded: 6 * USDN,
				slashed: 2_550_000_000_000,
			}
			.into(),
		);
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::DisputeDeposit.into(), &SEEKER),
			0
		);
		// Refunded: neither a new dispute nor a rollback can refund it again.
		assert_noop!(
			Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id),
			Error::<Test>::AlreadyRefunded
		);
		assert_noop!(
			Metering::resolve_dispute(RuntimeOrigin::root(), r.id, Ruling::Rejected),
			Error::<Test>::UnknownDispute
		);
	});
}

#[test]
fn an_upheld_dispute_against_a_released_capsule_refunds_from_the_reserve_alone() {
	build_and_execute(|| {
		let (_, r) = charged();
		assert_ok!(Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id));
		// The provider retires the capsule and takes its bond back before the ruling.
		assert_ok!(Capsules::retire(RuntimeOrigin::signed(PROVIDER), STANDARD));
		run_to(System::block_number() + 21);
		assert_ok!(Capsules::release_bond(RuntimeOrigin::signed(PROVIDER), STANDARD));
		let free0 = escrow(SEEKER, usdn()).free;
		assert_ok!(Metering::resolve_dispute(RuntimeOrigin::root(), r.id, Ruling::ProviderAtFault));
		assert_eq!(escrow(SEEKER, usdn()).free, free0 + 6 * USDN);
		System::assert_last_event(
			Event::DisputeResolved {
				id: r.id,
				ruling: Ruling::ProviderAtFault,
				refunded: 6 * USDN,
				slashed: 0,
			}
			.into(),
		);
		assert!(Disputes::<Test>::get(r.id).is_none());
	});
}

#[test]
fn an_upheld_dispute_against_the_gateway_slashes_the_gateway_bond() {
	build_and_execute(|| {
		let (_, r) = charged();
		assert_ok!(Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id));
		assert_ok!(Metering::resolve_dispute(RuntimeOrigin::root(), r.id, Ruling::GatewayAtFault));
		// The net, 6 USDN, is 3 NXV at 2 USDN.
		assert_eq!(Gateways::<Test>::get(0).unwrap().bond, GATEWAY_BOND - 3 * NXV);
	});
}

#[test]
fn a_rejected_dispute_sends_the_deposit_to_the_reserve() {
	build_and_execute(|| {
		let (_, r) = charged();
		assert_ok!(Metering::dispute(RuntimeOrigin::signed(SEEKER), r.id));
		let reserve0 = bal(nxv(), Reserve::account_id());
		assert_ok!(Metering::resolve_dispute(RuntimeOrigin::root(), r.id, Ruling::Rejected));
		assert_eq!(bal(nxv(), Reserve::account_id()), reserve0 + DISPUTE_DEPOSIT);
		assert_eq!(escrow(SEEKER, usdn()).free, 0);
	});
}

#[test]
fn quote_fails_for_unknown_capsules_and_assets() {
	build_and_execute(|| {
		assert_eq!(
			Metering::quote(SEEKER, 42, Units::plain(1, 1), usdn()),
			Err(RejectReason::UnknownCapsule)
		);
		assert_eq!(
			Metering::quote(SEEKER, STANDARD, Units::plain(1, 1), Asset::WithId(7)),
			Err(RejectReason::Conversion(ConversionError::UnsupportedAsset))
		);
	});
}

fn line(capsule: u64, tier: u8, asset: Asset, requests: u32) -> WorkloadLine<Asset> {
	WorkloadLine { capsule, tier, asset, in_units: 1_200, out_units: 350, requests }
}

#[test]
fn simulate_with_todays_parameters_is_quote_times_requests() {
	build_and_execute(|| {
		let params = <Fees as FeePolicy<Asset>>::params();
		let workload = vec![
			line(STANDARD, 0, usdn(), 3),
			line(PREMIUM, 1, nxv(), 2),
			line(STANDARD, 1, usdn(), 5),
		];
		let sim = Metering::simulate(params, workload).unwrap();
		// Tier 0 is SEEKER's tier, tier 1 GOLD's: each line's request is their quote.
		let quotes = [
			Metering::quote(SEEKER, STANDARD, Units::plain(1_200, 350), usdn()).unwrap(),
			Metering::quote(GOLD, PREMIUM, Units::plain(1_200, 350), nxv()).unwrap(),
			Metering::quote(GOLD, STANDARD, Units::plain(1_200, 350), usdn()).unwrap(),
		];
		for ((l, q), n) in sim.lines.iter().zip(quotes).zip([3u128, 2, 5]) {
			assert_eq!(l.per_request, q);
			assert_eq!(l.total.requests, n as u64);
			assert_eq!(l.total.net, q.net * n);
			assert_eq!(l.total.list, q.list * n);
			assert_eq!(l.total.legs, q.legs.checked_mul(n).unwrap());
			assert_eq!(l.total.legs.total(), l.total.net);
		}
		// Totals per asset, USDN first (first seen), never mixed with NXV.
		assert_eq!(sim.per_asset.len(), 2);
		assert_eq!(sim.per_asset[0].0, usdn());
		assert_eq!(
			sim.per_asset[0].1,
			sim.lines[0].total.checked_add(&sim.lines[2].total).unwrap()
		);
		assert_eq!(sim.per_asset[1], (nxv(), sim.lines[1].total));
	});
}

#[test]
fn simulate_prices_under_the_proposed_parameters_without_changing_them() {
	build_and_execute(|| {
		let today = <Fees as FeePolicy<Asset>>::params();
		let mut proposed = today;
		proposed.take_rate = Perbill::from_percent(20);
		proposed.treasury_share = Perbill::from_percent(50);
		proposed.reserve_share = Perbill::from_percent(15);
		proposed.nxv_discount = Perbill::from_percent(15);
		let gold_nxv = vec![line(STANDARD, 1, nxv(), 1)];
		let before = Metering::simulate(today, gold_nxv.clone()).unwrap().lines[0];
		let after = Metering::simulate(proposed, gold_nxv).unwrap().lines[0];
		// Today 10% NXV + 7% Gold; proposed 15% + 7%, capped at the 20% maximum.
		assert_eq!(before.per_request.discount, Perbill::from_percent(17));
		assert_eq!(after.per_request.asset_discount, Perbill::from_percent(15));
		assert_eq!(after.per_request.discount, Perbill::from_percent(20));
		assert!(after.per_request.net < before.per_request.net);
		let usdn_line = |p| Metering::simulate(p, vec![line(STANDARD, 0, usdn(), 1)]).unwrap();
		let (b, a) =
			(usdn_line(today).lines[0].per_request, usdn_line(proposed).lines[0].per_request);
		assert_eq!(a.net, b.net, "no discount on USDN for tier 0 either way");
		assert_eq!(a.legs.provider, a.net - Perbill::from_percent(20).mul_floor(a.net));
		assert!(a.legs.treasury > b.legs.treasury);
		assert!(a.legs.reserve < b.legs.reserve);
		assert_eq!(a.legs.total(), a.net);
		// Nothing was written: the parameters in force are today's.
		assert_eq!(<Fees as FeePolicy<Asset>>::params(), today);
	});
}

#[test]
fn simulate_refuses_what_settlement_would_refuse() {
	build_and_execute(|| {
		let ok = <Fees as FeePolicy<Asset>>::params();
		let mut shares = ok;
		shares.reserve_share = Perbill::from_percent(31);
		assert_eq!(
			Metering::simulate(shares, vec![line(STANDARD, 0, usdn(), 1)]),
			Err(SimulationError::InvalidParams(ParamsError::SharesDoNotSumToOne))
		);
		let mut take = ok;
		take.take_rate = Perbill::from_percent(31);
		assert_eq!(
			Metering::simulate(take, vec![line(STANDARD, 0, usdn(), 1)]),
			Err(SimulationError::InvalidParams(ParamsError::TakeRateTooHigh))
		);
		assert_eq!(Metering::simulate(ok, vec![]), Err(SimulationError::EmptyWorkload));
		let too_many = vec![line(STANDARD, 0, usdn(), 1); MAX_WORKLOAD_LINES as usize + 1];
		assert_eq!(Metering::simulate(ok, too_many), Err(SimulationError::TooManyLines));
		let full = vec![line(STANDARD, 0, usdn(), 1); MAX_WORKLOAD_LINES as usize];
		assert!(Metering::simulate(ok, full).is_ok());
		let err = |workload| Metering::simulate(ok, workload).unwrap_err();
		assert_eq!(
			err(vec![line(STANDARD, 0, usdn(), 1), line(STANDARD, 2, usdn(), 1)]),
			SimulationError::UnknownTier { line: 1 }
		);
		assert_eq!(
			err(vec![line(42, 0, usdn(), 1)]),
			SimulationError::Line { line: 0, reason: RejectReason::UnknownCapsule }
		);
		assert_eq!(
			err(vec![line(STANDARD, 0, Asset::WithId(7), 1)]),
			SimulationError::Line {
				line: 0,
				reason: RejectReason::Conversion(ConversionError::UnsupportedAsset)
			}
		);
		assert_eq!(
			err(vec![line(PREMIUM, 0, usdn(), 1)]),
			SimulationError::Line { line: 0, reason: RejectReason::LaneNotAllowed }
		);
		// A capsule priced at 10^30 per 1k input units: 10^6 units cost 10^33, so one request
		// fits in u128 and a million do not.
		let mut spec = standard_spec();
		spec.price = pallet_capsules::Price { per_1k_input: 10u128.pow(30), ..PRICE };
		assert_ok!(pallet_capsules::Pallet::<Test>::register(
			RuntimeOrigin::signed(PROVIDER),
			spec
		));
		let dear = WorkloadLine { in_units: 1_000_000, out_units: 0, ..line(2, 0, usdn(), 1) };
		assert_eq!(
			Metering::simulate(ok, vec![dear.clone()]).unwrap().lines[0].total.list,
			10u128.pow(33)
		);
		assert_eq!(
			err(vec![WorkloadLine { requests: 1_000_000, ..dear.clone() }]),
			SimulationError::Line { line: 0, reason: RejectReason::PriceOverflow }
		);
		// Each line fits (10^38), their sum does not.
		let big = WorkloadLine { requests: 100_000, ..dear };
		assert!(Metering::simulate(ok, vec![big.clone()]).is_ok());
		assert_eq!(
			err(vec![big.clone(), big.clone(), big.clone(), big]),
			SimulationError::Line { line: 3, reason: RejectReason::PriceOverflow }
		);
	});
}

#[test]
fn simulate_needs_a_fresh_price_to_price_nxv() {
	build_and_execute(|| {
		let ok = <Fees as FeePolicy<Asset>>::params();
		assert!(Metering::simulate(ok, vec![line(STANDARD, 0, nxv(), 1)]).is_ok());
		// The genesis price (block 0) is fresh for 1,000 blocks.
		run_to(1_001);
		assert_eq!(
			Metering::simulate(ok, vec![line(STANDARD, 0, usdn(), 1), line(STANDARD, 0, nxv(), 1)]),
			Err(SimulationError::Line {
				line: 1,
				reason: RejectReason::Conversion(ConversionError::StalePrice)
			})
		);
	});
}

#[test]
fn integrity_test_passes() {
	new_test_ext().execute_with(|| {
		<Metering as frame_support::traits::Hooks<u64>>::integrity_test();
	});
}

mod properties {
	use super::*;
	use proptest::prelude::*;

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]
		/// Whatever is served, in whatever asset: the seeker's debit equals what every
		/// destination received, providers get more than half, and escrow never goes short.
		#[test]
		fn settlement_never_creates_or_destroys_value(
			units in proptest::collection::vec((0u64..50_000, 0u64..20_000, any::<bool>()), 1..8),
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
				let batch: Vec<_> = units
					.iter()
					.enumerate()
					.map(|(i, (i_u, o_u, premium))| {
						served(s, i as u64 + 1, if *premium { PREMIUM } else { STANDARD }, *i_u, *o_u)
					})
					.collect();
				submit(batch).unwrap();
				let after: u128 = dests.iter().map(|w| bal(asset.clone(), *w)).sum();
				let spent = Sessions::<Test>::get(s).unwrap().spent;
				prop_assert_eq!(after - before, spent);
				for e in events() {
					if let Event::ReceiptSettled { net, to_provider, to_treasury, to_buyback, to_validators, to_reserve, .. } = e {
						prop_assert_eq!(to_provider + to_treasury + to_buyback + to_validators + to_reserve, net);
						prop_assert!(to_provider * 2 > net);
					}
				}
				Metering::do_try_state().unwrap();
				Ok(())
			})?;
		}
	}
}

// ---- the usage programmes ----

#[test]
fn a_batch_reports_spend_per_seeker_and_provider_once_and_rollbacks_take_it_back() {
	build_and_execute(|| {
		let s = session_for(SEEKER, usdn(), 10 * USDN, 10 * USDN);
		UsageLog::take();
		let (a, b) = (served(s, 1, STANDARD, 1_000, 200), served(s, 2, STANDARD, 500, 0));
		assert_ok!(submit(vec![a, b]));
		let nets: Vec<u128> = events()
			.into_iter()
			.filter_map(
				|e| if let Event::ReceiptSettled { net, .. } = e { Some(net) } else { None },
			)
			.collect();
		assert_eq!(nets.len(), 2);
		// USDN's smallest unit is the pricing unit: volume is the net itself.
		let volume = nets[0] + nets[1];
		assert_eq!(
			UsageLog::take(),
			vec![Usage::Settled(vec![(SEEKER, volume)], vec![(PROVIDER, volume)])]
		);
		assert_ok!(submit(vec![rollback_of(a, 3)]));
		assert_eq!(UsageLog::take(), vec![Usage::Refunded(SEEKER, PROVIDER, nets[0])]);
		// A rejected receipt reports nothing.
		assert_ok!(submit(vec![served(s, 3, STANDARD, 1, 1)]));
		assert_eq!(UsageLog::take(), vec![]);
	});
}
