//! The chain as the harness drives it: blocks in Aura slots, signed transactions, and time that
//! jumps.
//!
//! ## Jumps and their stops
//! [`Action::Advance`] and [`Action::Jump`] end the open block and start the next one some
//! block numbers and slots later, without executing the blocks in between: a live chain's week
//! of empty blocks costs a handful of executed ones. A jump sets `System::Number` to the block
//! before its landing block, and the landing block's slot advances by at least the block count
//! (a live chain has at most one block per slot), so block-number and time windows stay as far
//! apart as on a live chain.
//!
//! Skipping is only sound for blocks in which a live chain does nothing the landing block does
//! not catch up on. Hooks that catch up (`now >= deadline` checks: treasury spend periods, the
//! reserve's sweep, the bags-list rebagging) need nothing; per-block cursors that walk empty
//! entries (the scheduler's and metering's release cursors) are moved past the skipped
//! stretch as its blocks would have moved them ([`emulate_skipped_blocks`]). The blocks that do
//! work **only at their exact number, or over several consecutive blocks**, are executed on the way
//! ([`next_stop`]):
//! - every **session boundary** (`pallet_session::PeriodicSessions` rotates when `n % SessionLength
//!   == 0`; eras, elections, Aura and GRANDPA authority changes follow);
//! - every block with a **scheduler agenda** (referenda alarms, enactments), and the next block
//!   while a task is overdue (the scheduler lags after a block whose weight was used up);
//! - every block in which **metering releases a session** (its deposit and unspent cap);
//! - the **buyback epoch's end** when closing it does something (a tally to share, holdings to
//!   spend), and consecutive blocks while its closing pass runs;
//! - consecutive blocks while an **emissions release** runs, and the block after a milestone is
//!   reached with a round to share it.
//!
//! The fuzzing genesis uses four-hour sessions (2,400 blocks, the runtime's maximum and a live
//! chain's), instead of the development preset's ten-block ones, so that a week costs 42 session
//! stops; the development preset's governance timings and everything else stay.

use crate::{
	action::{receipt_time, Action, SIGNERS},
	checks::{Checks, Pallets, Scope},
	engine::{Engine, Mode, Touched},
};
use codec::Encode;
use frame_support::traits::Get;
use nexus_runtime::{
	AccountId, Block, Header, Runtime, RuntimeCall, SignedPayload, System, UncheckedExtrinsic,
};
use sp_api::runtime_decl_for_core::CoreV5;
use sp_block_builder::runtime_decl_for_block_builder::BlockBuilderV6;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{
	traits::Header as _, transaction_validity::TransactionValidityError, Digest, DigestItem,
};
use std::{collections::HashMap, time::Duration};

/// Milliseconds per slot (Aura's slot duration).
pub const SLOT_MS: u64 = 6_000;
/// The first block's slot: 2026-09-21, so that chain time looks like a live chain's.
pub const FIRST_SLOT: u64 = 1_790_000_000_000 / SLOT_MS;
/// Blocks one input may execute at most (stops included): a week's jump executes 44. A jump
/// that would need more stops lands on the last one it can execute. (Before jumps, inputs ran up
/// to 400 blocks, most of them empty.)
pub const MAX_BLOCKS: u32 = 64;
/// How many times its weight a block may take in this harness before it counts as
/// under-weighted: the libFuzzer build runs natively with coverage instrumentation (1.56 times
/// the uninstrumented time per block, median over the seeds) and debug assertions, which the
/// node's runtime does not have; 2 flags a block whose runtime calls take more than about 1.3
/// times their weight uninstrumented (measured in `docs/security.md`, "Weights audit").
pub const TIME_ALLOWANCE: u32 = 2;
/// Slots per minute.
const SLOTS_PER_MINUTE: u64 = 60_000 / SLOT_MS;
/// Signatures kept between inputs at most (then the cache starts again).
const MAX_CACHED_SIGNATURES: usize = 1 << 16;

/// What happened to one action, for traces and the seed tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
	/// The call was left out (see [`crate::action::allowed`]).
	Filtered,
	/// Not included: the transaction was invalid (e.g. the block is full, fees unpayable).
	Invalid(TransactionValidityError),
	/// Included; the dispatch succeeded or failed with this error.
	Applied(Result<(), sp_runtime::DispatchError>),
	/// Time advanced; the landing block's number.
	Advanced(u32),
	/// Not run: the input had used up its blocks.
	OutOfBlocks,
}

