//! The seed corpus: inputs that walk the marketplace's main paths (a seeker's session settled by
//! receipt batches, a receipt rolled back and another disputed by leaf and proof; tier and provider
//! stakes; capsules; a fee referendum; a buyback epoch) and the long windows only jumps reach (a
//! stake unbonded after 7 days, a capsule's bond released after 7 days, NXV payments refused at a
//! price older than a day), so that the fuzzer starts from deep states instead of discovering each
//! step by chance. [`check`] runs each seed and fails if a step that must succeed does not, or if
//! its end state is not the one it walks to: the seeds double as a check that the harness reaches
//! settlement and the long windows.

use crate::{
	action::{encode_actions, Action},
	chain::{Outcome, Report},
	engine::Mode,
	execute_then,
};
use codec::Encode;
use nexus_runtime::{Runtime, RuntimeCall, DAYS, NXV};
use sp_runtime::traits::{BlakeTwo256, Hash};

const ALICE: u8 = 0;
const BOB: u8 = 1;
const DAVE: u8 = 3;
const EVE: u8 = 4;
const FERDIE: u8 = 5;
const USDN: u128 = 1_000_000;

fn usdn() -> nexus_runtime::configs::assets::AssetKind {
	frame_support::traits::tokens::fungible::NativeOrWithId::WithId(1)
}

fn call(origin: u8, call: RuntimeCall) -> Action {
	Action::Call { origin, call }
}

fn advance(blocks: u8, minutes: u16) -> Action {
	Action::Advance { blocks, minutes }
}

fn jump(blocks: u32) -> Action {
	Action::jump(blocks, 0)
}

fn metering(c: pallet_metering::Call<nexus_runtime::Runtime>) -> RuntimeCall {
	RuntimeCall::Metering(c)
}

/// Eve deposits 500 USDN into escrow and opens session 0 on gateway 0 (a 200 USDN cap).
fn eve_session() -> Vec<Action> {
	use pallet_metering::Call as M;
	vec![
		call(EVE, metering(M::deposit { asset: usdn(), amount: 500 * USDN })),
		call(
			EVE,
			metering(M::open_session {
				gateway: 0,
				asset: usdn(),
				cap: 200 * USDN,
				expires_at: 2_000,
			}),
		),
	]
}

/// Eve: escrow, session with gateway 0, API key; Dave settles a batch of receipts on capsules 1
/// and 3, rolls one back by its leaf; Eve disputes another (and cannot dispute the rolled-back
/// one), closes the session; time passes for the release.
fn settlement() -> Vec<Action> {
	use pallet_metering::Call as M;
	let mut actions = eve_session();
	actions.extend([
		call(
			EVE,
			metering(M::bind_api_key { session: 0, key_hash: BlakeTwo256::hash(b"nxv-seed") }),
		),
		// The reserve refunds rollbacks in the session's asset: 100 USDN for it to pay from.
		call(
			EVE,
			RuntimeCall::Assets(pallet_assets::Call::transfer_keep_alive {
				id: codec::Compact(1),
				target: sp_runtime::MultiAddress::Id(nexus_runtime::Reserve::account_id()),
				amount: 100 * USDN,
			}),
		),
		advance(0, 0),
		batch_v2(0, 1, false),
		advance(1, 0),
		Action::Evidence { origin: DAVE, index: 0, roll_back: true },
		Action::Evidence { origin: EVE, index: 1, roll_back: false },
		Action::Evidence { origin: EVE, index: 0, roll_back: false },
		batch_v2(0, 4, true),
		call(EVE, metering(M::close_session { id: 0 })),
		advance(120, 0),
		call(FERDIE, metering(M::release_session { id: 0 })),
		call(EVE, metering(M::withdraw { asset: usdn(), amount: 100 * USDN })),
	]);
	actions
}

