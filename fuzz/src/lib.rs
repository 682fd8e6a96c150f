//! # Runtime fuzzing harness
//!
//! Drives the real Nexus Vault runtime, built natively with `try-runtime`, from the
//! `development` genesis preset, block by block, with inputs a coverage-guided fuzzer chooses:
//!
//! - [`Action::Call`]: any [`RuntimeCall`] as a **signed extrinsic** of one of the development
//!   accounts, through `Executive::apply_extrinsic`: real signatures, nonces, fees, `CheckWeight`
//!   and the call filter. Calls whose origin the fuzzer could not have on a live chain are left out
//!   ([`allowed`]): `sudo` (the development preset's sudo key), Root-track referenda, and the USDN
//!   owner's administrative `assets` calls (the development preset makes //Alice the owner). A call
//!   that no longer fits the block's weight is skipped.
//! - [`Action::Receipts`]: a batch of receipts as the gateway operator //Dave posts them, signed by
//!   gateway 0's key (or, when `forged`, by another key), so that settlement, rollbacks and replay
//!   protection are reached without the fuzzer having to forge signatures.
//! - [`Action::Advance`]: end the block, run `blocks` empty blocks, and let `minutes` of slots pass
//!   without blocks (time-based windows: receipt expiry, disputes, clock skew).
//!
//! After **every** block the harness asserts ([`Chain::check_block`]): no panic (the fuzzer
//! turns any panic into a crash); the block's execution time is within its consumed weight
//! (confirmed on two re-runs, see [`run`]); total issuance never exceeds genesis and
//! `issuance + outstanding era rewards` only falls; `try_state` of every pallet; and the
//! runtime's cross-pallet invariants (`nexus_runtime::invariants`): pots and escrow against
//! their ledgers, holds and freezes against the pallets' ledgers, account reference counts.
//!
//! Set `NEXUS_FUZZ_TRACE=1` to print each action and its result when replaying an input, and
//! `NEXUS_FUZZ_WRITE_SEEDS=<dir>` to write the seed corpus ([`seeds`]) and exit.

use codec::{Decode, DecodeLimit, Encode};
use frame_support::traits::{TryState, TryStateSelect};
use nexus_runtime::{
	invariants, AccountId, AllPalletsWithSystem, Executive, Header, Runtime, RuntimeCall,
	SignedPayload, System, UncheckedExtrinsic,
};
use pallet_metering::Receipt;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::Header as _, transaction_validity::TransactionValidityError, Digest, DigestItem,
};
pub mod seeds;

use std::{cell::RefCell, time::Duration};

/// Milliseconds per slot (Aura's slot duration).
pub const SLOT_MS: u64 = 6_000;
/// The first block's slot: 2026-09-21, so that chain time looks like a live chain's.
pub const FIRST_SLOT: u64 = 1_790_000_000_000 / SLOT_MS;
/// Actions taken from one input at most: inputs stay fast, the fuzzer explores breadth.
pub const MAX_ACTIONS: usize = 48;
/// Blocks one input may run at most (empty ones included).
pub const MAX_BLOCKS: u32 = 400;
/// How many times its weight a block may take in this harness before it counts as under-weighted:
/// the harness runs natively with libFuzzer's coverage instrumentation and debug assertions,
/// which the node's runtime does not have. Measured in `docs/security.md` (the same inputs,
/// instrumented against an uninstrumented build of this harness).
pub const TIME_ALLOWANCE: u32 = 4;
/// How deep a decoded call may nest (`utility.batch` of `proxy.proxy` of …).
pub const MAX_CALL_DEPTH: u32 = 16;
/// How far back (or, for the top bit, forward) a receipt's timestamp may be set from chain time.
const RECEIPT_AGE_RANGE_MS: u64 = 7 * 3_600_000;
const RECEIPT_SKEW_RANGE_MS: u64 = 300_000;

/// The signers: the development preset's endowed accounts, plus the vesting team and investor
/// accounts. //Alice is a validator's controller and (in `development`) the sudo key and the
/// USDN owner; //Bob and //Charlie own the demo capsules; //Dave operates gateway 0.
pub const SIGNERS: [Sr25519Keyring; 8] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::Bob,
	Sr25519Keyring::Charlie,
	Sr25519Keyring::Dave,
	Sr25519Keyring::Eve,
	Sr25519Keyring::Ferdie,
	Sr25519Keyring::One,
	Sr25519Keyring::Two,
];

