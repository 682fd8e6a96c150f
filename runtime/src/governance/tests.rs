//! OpenGov in the composed runtime (development preset, development track timings): full
//! referenda on each track, bounds enforced at enactment, and which origin may do what.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use super::{origins::Origin, tracks};
use crate::{
	configs::assets::{AssetKind, USDN_ID},
	tests::{
		ext_for_preset,
		supply_and_staking::{dev, run_to_block},
	},
	AccountId, Balance, Capsules, ConvictionVoting, Fees, Metering, OriginCaller, Preimage,
	Referenda, Reserve, Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, System, Tiers, Treasury,
	NXV,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::{schedule::DispatchTime, StorePreimage},
};
use nexus_primitives::{receipts::Units, settlement::FeeParams};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{DispatchError, Perbill};

fn alice() -> AccountId {
	Sr25519Keyring::Alice.to_account_id()
}

fn track_origin(o: Origin) -> RuntimeOrigin {
	RuntimeOrigin::from(o)
}

/// Alice proposes `call` on the track of `origin`, places the decision deposit and votes aye
/// with `stake` at 1× conviction; returns the referendum index.
fn propose_and_vote(origin: OriginCaller, call: RuntimeCall, stake: Balance) -> u32 {
	let index = pallet_referenda::ReferendumCount::<Runtime>::get();
	let bounded = <Preimage as StorePreimage>::bound(call).unwrap();
	assert_ok!(Referenda::submit(
		RuntimeOrigin::signed(alice()),
		Box::new(origin),
		bounded,
		DispatchTime::After(1)
	));
	assert_ok!(Referenda::place_decision_deposit(RuntimeOrigin::signed(alice()), index));
	assert_ok!(ConvictionVoting::vote(
		RuntimeOrigin::signed(alice()),
		index,
		AccountVote::Standard {
			vote: Vote { aye: true, conviction: Conviction::Locked1x },
			balance: stake
		}
	));
	index
}

/// Runs blocks until the scheduler has dispatched referendum `index`'s call; returns the
/// dispatch result.
fn run_until_enacted(index: u32) -> Result<(), DispatchError> {
	let start = System::block_number();
	loop {
		for record in System::events() {
			if let RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
				id: Some(_),
				result,
				..
			}) = record.event
			{
				return result;
			}
		}
		assert!(
			System::block_number() < start + 60,
			"referendum {index} not enacted: {:?}",
			pallet_referenda::ReferendumInfoFor::<Runtime>::get(index)
		);
		run_to_block(System::block_number() + 1);
	}
}

fn raised_take(by_points: u32) -> FeeParams {
	let mut p = FeeParams::defaults();
	p.take_rate = Perbill::from_percent(15 + by_points);
	p
}

#[test]
fn a_fee_parameters_referendum_changes_the_split_and_settlement_quotes_use_it() {
	dev().execute_with(|| {
		let eve = Sr25519Keyring::Eve.to_account_id();
		let usdn = AssetKind::WithId(USDN_ID);
		let before =
			Metering::quote(eve.clone(), 0, Units::plain(1_000, 200), usdn.clone()).unwrap();
		let new = raised_take(3);
		let call = RuntimeCall::Fees(pallet_fees::Call::set_params { new });
		let index = propose_and_vote(Origin::FeeParameters.into(), call, 500_000 * NXV);
		assert_eq!(run_until_enacted(index), Ok(()));
		assert_eq!(pallet_fees::Params::<Runtime>::get(), new);
		assert!(System::events().iter().any(|r| r.event ==
			RuntimeEvent::Fees(pallet_fees::Event::ParamsChanged {
				old: FeeParams::defaults(),
				new
			})));
		// The same request now pays the provider less of the same net: 82% instead of 85%.
		let after = Metering::quote(eve, 0, Units::plain(1_000, 200), usdn).unwrap();
		assert_eq!(after.net, before.net);
		assert_eq!(after.legs.provider, Perbill::from_percent(82).mul_ceil(after.net));
		assert!(after.legs.provider < before.legs.provider);
		assert_eq!(after.legs.total(), after.net);
	});
}

#[test]
fn a_referendum_that_breaks_a_fee_bound_fails_at_enactment_with_the_named_error() {
	dev().execute_with(|| {
		// 15% -> 21% is six points: more than the five a single change may move.
		let call = RuntimeCall::Fees(pallet_fees::Call::set_params { new: raised_take(6) });
		let index = propose_and_vote(Origin::FeeParameters.into(), call, 500_000 * NXV);
		let err = run_until_enacted(index).unwrap_err();
		assert_eq!(err, pallet_fees::Error::<Runtime>::StepTooLarge.into());
		assert_eq!(pallet_fees::Params::<Runtime>::get(), FeeParams::defaults());
	});
}

#[test]
fn a_referendum_on_another_track_cannot_change_fees() {
	dev().execute_with(|| {
		let call = RuntimeCall::Fees(pallet_fees::Call::set_params { new: raised_take(3) });
		let index = propose_and_vote(Origin::Treasurer.into(), call, 500_000 * NXV);
		assert_eq!(run_until_enacted(index), Err(DispatchError::BadOrigin));
		assert_eq!(pallet_fees::Params::<Runtime>::get(), FeeParams::defaults());
	});
}