/// A receipt batch v2 of Eve's session on capsules 1 and 3, every unit kind.
fn batch_v2(session: u64, first_seq: u64, forged: bool) -> Action {
	use nexus_primitives::receipts::{CompactReceipt, ReceiptOutcome, SessionGroup, Units};
	let r = |capsule, outcome, age_ms| CompactReceipt {
		outcome,
		capsule,
		units: Units { input: 1_200, output: 800, cache_read: 30_000, cache_write: 2_000 },
		age_ms,
	};
	let receipts = vec![
		r(0, ReceiptOutcome::Served, 20_000),
		r(1, ReceiptOutcome::Served, 10_000),
		r(0, ReceiptOutcome::Failed, 5_000),
	];
	Action::Batch {
		origin: DAVE,
		batch: pallet_metering::BatchOf::<Runtime> {
			gateway: 0,
			time_ms: 0,
			capsules: vec![1, 3].try_into().unwrap_or_default(),
			groups: vec![SessionGroup {
				session,
				first_seq,
				receipts: receipts.try_into().unwrap_or_default(),
			}]
			.try_into()
			.unwrap_or_default(),
		},
		forged,
	}
}

/// Eve's session settled by receipt batches v2: a batch, the same batch again (refused as a
/// replay), one with a gap, a forged one, then the next batch in sequence.
fn settlement_v2() -> Vec<Action> {
	use pallet_metering::Call as M;
	let mut actions = eve_session();
	actions.extend([
		advance(0, 0),
		batch_v2(0, 1, false),
		batch_v2(0, 1, false),
		batch_v2(0, 9, false),
		batch_v2(0, 4, true),
		advance(1, 0),
		batch_v2(0, 4, false),
		call(EVE, metering(M::close_session { id: 0 })),
		advance(120, 0),
		call(FERDIE, metering(M::release_session { id: 0 })),
	]);
	actions
}

/// Seeker and provider stakes: stake, unstake, rebond, withdraw too early.
fn stakes() -> Vec<Action> {
	use pallet_tiers::Call as T;
	let t = |c| RuntimeCall::Tiers(c);
	vec![
		call(FERDIE, t(T::stake { amount: 60_000 * NXV })),
		call(FERDIE, t(T::unstake { amount: 10_000 * NXV })),
		advance(1, 0),
		call(FERDIE, t(T::rebond { amount: 5_000 * NXV })),
		call(BOB, t(T::provider_stake { amount: 20_000 * NXV })),
		call(BOB, t(T::set_nxv_payouts { enabled: true })),
		call(BOB, t(T::provider_unstake { amount: 20_000 * NXV })),
		call(FERDIE, t(T::withdraw_unbonded {})),
	]
}

/// Bob's capsules: a price announcement, capacity, pause, resume, retire.
fn capsules() -> Vec<Action> {
	use pallet_capsules::Call as C;
	let c = |c| RuntimeCall::Capsules(c);
	vec![
		call(
			BOB,
			c(C::announce_price {
				id: 1,
				price: pallet_capsules::Price {
					per_1k_input: 2_000,
					per_1k_output: 9_500,
					per_1k_cache_read: 200,
					per_1k_cache_write: 2_500,
				},
			}),
		),
		call(
			BOB,
			c(C::set_capacity {
				id: 1,
				capacity: 1_000_000,
				window: pallet_capsules::QuotaWindow::Hour,
				concurrency: 2,
			}),
		),
		call(BOB, c(C::pause { id: 0 })),
		advance(2, 0),
		call(BOB, c(C::resume { id: 0 })),
		call(BOB, c(C::retire { id: 1 })),
		call(EVE, c(C::pause { id: 3 })),
	]
}