/// One step of an input.
#[derive(Encode, Decode, Debug, Clone)]
pub enum Action {
	/// `call`, signed by `SIGNERS[origin % 8]`.
	Call { origin: u8, call: RuntimeCall },
	/// `metering.submit_receipts(gateway, receipts, signature)` sent by `SIGNERS[origin % 8]`,
	/// signed by gateway 0's key (//Dave) or, when `forged`, by //Eve. Each receipt's
	/// `timestamp` is read as an offset from chain time (see [`receipt_time`]).
	Receipts { origin: u8, gateway: u32, receipts: Vec<Receipt>, forged: bool },
	/// Ends the block, runs `blocks` empty blocks, lets `minutes` pass (skipped slots) before
	/// the next one.
	Advance { blocks: u8, minutes: u16 },
}

/// Decodes an input into actions: a SCALE stream, read until it no longer decodes.
pub fn decode_actions(mut data: &[u8]) -> Vec<Action> {
	let mut out = Vec::new();
	while out.len() < MAX_ACTIONS && !data.is_empty() {
		match Action::decode_with_depth_limit(MAX_CALL_DEPTH, &mut data) {
			Ok(a) => out.push(a),
			Err(_) => break,
		}
	}
	out
}

/// Whether `call` could be dispatched by a signed account of a live chain: everything except
/// sudo, Root-track referenda and the USDN owner's administrative calls, looking inside the
/// calls that wrap calls.
pub fn allowed(call: &RuntimeCall) -> bool {
	use pallet_assets::Call as A;
	use pallet_multisig::Call as M;
	use pallet_proxy::Call as P;
	use pallet_utility::Call as U;
	match call {
		RuntimeCall::Sudo(_) => false,
		RuntimeCall::Referenda(pallet_referenda::Call::submit { proposal_origin, .. }) =>
			!matches!(
				**proposal_origin,
				nexus_runtime::OriginCaller::system(frame_system::RawOrigin::Root)
			),
		RuntimeCall::Assets(c) => matches!(
			c,
			A::transfer { .. } |
				A::transfer_keep_alive { .. } |
				A::transfer_all { .. } |
				A::approve_transfer { .. } |
				A::cancel_approval { .. } |
				A::transfer_approved { .. } |
				A::touch { .. } |
				A::refund { .. }
		),
		RuntimeCall::Utility(c) => match c {
			U::batch { calls } | U::batch_all { calls } | U::force_batch { calls } =>
				calls.iter().all(allowed),
			U::as_derivative { call, .. } |
			U::dispatch_as { call, .. } |
			U::with_weight { call, .. } |
			U::dispatch_as_fallible { call, .. } => allowed(call),
			U::if_else { main, fallback } => allowed(main) && allowed(fallback),
			_ => true,
		},
		RuntimeCall::Proxy(P::proxy { call, .. } | P::proxy_announced { call, .. }) =>
			allowed(call),
		RuntimeCall::Multisig(M::as_multi { call, .. } | M::as_multi_threshold_1 { call, .. }) =>
			allowed(call),
		_ => true,
	}
}

/// A receipt's timestamp as the harness sets it: `now − (t mod 7 h)`, or, when the top bit of
/// `t` is set, `now + (t mod 5 min)` (ahead of chain time, beyond the clock-skew allowance for
/// some).
pub fn receipt_time(now_ms: u64, t: u64) -> u64 {
	if t >> 63 == 1 {
		now_ms.saturating_add(t % RECEIPT_SKEW_RANGE_MS)
	} else {
		now_ms.saturating_sub(t % RECEIPT_AGE_RANGE_MS)
	}
}

/// What happened to one action, for traces and the seed tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
	/// The call was left out (see [`allowed`]).
	Filtered,
	/// Not included: the transaction was invalid (e.g. the block is full, fees unpayable).
	Invalid(TransactionValidityError),
	/// Included; the dispatch succeeded or failed with this error.
	Applied(Result<(), sp_runtime::DispatchError>),
	/// Blocks advanced.
	Advanced,
}

