//! Rollbacks and disputes by leaf and proof, rulings, and the commitments' pruning.

use super::*;

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

/// A settled batch and its first receipt (SEEKER's, on the standard capsule) disputed by its
/// seeker: returns that receipt's leaf.
fn a_disputed_receipt() -> LeafOf<Test> {
	let (b, _, _) = a_settled_batch();
	let leaves = leaves_of(&b);
	assert_ok!(Metering::dispute_receipt(
		RuntimeOrigin::signed(SEEKER),
		0,
		Box::new(leaves[0].clone()),
		proof_of(&leaves, 0)
	));
	leaves[0].clone()
}

#[test]
fn an_upheld_dispute_against_the_provider_refunds_and_slashes_the_capsule_bond() {
	build_and_execute(|| {
		let leaf = a_disputed_receipt();
		let (free, bond) = (
			escrow(SEEKER, usdn()).free,
			pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond,
		);
		assert_noop!(
			Metering::resolve_receipt_dispute(
				RuntimeOrigin::signed(SEEKER),
				0,
				0,
				Ruling::ProviderAtFault
			),
			DispatchError::BadOrigin
		);
		assert_ok!(Metering::resolve_receipt_dispute(
			RuntimeOrigin::root(),
			0,
			0,
			Ruling::ProviderAtFault
		));
		assert_eq!(escrow(SEEKER, usdn()).free, free + leaf.charge);
		// What the provider was paid, in NXV at 2 USDN, from the capsule's bond.
		let slashed = leaf.provider_amount * NXV / USDN / 2;
		assert_eq!(pallet_capsules::Capsules::<Test>::get(STANDARD).unwrap().bond, bond - slashed);
		assert_eq!(
			last_event(),
			Event::LeafDisputeResolved {
				batch: 0,
				index: 0,
				ruling: Ruling::ProviderAtFault,
				refunded: leaf.charge,
				slashed,
			}
		);
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::DisputeDeposit.into(), &SEEKER),
			0
		);
	});
}

#[test]
fn an_upheld_dispute_against_a_released_capsule_refunds_from_the_reserve_alone() {
	build_and_execute(|| {
		let leaf = a_disputed_receipt();
		// The provider retires the capsule and takes its bond back before the ruling.
		assert_ok!(Capsules::retire(RuntimeOrigin::signed(PROVIDER), STANDARD));
		run_to(System::block_number() + 21);
		assert_ok!(Capsules::release_bond(RuntimeOrigin::signed(PROVIDER), STANDARD));
		let free = escrow(SEEKER, usdn()).free;
		assert_ok!(Metering::resolve_receipt_dispute(
			RuntimeOrigin::root(),
			0,
			0,
			Ruling::ProviderAtFault
		));
		assert_eq!(escrow(SEEKER, usdn()).free, free + leaf.charge);
		assert!(matches!(last_event(), Event::LeafDisputeResolved { slashed: 0, .. }));
		assert_eq!(ReceiptDisputes::<Test>::get(0, 0), None);
	});
}

#[test]
fn an_upheld_dispute_against_the_gateway_slashes_the_gateway_bond() {
	build_and_execute(|| {
		let leaf = a_disputed_receipt();
		assert_ok!(Metering::resolve_receipt_dispute(
			RuntimeOrigin::root(),
			0,
			0,
			Ruling::GatewayAtFault
		));
		// The net, in NXV at 2 USDN.
		let slashed = leaf.charge * NXV / USDN / 2;
		assert_eq!(Gateways::<Test>::get(0).unwrap().bond, GATEWAY_BOND - slashed);
	});
}

#[test]
fn a_rejected_dispute_sends_the_deposit_to_the_reserve() {
	build_and_execute(|| {
		a_disputed_receipt();
		let (reserve, free) = (bal(nxv(), Reserve::account_id()), escrow(SEEKER, usdn()).free);
		assert_ok!(Metering::resolve_receipt_dispute(
			RuntimeOrigin::root(),
			0,
			0,
			Ruling::Rejected
		));
		assert_eq!(bal(nxv(), Reserve::account_id()), reserve + DISPUTE_DEPOSIT);
		assert_eq!(escrow(SEEKER, usdn()).free, free);
		assert_eq!(Marks::<Test>::get(0, 0), Some(Mark::DisputeRejected));
	});
}

/// A dispute opened under version 1 (by receipt id) and still open after the upgrade: its
/// deposit held, its charge copied into [`Disputes`].
fn a_version_1_dispute() -> crate::ChargeOf<Test> {
	let s = usdn_session(SEEKER, 10 * USDN);
	// The charge the v1 receipt made, and the seeker's hold, as version 1 left them.
	assert_ok!(submit_batch(serve(s, STANDARD, Units::plain(1_000, 200))));
	let charge = crate::Charge {
		session: s,
		seeker: SEEKER,
		gateway: 0,
		capsule: STANDARD,
		provider: PROVIDER,
		asset: usdn(),
		net: 6 * USDN,
		provider_amount: 5_100_000,
		timestamp: now_ms(),
		refunded: false,
		disputed: true,
	};
	assert_ok!(<Balances as frame_support::traits::fungible::MutateHold<AccountId>>::hold(
		&crate::HoldReason::DisputeDeposit.into(),
		&SEEKER,
		DISPUTE_DEPOSIT
	));
	Disputes::<Test>::insert(
		[7; 16],
		crate::Dispute { charge: charge.clone(), deposit: DISPUTE_DEPOSIT },
	);
	charge
}

#[test]
fn disputes_opened_under_version_1_are_still_ruled() {
	build_and_execute(|| {
		let charge = a_version_1_dispute();
		let free = escrow(SEEKER, usdn()).free;
		assert_noop!(
			Metering::resolve_dispute(RuntimeOrigin::signed(SEEKER), [7; 16], Ruling::Rejected),
			DispatchError::BadOrigin
		);
		assert_noop!(
			Metering::resolve_dispute(RuntimeOrigin::root(), [8; 16], Ruling::Rejected),
			Error::<Test>::UnknownDispute
		);
		assert_ok!(Metering::resolve_dispute(
			RuntimeOrigin::root(),
			[7; 16],
			Ruling::ProviderAtFault
		));
		assert_eq!(escrow(SEEKER, usdn()).free, free + charge.net);
		assert_eq!(
			last_event(),
			Event::DisputeResolved {
				id: [7; 16],
				ruling: Ruling::ProviderAtFault,
				refunded: charge.net,
				slashed: 2_550_000_000_000,
			}
		);
		assert!(Disputes::<Test>::get([7; 16]).is_none());
		assert_eq!(
			Balances::balance_on_hold(&crate::HoldReason::DisputeDeposit.into(), &SEEKER),
			0
		);
	});
}
