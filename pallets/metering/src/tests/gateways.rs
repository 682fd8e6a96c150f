//! Gateways: registration, key rotation, suspension, removal, uptime reports.

use super::*;

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
		let b = serve(s, STANDARD, Units::plain(1_000, 0));
		let old_sig = sign(&gateway_pair(), &b);
		assert_noop!(
			Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b.clone()), old_sig),
			Error::<Test>::BadSignature
		);
		let sig = sign(&new, &b);
		assert_ok!(Metering::submit_batch(RuntimeOrigin::signed(OPERATOR), Box::new(b), sig));
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
		let b = serve(s, STANDARD, Units::plain(1, 1));
		assert_noop!(submit_batch(b.clone()), Error::<Test>::GatewaySuspended);
		assert_ok!(Metering::resume_gateway(RuntimeOrigin::root(), 0));
		assert_ok!(submit_batch(b));
		assert_eq!(last_seq(s), 1);
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