/// What a run measured.
#[derive(Debug, Default, Clone)]
pub struct Report {
	/// Blocks run.
	pub blocks: u32,
	/// Extrinsics included (successful or not).
	pub applied: u32,
	/// Of which dispatched successfully.
	pub succeeded: u32,
	/// Actions skipped: filtered, or invalid transactions.
	pub skipped: u32,
	/// Blocks (by index in the run) whose execution took longer than their weight, with the
	/// time taken and the weight (both in picoseconds).
	pub over_weight: Vec<(u32, u128, u64)>,
	/// The per-action outcomes.
	pub outcomes: Vec<Outcome>,
	/// Receipts settled on the run's chain (`pallet_fees` totals), at its end.
	pub settled_receipts: u64,
	/// The protocol take rate in force at the run's end, in parts per billion.
	pub take_rate: u32,
}

/// The genesis state, built once per process: test externalities holding the `development`
/// preset's state, committed, so that each input runs on a fresh overlay over it.
struct Genesis {
	ext: sp_io::TestExternalities,
	pairs: Vec<sr25519::Pair>,
	accounts: Vec<AccountId>,
	issuance: u128,
}

thread_local! {
	static GENESIS: RefCell<Option<Genesis>> = const { RefCell::new(None) };
}

/// The fuzz target's `init`: writes the seeds and exits when `NEXUS_FUZZ_WRITE_SEEDS` is set;
/// builds the genesis state.
pub fn fuzz_init() {
	if let Some(dir) = std::env::var_os("NEXUS_FUZZ_WRITE_SEEDS") {
		seeds::write(&dir.to_string_lossy());
		std::process::exit(0);
	}
	init();
}

/// Builds the genesis state (once).
pub fn init() {
	GENESIS.with(|g| {
		if g.borrow().is_some() {
			return;
		}
		let storage = nexus_runtime::genesis_config_presets::preset_storage("development")
			.unwrap_or_else(|e| panic!("the development preset builds: {e}"));
		let mut ext = sp_io::TestExternalities::new(storage);
		let issuance = ext.execute_with(pallet_balances::Pallet::<Runtime>::total_issuance);
		ext.commit_all().unwrap_or_else(|e| panic!("genesis commits: {e}"));
		let pairs = SIGNERS.iter().map(|k| k.pair()).collect();
		let accounts = SIGNERS.iter().map(|k| k.to_account_id()).collect();
		*g.borrow_mut() = Some(Genesis { ext, pairs, accounts, issuance });
	});
}

/// Runs `data` and asserts every invariant. A block over its weight is confirmed by running the
/// input twice more: only a block over weight in all three runs fails (one run's time can be
/// inflated by the machine's other work).
pub fn run(data: &[u8]) {
	let actions = decode_actions(data);
	if actions.is_empty() {
		return;
	}
	let trace = std::env::var_os("NEXUS_FUZZ_TRACE").is_some();
	let first = execute(&actions, trace);
	if first.over_weight.is_empty() {
		return;
	}
	let mut confirmed = first.over_weight.clone();
	for _ in 0..2 {
		let again = execute(&actions, false);
		confirmed.retain(|(b, ..)| again.over_weight.iter().any(|(a, ..)| a == b));
		if confirmed.is_empty() {
			return;
		}
	}
	panic!(
		"block execution took longer than its weight in three runs: \
		 (block index, picoseconds taken, weight ref_time) {confirmed:?}"
	);
}

/// Runs `actions` on a fresh copy of genesis; asserts every invariant but the timing one,
/// which it reports.
pub fn execute(actions: &[Action], trace: bool) -> Report {
	init();
	GENESIS.with(|g| {
		let mut g = g.borrow_mut();
		let g = g.as_mut().unwrap_or_else(|| unreachable!("init ran"));
		g.ext.reset_overlay();
		let (pairs, accounts, issuance) = (g.pairs.clone(), g.accounts.clone(), g.issuance);
		let report = g.ext.execute_with(|| {
			let mut chain = Chain::new(pairs, accounts, issuance, trace);
			chain.start_block();
			for action in actions {
				if chain.blocks_run >= MAX_BLOCKS {
					break;
				}
				chain.act(action);
			}
			chain.end_block();
			let mut report = chain.report;
			report.settled_receipts =
				pallet_fees::Totals::<Runtime>::iter().map(|(_, t)| t.receipts).sum();
			report.take_rate = pallet_fees::Params::<Runtime>::get().take_rate.deconstruct();
			report
		});
		g.ext.reset_overlay();
		report
	})
}