/// What a run measured.
#[derive(Debug, Default, Clone)]
pub struct Report {
	/// Blocks executed (stops included).
	pub blocks: u32,
	/// Of which stops: blocks executed inside a jump (see the module docs).
	pub stops: u32,
	/// The last block's number.
	pub height: u32,
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

/// The signing keys, and signatures already made (signing is the harness's own work; the
/// runtime still verifies every signature).
pub struct Keys {
	pairs: Vec<sr25519::Pair>,
	accounts: Vec<AccountId>,
	cache: HashMap<(usize, Vec<u8>), sr25519::Signature>,
}

impl Keys {
	/// The [`SIGNERS`].
	pub fn new() -> Self {
		Self {
			pairs: SIGNERS.iter().map(|k| k.pair()).collect(),
			accounts: SIGNERS.iter().map(|k| k.to_account_id()).collect(),
			cache: HashMap::new(),
		}
	}

	/// `SIGNERS[origin % 8]`'s index and account.
	fn signer(&self, origin: u8) -> (usize, AccountId) {
		let i = usize::from(origin) % SIGNERS.len();
		let who = self.accounts.get(i).unwrap_or_else(|| unreachable!("i < SIGNERS.len()"));
		(i, who.clone())
	}

	/// `message` signed by signer `i` (a cached signature when it signed the same before).
	fn sign(&mut self, i: usize, message: &[u8]) -> sr25519::Signature {
		if self.cache.len() >= MAX_CACHED_SIGNATURES {
			self.cache.clear();
		}
		let pair = self.pairs.get(i).unwrap_or_else(|| unreachable!("i < SIGNERS.len()"));
		*self.cache.entry((i, message.to_vec())).or_insert_with(|| pair.sign(message))
	}
}

impl Default for Keys {
	fn default() -> Self {
		Self::new()
	}
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

/// Runs `f` and adds its CPU time to `cpu`.
fn timed<R>(cpu: &mut Duration, f: impl FnOnce() -> R) -> R {
	let started = thread_cpu_time();
	let result = f();
	*cpu = cpu.saturating_add(thread_cpu_time().saturating_sub(started));
	result
}

/// Why a jump stops at a block (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
	/// A session boundary.
	Session,
	/// A block with a scheduler agenda.
	Agenda,
	/// The end of a buyback epoch that has something to close.
	BuybackEpoch,
	/// A block with a session to release (metering's release queue).
	Release,
	/// A buyback closing pass or an emissions release is under way, or a milestone's release
	/// starts: the next block.
	Busy,
}

/// The first block after `after` and before `before` that a live chain cannot skip (see the
/// module docs), read from the state after block `after`, and why.
pub fn next_stop(after: u32, before: u32) -> Option<(u32, Stop)> {
	let consecutive = after.saturating_add(1);
	let busy = pallet_buyback::Closings::<Runtime>::exists() ||
		pallet_emissions::Releasing::<Runtime>::exists() ||
		milestone_due();
	let stop = if busy {
		(consecutive, Stop::Busy)
	} else {
		let length = pallet_reward_pot::SessionLengthOf::<Runtime>::get().max(1);
		let session = after
			.checked_div(length)
			.and_then(|s| s.checked_add(1))
			.and_then(|s| s.checked_mul(length))
			.unwrap_or(u32::MAX);
		let epoch = if buyback_epoch_has_work() {
			pallet_buyback::Pallet::<Runtime>::epoch_end().max(consecutive)
		} else {
			u32::MAX
		};
		// The scheduler services every agenda from `IncompleteSince` on (it lags behind after
		// a block whose weight was used up, such as a session rotation's): an overdue task
		// runs in the next block, a later one in its own.
		let since = pallet_scheduler::IncompleteSince::<Runtime>::get().unwrap_or(0);
		let agenda = pallet_scheduler::Agenda::<Runtime>::iter()
			.filter(|(when, agenda)| *when >= since && agenda.iter().any(Option::is_some))
			.map(|(when, _)| when.max(consecutive))
			.min()
			.unwrap_or(u32::MAX);
		// Metering releases a session's deposit and unspent cap in the block it is due.
		let cursor = pallet_metering::ReleaseCursor::<Runtime>::get();
		let release = pallet_metering::ReleaseQueue::<Runtime>::iter_keys()
			.map(|(block, _)| block)
			.filter(|block| *block >= cursor)
			.map(|block| block.max(consecutive))
			.min()
			.unwrap_or(u32::MAX);
		[
			(session, Stop::Session),
			(epoch, Stop::BuybackEpoch),
			(agenda, Stop::Agenda),
			(release, Stop::Release),
		]
		.into_iter()
		.min_by_key(|(n, _)| *n)
		.unwrap_or((u32::MAX, Stop::Session))
	};
	(stop.0 < before).then_some(stop)
}

/// What the skipped blocks' per-block cursors would show, before block `number` after a jump. A
/// live chain's every block walks the scheduler's agendas (`IncompleteSince`) and metering's
/// release queue (`ReleaseCursor`) up to itself; where the skipped stretch held nothing to service
/// (a jump stops at every agenda and queued release, see [`next_stop`]), each cursor simply ends
/// past it. (Metering's commitments are pruned by batch id, not per block: nothing to emulate.)
/// Without this, the landing block would walk every skipped block's empty entry in one go, which
/// no live chain's block does. A cursor with work in the stretch is left to catch up on it.
fn emulate_skipped_blocks(number: u32) {
	if let Some(since) = pallet_scheduler::IncompleteSince::<Runtime>::get() {
		let due = pallet_scheduler::Agenda::<Runtime>::iter().any(|(when, agenda)| {
			when >= since && when < number && agenda.iter().any(Option::is_some)
		});
		if since < number && !due {
			pallet_scheduler::IncompleteSince::<Runtime>::put(number);
		}
	}
	let cursor = pallet_metering::ReleaseCursor::<Runtime>::get();
	let due = pallet_metering::ReleaseQueue::<Runtime>::iter_keys()
		.any(|(block, _)| block >= cursor && block < number);
	if cursor < number && !due {
		pallet_metering::ReleaseCursor::<Runtime>::put(number);
	}
}

/// Whether closing the current buyback epoch does anything but count it: a tally to pay
/// rebates on, or holdings to spend. Fees reach the pot only in executed blocks, so once an
/// epoch has closed with nothing to do, the epochs a jump skips would close with nothing to do
/// too (the landing block closes the last of them).
fn buyback_epoch_has_work() -> bool {
	let tally =
		pallet_buyback::Tallies::<Runtime>::get(pallet_buyback::CurrentEpoch::<Runtime>::get());
	tally.seekers > 0 ||
		tally.spend > 0 ||
		!pallet_buyback::Pallet::<Runtime>::available().is_zero()
}

/// Whether the emissions pallet starts a release at the next block: a milestone reached and
/// not released, with a round that has providers to share it with (`start_release`).
fn milestone_due() -> bool {
	let progress = pallet_emissions::MetricsProgress::<Runtime>::get();
	let reached = pallet_emissions::Milestones::<Runtime>::get()
		.iter()
		.any(|m| m.released_at.is_none() && progress.of(m.metric) >= m.threshold);
	reached && {
		let tally = pallet_emissions::Rounds::<Runtime>::get(pallet_emissions::CurrentRound::<
			Runtime,
		>::get());
		tally.weight != 0 && tally.providers != 0
	}
}

/// The block an input's chain starts after: its number, slot and hash.
#[derive(Debug, Clone, Copy)]
pub struct Start {
	/// The block's number (0: genesis).
	pub number: u32,
	/// Its slot.
	pub slot: u64,
	/// Its hash.
	pub hash: H256,
}

/// The chain one input runs on.
pub struct Chain<'a> {
	engine: &'a mut Engine,
	keys: &'a mut Keys,
	pallets: &'a Pallets,
	checks: Checks,
	/// What the last block wrote.
	last_written: Touched,
	/// The open block's number and slot (0 and the slot before the first one at genesis).
	number: u32,
	slot: u64,
	open: bool,
	parent_hash: H256,
	/// CPU time the runtime spent on the open block so far.
	block_cpu: Duration,
	trace: bool,
	/// The last batch this input settled: its id and leaves (for [`Action::Evidence`]).
	last_batch: Option<(u64, Vec<pallet_metering::LeafOf<Runtime>>)>,
	/// What the run measured.
	pub report: Report,
}