/// A fee-parameters referendum carried by //Alice and //Bob's votes in development timings.
fn referendum() -> Vec<Action> {
	let mut params = nexus_primitives::settlement::FeeParams::defaults();
	params.take_rate = sp_runtime::Perbill::from_percent(14);
	let proposal = RuntimeCall::Fees(pallet_fees::Call::set_params { new: params });
	let inline = frame_support::traits::Bounded::Inline(
		proposal.encode().try_into().unwrap_or_else(|_| unreachable!("a small call")),
	);
	vec![
		call(
			ALICE,
			RuntimeCall::Referenda(pallet_referenda::Call::submit {
				proposal_origin: Box::new(nexus_runtime::OriginCaller::Origins(
					nexus_runtime::governance::origins::Origin::FeeParameters,
				)),
				proposal: inline,
				enactment_moment: frame_support::traits::schedule::DispatchTime::After(1),
			}),
		),
		call(
			ALICE,
			RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index: 0 }),
		),
		call(
			BOB,
			RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
				poll_index: 0,
				vote: pallet_conviction_voting::AccountVote::Standard {
					vote: pallet_conviction_voting::Vote {
						aye: true,
						conviction: pallet_conviction_voting::Conviction::Locked1x,
					},
					balance: 500_000 * NXV,
				},
			}),
		),
		advance(40, 0),
	]
}

/// A buyback epoch closes with rebates owed to the seeker who spent; the seeker claims.
fn rebates() -> Vec<Action> {
	let mut s = settlement();
	s.truncate(6);
	s.push(advance(110, 0));
	s.push(call(EVE, RuntimeCall::Buyback(pallet_buyback::Call::claim_rebates {})));
	s
}

/// A stake unbonded and withdrawn after the 7-day unbonding delay (a jump of a week).
fn unbonding() -> Vec<Action> {
	use pallet_tiers::Call as T;
	let t = |c| RuntimeCall::Tiers(c);
	vec![
		call(FERDIE, t(T::stake { amount: 60_000 * NXV })),
		call(FERDIE, t(T::unstake { amount: 10_000 * NXV })),
		jump(7 * DAYS),
		call(FERDIE, t(T::withdraw_unbonded {})),
	]
}

/// A retired capsule's bond released after the 7-day release delay.
fn bond_release() -> Vec<Action> {
	use pallet_capsules::Call as C;
	vec![
		call(BOB, RuntimeCall::Capsules(C::retire { id: 1 })),
		jump(7 * DAYS),
		call(BOB, RuntimeCall::Capsules(C::release_bond { id: 1 })),
	]
}

/// A session paying in NXV: receipts are refused once the NXV price is older than a day.
fn stale_price() -> Vec<Action> {
	use pallet_metering::Call as M;
	let nxv = frame_support::traits::tokens::fungible::NativeOrWithId::Native;
	vec![
		call(FERDIE, metering(M::deposit { asset: nxv.clone(), amount: 1_000 * NXV })),
		call(
			FERDIE,
			metering(M::open_session {
				gateway: 0,
				asset: nxv,
				cap: 500 * NXV,
				expires_at: 2 * DAYS,
			}),
		),
		jump(DAYS),
		batch_v2(0, 1, false),
	]
}

/// Whether the last block refused a receipt for a stale NXV price.
fn refused_stale() -> bool {
	use nexus_primitives::{receipts::Rejection, traits::ConversionError};
	use pallet_metering::Event;
	nexus_runtime::System::events().iter().any(|r| match &r.event {
		nexus_runtime::RuntimeEvent::Metering(Event::BatchSettled { settlement, .. }) => settlement
			.rejected
			.iter()
			.any(|(_, why)| *why == Rejection::Conversion(ConversionError::StalePrice)),
		_ => false,
	})
}

/// A seed: its actions, how many of them must succeed (or advance), and what must hold at its
/// end, of the run's report and of the chain's state.
pub struct Seed {
	/// Its name (the file is `seed-<name>`).
	pub name: &'static str,
	/// Its actions.
	pub actions: Vec<Action>,
	min_ok: usize,
	report_ok: fn(&Report) -> bool,
	end_ok: fn() -> bool,
}

fn seed(
	name: &'static str,
	actions: Vec<Action>,
	min_ok: usize,
	report_ok: fn(&Report) -> bool,
	end_ok: fn() -> bool,
) -> Seed {
	Seed { name, actions, min_ok, report_ok, end_ok }
}