/// The CPU time this thread has used. Blocks are timed by it, not by the wall clock: on a busy
/// machine (a build, a local network) the wall clock also counts the time this thread waits for
/// a core, which once made an empty block look four times over its weight (see
/// `fuzz/regressions`). CPU time still counts the block's own work, page faults and system
/// calls included.
fn thread_cpu_time() -> Duration {
	let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
	// SAFETY: `now` is a valid, writable `timespec`; CLOCK_THREAD_CPUTIME_ID is supported on
	// every Linux the harness runs on, and a failure leaves `now` at zero (checked below).
	let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
	assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
	Duration::new(now.tv_sec.unsigned_abs(), now.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// The chain as the harness drives it.
pub struct Chain {
	pairs: Vec<sr25519::Pair>,
	accounts: Vec<AccountId>,
	genesis_issuance: u128,
	/// `issuance + outstanding era rewards` after the last block: it may only fall.
	last_effective_issuance: u128,
	/// Each pot's unowed surplus after the last block: it may only grow (gifts).
	last_surpluses: Vec<(&'static str, i128)>,
	slot: u64,
	parent_hash: sp_core::H256,
	/// CPU time the runtime spent on this block so far (see [`Chain::timed`]).
	block_cpu: Duration,
	blocks_run: u32,
	trace: bool,
	report: Report,
}

impl Chain {
	fn new(
		pairs: Vec<sr25519::Pair>,
		accounts: Vec<AccountId>,
		genesis_issuance: u128,
		trace: bool,
	) -> Self {
		Self {
			pairs,
			accounts,
			genesis_issuance,
			last_effective_issuance: genesis_issuance,
			last_surpluses: invariants::pot_surpluses(),
			slot: FIRST_SLOT,
			parent_hash: System::block_hash(0),
			block_cpu: Duration::ZERO,
			blocks_run: 0,
			trace,
			report: Report::default(),
		}
	}

	/// Runs `f` (a call into the runtime) and adds its CPU time to the block's: the harness's
	/// own work (building and signing transactions and receipts, checks, tracing) is not
	/// timed, as it is no part of executing the block.
	fn timed<R>(&mut self, f: impl FnOnce() -> R) -> R {
		let started = thread_cpu_time();
		let result = f();
		self.block_cpu = self.block_cpu.saturating_add(thread_cpu_time().saturating_sub(started));
		result
	}

	fn now_ms(&self) -> u64 {
		self.slot.saturating_mul(SLOT_MS)
	}

	/// Starts the next block in the next slot: the Aura pre-runtime digest, `on_initialize`,
	/// then the timestamp inherent.
	fn start_block(&mut self) {
		let number = System::block_number().saturating_add(1);
		self.slot = self.slot.saturating_add(1);
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(
				sp_consensus_aura::AURA_ENGINE_ID,
				sp_consensus_aura::Slot::from(self.slot).encode(),
			)],
		};
		let header =
			Header::new(number, Default::default(), Default::default(), self.parent_hash, digest);
		self.block_cpu = Duration::ZERO;
		self.timed(|| Executive::initialize_block(&header));
		let now = self.now_ms();
		let inherent =
			UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
				now,
			}));
		match self.timed(|| Executive::apply_extrinsic(inherent)) {
			Ok(Ok(())) => {},
			other => panic!("the timestamp inherent failed: {other:?}"),
		}
	}

	/// Finalizes the block and checks it.
	fn end_block(&mut self) {
		let header = self.timed(Executive::finalize_block);
		self.parent_hash = header.hash();
		self.check_block(self.block_cpu);
		self.report.blocks = self.report.blocks.saturating_add(1);
		self.blocks_run = self.blocks_run.saturating_add(1);
	}

	/// The checks after every block (see the crate docs).
	fn check_block(&mut self, elapsed: Duration) {
		let n = System::block_number();
		let weight = System::block_weight().total().ref_time();
		let taken = elapsed.as_nanos().saturating_mul(1_000);
		if self.trace {
			println!("#{n} block took {} µs, weight {} µs", taken / 1_000_000, weight / 1_000_000);
		}
		if taken > u128::from(weight).saturating_mul(u128::from(TIME_ALLOWANCE)) {
			self.report.over_weight.push((self.report.blocks, taken, weight));
		}
		let issuance = pallet_balances::Pallet::<Runtime>::total_issuance();
		assert!(
			issuance <= self.genesis_issuance,
			"block #{n}: total issuance {issuance} exceeds genesis {}",
			self.genesis_issuance
		);
		let effective = issuance.saturating_add(invariants::outstanding_era_rewards());
		assert!(
			effective <= self.last_effective_issuance,
			"block #{n}: issuance + outstanding era rewards rose from {} to {effective}",
			self.last_effective_issuance
		);
		self.last_effective_issuance = effective;
		if let Err(e) = AllPalletsWithSystem::try_state(n, TryStateSelect::All) {
			panic!("block #{n}: try_state failed: {e:?}");
		}
		let broken = invariants::violations();
		assert!(broken.is_empty(), "block #{n}: runtime invariants broken: {broken:?}");
		let surpluses = invariants::pot_surpluses();
		for ((pot, before), (_, now)) in self.last_surpluses.iter().zip(&surpluses) {
			assert!(
				now >= before,
				"block #{n}: {pot} paid out what it did not owe: surplus {before} -> {now}"
			);
		}
		self.last_surpluses = surpluses;
	}

	fn act(&mut self, action: &Action) {
		let outcome = match action {
			Action::Call { origin, call } =>
				if allowed(call) {
					self.apply_signed(*origin, call.clone())
				} else {
					Outcome::Filtered
				},
			Action::Receipts { origin, gateway, receipts, forged } => {
				let now = self.now_ms();
				let receipts: Vec<Receipt> = receipts
					.iter()
					.map(|r| Receipt { timestamp: receipt_time(now, r.timestamp), ..*r })
					.collect();
				let key = if *forged { Sr25519Keyring::Eve } else { Sr25519Keyring::Dave };
				let payload =
					pallet_metering::Pallet::<Runtime>::signing_payload(*gateway, &receipts);
				let signature = key.pair().sign(&payload);
				let call = RuntimeCall::Metering(pallet_metering::Call::submit_receipts {
					gateway: *gateway,
					receipts,
					signature,
				});
				self.apply_signed(*origin, call)
			},
			Action::Advance { blocks, minutes } => {
				self.end_block();
				for _ in 0..*blocks {
					if self.blocks_run >= MAX_BLOCKS {
						break;
					}
					self.start_block();
					self.end_block();
				}
				// Skipped slots: time passes without blocks.
				self.slot = self.slot.saturating_add(u64::from(*minutes).saturating_mul(10));
				self.start_block();
				Outcome::Advanced
			},
		};
		match &outcome {
			Outcome::Filtered | Outcome::Invalid(_) =>
				self.report.skipped = self.report.skipped.saturating_add(1),
			Outcome::Applied(r) => {
				self.report.applied = self.report.applied.saturating_add(1);
				if r.is_ok() {
					self.report.succeeded = self.report.succeeded.saturating_add(1);
				}
			},
			Outcome::Advanced => {},
		}
		if self.trace {
			println!("#{} {action:?}\n    -> {outcome:?}", System::block_number());
		}
		self.report.outcomes.push(outcome);
	}

	/// Signs `call` as `SIGNERS[origin % 8]` with the runtime's transaction extensions and
	/// applies it. A transaction that does not fit the block is skipped, not retried.
	fn apply_signed(&mut self, origin: u8, call: RuntimeCall) -> Outcome {
		let i = usize::from(origin) % SIGNERS.len();
		let (Some(pair), Some(who)) = (self.pairs.get(i), self.accounts.get(i)) else {
			unreachable!("SIGNERS, pairs and accounts have the same length")
		};
		let extension = nexus_runtime::immortal_tx_extension(System::account_nonce(who));
		let payload = match SignedPayload::new(call.clone(), extension.clone()) {
			Ok(p) => p,
			Err(e) => return Outcome::Invalid(e),
		};
		let signature = payload.using_encoded(|bytes| pair.sign(bytes));
		let xt = UncheckedExtrinsic::new_signed(
			call,
			sp_runtime::MultiAddress::Id(who.clone()),
			signature.into(),
			extension,
		);
		// An invalid transaction is not part of the block (a block builder drops it), so only
		// an applied one's time counts.
		let started = thread_cpu_time();
		let applied = Executive::apply_extrinsic(xt);
		let spent = thread_cpu_time().saturating_sub(started);
		match applied {
			Ok(result) => {
				self.block_cpu = self.block_cpu.saturating_add(spent);
				Outcome::Applied(result)
			},
			Err(e) => Outcome::Invalid(e),
		}
	}
}