impl<'a> Chain<'a> {
	/// The chain after `start`; no block open yet.
	pub fn new(
		engine: &'a mut Engine,
		keys: &'a mut Keys,
		pallets: &'a Pallets,
		start: Start,
		genesis_issuance: u128,
		trace: bool,
	) -> Self {
		let checks = engine.run(|| Checks::at_genesis(genesis_issuance));
		Self {
			engine,
			keys,
			pallets,
			checks,
			last_written: Touched::All,
			number: start.number,
			slot: start.slot,
			open: false,
			parent_hash: start.hash,
			block_cpu: Duration::ZERO,
			trace,
			last_batch: None,
			report: Report::default(),
		}
	}

	fn now_ms(&self) -> u64 {
		self.slot.saturating_mul(SLOT_MS)
	}

	/// Whether the input may execute another block.
	fn has_blocks(&self) -> bool {
		self.report.blocks < MAX_BLOCKS
	}

	/// Starts block `number` in `slot` (both above the last block's): the Aura pre-runtime
	/// digest, `on_initialize`, then the timestamp inherent.
	pub fn start_block(&mut self, number: u32, slot: u64) {
		self.number = number;
		self.slot = slot;
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(
				sp_consensus_aura::AURA_ENGINE_ID,
				sp_consensus_aura::Slot::from(slot).encode(),
			)],
		};
		let header =
			Header::new(number, Default::default(), Default::default(), self.parent_hash, digest);
		let now = self.now_ms();
		let inherent =
			UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
				now,
			}));
		self.block_cpu = Duration::ZERO;
		let cpu = &mut self.block_cpu;
		let applied = self.engine.run(|| {
			// A jump: the blocks in between were skipped.
			if System::block_number().saturating_add(1) != number {
				System::set_block_number(number.saturating_sub(1));
				emulate_skipped_blocks(number);
			}
			timed(cpu, || <Runtime as CoreV5<Block>>::initialize_block(&header));
			timed(cpu, || <Runtime as BlockBuilderV6<Block>>::apply_extrinsic(inherent))
		});
		match applied {
			Ok(Ok(())) => {},
			other => panic!("block #{number}: the timestamp inherent failed: {other:?}"),
		}
		self.open = true;
	}

	/// Finalizes the open block and checks it (see [`crate::checks`]).
	pub fn end_block(&mut self) {
		self.close_block(false)
	}

	/// Finalizes the open block and checks it: tier 1, then tier 2 (the touched pallets) or, for
	/// an input's `last` block, tier 3 (everything; tier 2 on the same state would be a subset).
	fn close_block(&mut self, last: bool) {
		let cpu = &mut self.block_cpu;
		let header = self
			.engine
			.run(|| timed(cpu, <Runtime as BlockBuilderV6<Block>>::finalize_block));
		self.parent_hash = header.hash();
		self.open = false;
		let touched = self.engine.commit_block();
		let n = self.number;
		let scope = match (self.engine.mode(), last) {
			(Mode::Fast, false) => Scope::Touched(&touched),
			_ => Scope::Everything,
		};
		let (pallets, groups) = self.pallets.due(scope, self.engine);
		if self.trace {
			println!(
				"#{n} wrote to {:?}; checking {:?}",
				self.pallets.written(&touched),
				self.pallets.why(&pallets, &groups, self.engine)
			);
		}
		self.last_written = touched;
		let checks = &mut self.checks;
		let weight = self.engine.run(|| {
			let weight = System::block_weight().total().ref_time();
			// The checks only read; a transaction keeps any write of theirs out of the chain.
			sp_io::storage::start_transaction();
			checks.conservation(n);
			Checks::run(n, &pallets, &groups);
			sp_io::storage::rollback_transaction();
			weight
		});
		let taken = self.block_cpu.as_nanos().saturating_mul(1_000);
		if self.trace {
			println!("#{n} block took {} µs, weight {} µs", taken / 1_000_000, weight / 1_000_000);
		}
		if taken > u128::from(weight).saturating_mul(u128::from(TIME_ALLOWANCE)) {
			self.report.over_weight.push((self.report.blocks, taken, weight));
		}
		self.report.blocks = self.report.blocks.saturating_add(1);
		self.report.height = n;
	}

	/// Ends the open block and starts the one `blocks + 1` numbers later, `minutes` of slots
	/// skipped on top, executing the stops on the way (see the module docs). Returns the new
	/// block's number, or `None` when the input has no blocks left.
	fn jump(&mut self, blocks: u32, minutes: u32) -> Option<u32> {
		if self.open {
			self.end_block();
		}
		let mut target = self.number.saturating_add(blocks).saturating_add(1);
		let mut skipped = u64::from(minutes).saturating_mul(SLOTS_PER_MINUTE);
		loop {
			if !self.has_blocks() {
				return None;
			}
			let after = self.number;
			let Some((stop, why)) = self.engine.run(|| next_stop(after, target)) else { break };
			if self.trace {
				println!("#{after} jump to #{target}: stop at #{stop} ({why:?})");
			}
			if self.report.blocks.saturating_add(1) >= MAX_BLOCKS {
				// No room for the stop and the landing block: land on the stop.
				target = stop;
				skipped = 0;
				break;
			}
			let slot = self.slot.saturating_add(u64::from(stop.saturating_sub(after)));
			self.start_block(stop, slot);
			self.end_block();
			self.report.stops = self.report.stops.saturating_add(1);
		}
		let slot = self
			.slot
			.saturating_add(u64::from(target.saturating_sub(self.number)))
			.saturating_add(skipped);
		self.start_block(target, slot);
		Some(target)
	}

	/// Starts the first block.
	pub fn begin(&mut self) {
		self.start_block(self.number.saturating_add(1), self.slot.saturating_add(1));
	}

	/// Where the chain is: its last block (call with no block open).
	pub fn position(&self) -> Start {
		Start { number: self.number, slot: self.slot, hash: self.parent_hash }
	}

	/// Ends the last block, if one is open.
	pub fn finish(&mut self) {
		if self.open {
			self.end_block();
		}
	}

	/// What the last block wrote.
	pub fn last_written(&self) -> &Touched {
		&self.last_written
	}

	/// Whether the input has used up its blocks (no block is open and none may start).
	pub fn exhausted(&self) -> bool {
		!self.open && !self.has_blocks()
	}

	/// Takes one action.
	pub fn act(&mut self, action: &Action) {
		let outcome = if !self.open {
			Outcome::OutOfBlocks
		} else {
			match action {
				Action::Call { origin, call } =>
					if crate::action::allowed(call) {
						self.apply_signed(*origin, call.clone())
					} else {
						Outcome::Filtered
					},
				Action::Batch { origin, batch, forged } => {
					let mut batch = batch.clone();
					batch.time_ms = receipt_time(self.now_ms(), batch.time_ms);
					let key = if *forged { 4 } else { 3 }; // //Eve, //Dave (SIGNERS)
					let payload = self.engine.run(|| {
						nexus_primitives::receipts::signing_payload(
							&pallet_metering::Pallet::<Runtime>::genesis_hash(),
							&batch,
						)
					});
					let signature = self.keys.sign(key, &payload);
					let call = RuntimeCall::Metering(pallet_metering::Call::submit_batch {
						batch: Box::new(batch.clone()),
						signature,
					});
					let outcome = self.apply_signed(*origin, call);
					if let Some(last) = self.engine.run(|| settled_leaves(&batch)) {
						self.last_batch = Some(last);
					}
					outcome
				},
				Action::Evidence { origin, index, roll_back } => match &self.last_batch {
					None => Outcome::Filtered,
					Some((id, leaves)) => {
						let i = u32::from(*index) % u32::try_from(leaves.len()).unwrap_or(1).max(1);
						let leaf = leaves.get(i as usize).cloned();
						let hashes: Vec<H256> =
							leaves.iter().map(nexus_primitives::receipts::leaf_hash).collect();
						match (leaf, nexus_primitives::receipts::proof(&hashes, i)) {
							(Some(leaf), Some(proof)) => {
								let (batch, leaf) = (*id, Box::new(leaf));
								let call = if *roll_back {
									pallet_metering::Call::roll_back { batch, leaf, proof }
								} else {
									pallet_metering::Call::dispute_receipt { batch, leaf, proof }
								};
								self.apply_signed(*origin, RuntimeCall::Metering(call))
							},
							_ => Outcome::Filtered,
						}
					},
				},
				Action::Advance { blocks, minutes } =>
					self.advance(u32::from(*blocks), u32::from(*minutes)),
				Action::Jump { scale, fraction, minutes } =>
					self.advance(Action::jump_blocks(*scale, *fraction), u32::from(*minutes)),
			}
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
			Outcome::Advanced(_) | Outcome::OutOfBlocks => {},
		}
		if self.trace {
			println!("#{} {action:?}\n    -> {outcome:?}", self.number);
		}
		self.report.outcomes.push(outcome);
	}

	fn advance(&mut self, blocks: u32, minutes: u32) -> Outcome {
		match self.jump(blocks, minutes) {
			Some(n) => Outcome::Advanced(n),
			None => Outcome::OutOfBlocks,
		}
	}

	/// Signs `call` as `SIGNERS[origin % 8]` with the runtime's transaction extensions and
	/// applies it. A transaction that does not fit the block is skipped, not retried; only an
	/// applied one's time counts (a block builder drops an invalid one).
	fn apply_signed(&mut self, origin: u8, call: RuntimeCall) -> Outcome {
		let (i, who) = self.keys.signer(origin);
		let (keys, cpu) = (&mut *self.keys, &mut self.block_cpu);
		self.engine.run(|| {
			let extension = nexus_runtime::immortal_tx_extension(System::account_nonce(&who));
			let payload = match SignedPayload::new(call.clone(), extension.clone()) {
				Ok(p) => p,
				Err(e) => return Outcome::Invalid(e),
			};
			let signature = payload.using_encoded(|bytes| keys.sign(i, bytes));
			let xt = UncheckedExtrinsic::new_signed(
				call,
				sp_runtime::MultiAddress::Id(who),
				signature.into(),
				extension,
			);
			let mut spent = Duration::ZERO;
			let applied =
				timed(&mut spent, || <Runtime as BlockBuilderV6<Block>>::apply_extrinsic(xt));
			match applied {
				Ok(result) => {
					*cpu = cpu.saturating_add(spent);
					Outcome::Applied(result)
				},
				Err(e) => Outcome::Invalid(e),
			}
		})
	}

	/// The final checks of an input: the last block is closed with everything checked (tier 3);
	/// then the report's totals.
	pub fn conclude(mut self) -> Report {
		let (pallets, groups) = if self.open {
			self.close_block(true);
			(Vec::new(), Vec::new())
		} else {
			// The input used up its blocks: its last block was closed with tier 2 only.
			self.pallets.due(Scope::Everything, self.engine)
		};
		let n = self.number;
		if self.trace && !pallets.is_empty() {
			println!(
				"#{n} end of input: checking {:?}",
				self.pallets.why(&pallets, &groups, self.engine)
			);
		}
		let (settled, take_rate) = self.engine.run(|| {
			sp_io::storage::start_transaction();
			Checks::run(n, &pallets, &groups);
			sp_io::storage::rollback_transaction();
			(
				pallet_fees::Totals::<Runtime>::iter().map(|(_, t)| t.receipts).sum(),
				pallet_fees::Params::<Runtime>::get().take_rate.deconstruct(),
			)
		});
		self.report.settled_receipts = settled;
		self.report.take_rate = take_rate;
		self.report
	}
}

/// The id and leaves of `batch` if the last extrinsic settled it (its `BatchSettled` event is the
/// last of the block's and commits to something): the leaves as its gateway rebuilds them.
fn settled_leaves(
	batch: &pallet_metering::BatchOf<Runtime>,
) -> Option<(u64, Vec<pallet_metering::LeafOf<Runtime>>)> {
	System::events().into_iter().rev().find_map(|r| match r.event {
		nexus_runtime::RuntimeEvent::Metering(pallet_metering::Event::BatchSettled {
			batch: Some(id),
			settlement,
			..
		}) => settlement.leaves(batch).ok().map(|leaves| (id, leaves)),
		_ => None,
	})
}
