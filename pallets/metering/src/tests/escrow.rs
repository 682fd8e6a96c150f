//! Escrow: deposits and withdrawals.

use super::*;

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