/// Every seed.
pub fn all() -> Vec<Seed> {
	vec![
		// Two served receipts settle (the failed one is recorded, not charged); the gateway
		// rolls the first back by its leaf, Eve disputes the second (and cannot dispute the
		// first any more); the forged batch commits nothing.
		seed(
			"settlement",
			settlement(),
			12,
			|r| r.settled_receipts >= 2,
			|| {
				pallet_metering::Marks::<Runtime>::get(0, 0) ==
					Some(pallet_metering::Mark::RolledBack) &&
					pallet_metering::ReceiptDisputes::<Runtime>::contains_key(0, 1) &&
					pallet_metering::NextBatchId::<Runtime>::get() == 1
			},
		),
		// Two batches v2 settle two served receipts each; the replay, the gap and the forged
		// batch commit nothing.
		seed(
			"settlement-v2",
			settlement_v2(),
			10,
			|r| r.settled_receipts >= 4,
			|| pallet_metering::NextBatchId::<Runtime>::get() == 2,
		),
		seed("stakes", stakes(), 5, |_| true, || true),
		seed("capsules", capsules(), 5, |_| true, || true),
		// The referendum passed and its call was enacted.
		seed("referendum", referendum(), 3, |r| r.take_rate == 140_000_000, || true),
		seed("rebates", rebates(), 5, |r| r.settled_receipts >= 2, || true),
		// The week passed in a handful of blocks, and the unbonded stake is withdrawn.
		seed(
			"unbonding",
			unbonding(),
			4,
			|r| r.height > 7 * DAYS && r.blocks < 60,
			|| {
				let ferdie = sp_keyring::Sr25519Keyring::Ferdie.to_account_id();
				pallet_tiers::SeekerLedgers::<Runtime>::get(ferdie)
					.is_some_and(|l| l.unlocking.is_empty())
			},
		),
		seed(
			"bond-release",
			bond_release(),
			3,
			|r| r.height > 7 * DAYS,
			|| pallet_capsules::Capsules::<Runtime>::get(1).is_none(),
		),
		seed(
			"stale-price",
			stale_price(),
			3,
			|r| r.height > DAYS && r.settled_receipts == 0,
			refused_stale,
		),
	]
}

/// Runs every seed in `mode` and panics unless it reaches its steps and its end state; returns
/// each seed's name, actions and report.
pub fn check(mode: Mode) -> Vec<(&'static str, Vec<Action>, Report)> {
	all()
		.into_iter()
		.map(|Seed { name, actions, min_ok, report_ok, end_ok }| {
			let (report, end) = execute_then(&actions, mode, end_ok);
			let ok = report
				.outcomes
				.iter()
				.filter(|o| matches!(o, Outcome::Applied(Ok(())) | Outcome::Advanced(_)))
				.count();
			println!(
				"seed {name}: {} actions, {} blocks ({} stops) to #{}, {ok} succeeded or advanced, \
				 {} receipts settled, take rate {} ppb",
				actions.len(),
				report.blocks,
				report.stops,
				report.height,
				report.settled_receipts,
				report.take_rate
			);
			assert!(
				ok >= min_ok,
				"seed {name} reached only {ok} successful steps (want {min_ok}): {:?}",
				report.outcomes
			);
			assert!(report_ok(&report), "seed {name}: unexpected report {report:?}");
			assert!(end, "seed {name}: its end state is not the one it walks to ({report:?})");
			(name, actions, report)
		})
		.collect()
}

/// Checks every seed (fast mode) and writes it into `dir` as `seed-<name>`.
pub fn write(dir: &str, mode: Mode) {
	std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
	for (name, actions, _) in check(mode) {
		let path = format!("{dir}/seed-{name}");
		std::fs::write(&path, encode_actions(&actions)).unwrap_or_else(|e| panic!("{path}: {e}"));
	}
}
