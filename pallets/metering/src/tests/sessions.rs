//! Sessions: opening, API keys, closing and release.

use super::*;

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
		assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(1_000, 0))));
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