#[test]
fn a_treasurer_referendum_approves_a_spend() {
	dev().execute_with(|| {
		let eve = Sr25519Keyring::Eve.to_account_id();
		let call = RuntimeCall::Treasury(pallet_treasury::Call::spend {
			asset_kind: Box::new(()),
			amount: 1_000 * NXV,
			beneficiary: Box::new(eve.clone()),
			valid_from: None,
		});
		let index = propose_and_vote(Origin::Treasurer.into(), call, 500_000 * NXV);
		assert_eq!(run_until_enacted(index), Ok(()));
		let before = pallet_balances::Pallet::<Runtime>::free_balance(&eve);
		assert_ok!(Treasury::payout(RuntimeOrigin::signed(eve.clone()), 0));
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&eve), before + 1_000 * NXV);
	});
}

#[test]
fn each_track_origin_unlocks_only_its_own_calls() {
	ext_for_preset("development").execute_with(|| {
		let fees = || track_origin(Origin::FeeParameters);
		let emergency = || track_origin(Origin::ReserveEmergency);
		let treasurer = || track_origin(Origin::Treasurer);
		let new = raised_take(1);

		// Fee parameters: fees, the NXV price and the tier table; nothing else.
		assert_ok!(Fees::set_nxv_price(fees(), 2_000_000));
		assert_ok!(Fees::set_params(fees(), new));
		let table = pallet_tiers::TierTable::<Runtime>::get();
		assert_ok!(Tiers::set_tier_table(fees(), table.clone().into_inner()));
		assert_noop!(Capsules::suspend(fees(), 0), DispatchError::BadOrigin);
		assert_noop!(Metering::suspend_gateway(fees(), 0), DispatchError::BadOrigin);

		// Emergency: suspend a capsule and a gateway, pay a reserve claim; never fees or tiers.
		assert_noop!(Fees::set_params(emergency(), new), DispatchError::BadOrigin);
		assert_noop!(Fees::set_nxv_price(emergency(), 1), DispatchError::BadOrigin);
		assert_noop!(
			Tiers::set_tier_table(emergency(), table.into_inner()),
			DispatchError::BadOrigin
		);
		assert_ok!(Capsules::suspend(emergency(), 0));
		assert_ok!(Metering::suspend_gateway(emergency(), 0));
		let usdn = AssetKind::WithId(USDN_ID);
		assert_noop!(
			Reserve::pay_claim(emergency(), usdn.clone(), alice(), 1, [0; 32].into()),
			pallet_reserve::Error::<Runtime>::InsufficientReserve
		);
		assert_noop!(
			Reserve::pay_claim(treasurer(), usdn, alice(), 1, [0; 32].into()),
			DispatchError::BadOrigin
		);

		// Treasurer: spends up to its cap; fees and suspensions are not its business.
		assert_noop!(Fees::set_params(treasurer(), new), DispatchError::BadOrigin);
		assert_noop!(Capsules::unsuspend(treasurer(), 0), DispatchError::BadOrigin);
		let spend =
			|amount| Treasury::spend(treasurer(), Box::new(()), amount, Box::new(alice()), None);
		assert_ok!(spend(super::origins::TREASURER_MAX_SPEND));
		assert_noop!(
			spend(super::origins::TREASURER_MAX_SPEND + 1),
			pallet_treasury::Error::<Runtime>::InsufficientPermission
		);
		// Signed accounts hold none of these powers.
		let signed = || RuntimeOrigin::signed(alice());
		assert_noop!(Fees::set_params(signed(), new), DispatchError::BadOrigin);
		assert_noop!(Capsules::suspend(signed(), 1), DispatchError::BadOrigin);
	});
}

#[test]
fn tracks_are_sorted_and_timed_by_the_preset() {
	use pallet_referenda::TracksInfo;
	ext_for_preset("development").execute_with(|| {
		assert!(tracks::TracksInfo::check_integrity().is_ok());
		let ids: Vec<u16> = tracks::TracksInfo::tracks().map(|t| t.id).collect();
		assert_eq!(ids, vec![0, 1, 2, 3]);
		let fees = tracks::TracksInfo::info(tracks::id::FEE_PARAMETERS).unwrap();
		assert_eq!((fees.decision_period, fees.confirm_period), (20, 2));
	});
	ext_for_preset("local_testnet").execute_with(|| {
		let fees = tracks::TracksInfo::info(tracks::id::FEE_PARAMETERS).unwrap();
		assert_eq!(fees.decision_period, 7 * crate::DAYS);
		assert_eq!(fees.min_enactment_period, crate::DAYS);
		let names: Vec<String> = tracks::TracksInfo::tracks()
			.map(|t| String::from_utf8_lossy(&t.info.name).trim_end_matches('\0').to_string())
			.collect();
		assert_eq!(names, ["root", "fee_parameters", "treasurer", "reserve_emergency"]);
		assert_eq!(
			tracks::TracksInfo::track_for(&Origin::ReserveEmergency.into()),
			Ok(tracks::id::RESERVE_EMERGENCY)
		);
		assert_eq!(
			tracks::TracksInfo::track_for(&OriginCaller::system(frame_system::RawOrigin::Signed(
				alice()
			))),
			Err(())
		);
	});
}
