//! # Runtime fuzzing harness
//!
//! Drives the real Nexus Vault runtime, built natively with `try-runtime`, from the
//! `development` genesis preset (with four-hour sessions, see [`chain`]), with inputs a
//! coverage-guided fuzzer chooses ([`action::Action`]):
//!
//! - **calls**: any [`nexus_runtime::RuntimeCall`] as a signed extrinsic of one of the development
//!   accounts, through `Executive::apply_extrinsic`: real signatures, nonces, fees, `CheckWeight`
//!   and the call filter. Calls whose origin the fuzzer could not have on a live chain are left out
//!   ([`action::allowed`]): `sudo`, Root-track referenda, and the USDN owner's administrative
//!   `assets` calls. A call that no longer fits the block is skipped.
//! - **receipt batches** as the gateway operator //Dave posts them, signed by gateway 0's key (or,
//!   when `forged`, by another key), so that settlement, rollbacks and replay protection are
//!   reached without forging signatures.
//! - **advances and jumps**: time moves by block numbers and slots, from the next block to years
//!   ahead, executing only the blocks a live chain could not skip ([`chain`]): the 7-day unbonding
//!   and bond release, the 1-day price staleness and the vote locks are in reach.
//!
//! It asserts ([`checks`]): no panic (the fuzzer turns any panic into a crash, `defensive!`
//! paths included, as the build has debug assertions); each block's CPU time in the runtime
//! within [`chain::TIME_ALLOWANCE`] times its weight (a slow block is confirmed by two more
//! runs of the input); conservation checks after every block; the `try_state` of every pallet
//! a block wrote to, after that block; and every pallet's `try_state` and every runtime
//! invariant at the end of each input.
//!
//! Two modes ([`engine::Mode`]): **fast** (a map-backed state under the real overlay; what
//! libFuzzer runs) and **full** (the real in-memory trie, real state roots, every check after
//! every block; `NEXUS_FUZZ_FULL=1`, and the replay of the seeds, the regressions and the
//! corpus in `tests/replay.rs`, which also asserts that both modes leave the same state).
//!
//! Set `NEXUS_FUZZ_TRACE=1` to print each action and its result when replaying an input, and
//! `NEXUS_FUZZ_WRITE_SEEDS=<dir>` to write the seed corpus ([`seeds`]) and exit.
//!
//! The harness is compiled with this crate's `try-runtime` feature only; without it the crate
//! holds just the state backend (see `Cargo.toml`).

pub mod backend;

#[cfg(feature = "try-runtime")]
pub mod action;
#[cfg(feature = "try-runtime")]
pub mod chain;
#[cfg(feature = "try-runtime")]
pub mod checks;
#[cfg(feature = "try-runtime")]
pub mod engine;
#[cfg(feature = "try-runtime")]
pub mod seeds;

#[cfg(feature = "try-runtime")]
pub use harness::*;

#[cfg(feature = "try-runtime")]
mod harness {
	use crate::{
		action::{decode_actions, Action},
		backend::{Delta, Genesis, State},
		chain::{Chain, Keys, Report, Start, FIRST_SLOT},
		checks::Pallets,
		engine::{Engine, Mode},
	};
	use codec::Encode;
	use nexus_runtime::Runtime;
	use std::{cell::RefCell, sync::Arc};

	/// Blocks per session in the fuzzing genesis: four hours, the runtime's maximum (see
	/// [`crate::chain`]).
	pub const FUZZ_SESSION_LENGTH: u32 = 2_400;

	/// Everything an input starts from, built once per thread.
	struct Harness {
		/// The state inputs start from: the fuzzing genesis after its first, empty, block (the
		/// first block's one-time work, such as the first era's start, is not every input's).
		genesis: Arc<Genesis>,
		start: Start,
		issuance: u128,
		pallets: Pallets,
		keys: Keys,
		fast: Engine,
		full: Option<Engine>,
	}

	thread_local! {
		static HARNESS: RefCell<Option<Harness>> = const { RefCell::new(None) };
	}

	/// The fuzzing genesis: the `development` preset with [`FUZZ_SESSION_LENGTH`].
	pub fn genesis() -> State {
		let mut storage = nexus_runtime::genesis_config_presets::preset_storage("development")
			.unwrap_or_else(|e| panic!("the development preset builds: {e}"));
		storage.top.insert(
			pallet_reward_pot::SessionLength::<Runtime>::hashed_key().to_vec(),
			FUZZ_SESSION_LENGTH.encode(),
		);
		assert!(storage.children_default.is_empty(), "the genesis has no child tries");
		storage.top
	}

	/// The fuzz target's `init`: writes the seeds and exits when `NEXUS_FUZZ_WRITE_SEEDS` is
	/// set; builds the genesis state.
	pub fn fuzz_init() {
		if let Some(dir) = std::env::var_os("NEXUS_FUZZ_WRITE_SEEDS") {
			crate::seeds::write(&dir.to_string_lossy(), Mode::Fast);
			std::process::exit(0);
		}
		init();
	}

	/// Builds the genesis state (once per thread).
	pub fn init() {
		HARNESS.with(|h| {
			if h.borrow().is_some() {
				return;
			}
			let mut keys = Keys::new();
			// The fuzzing genesis and its first block, empty, checked as every block is.
			let mut state = genesis();
			let block_zero = Arc::new(Genesis::new(state.clone()));
			let mut fast = Engine::new(Mode::Fast, &block_zero);
			let issuance = fast.run(pallet_balances::Pallet::<Runtime>::total_issuance);
			let zero = Start {
				number: 0,
				slot: FIRST_SLOT.saturating_sub(1),
				hash: fast.run(|| frame_system::Pallet::<Runtime>::block_hash(0)),
			};
			let all = Pallets::at_genesis(&mut fast);
			let start = {
				let mut chain = Chain::new(&mut fast, &mut keys, &all, zero, issuance, false);
				chain.begin();
				chain.finish();
				chain.position()
			};
			for (key, value) in fast.delta(&block_zero) {
				match value {
					Some(v) => state.insert(key, v),
					None => state.remove(&key),
				};
			}
			let genesis = Arc::new(Genesis::new(state));
			let mut fast = Engine::new(Mode::Fast, &genesis);
			let mut pallets = Pallets::at_genesis(&mut fast);
			// The items every block writes: those an empty block writes.
			let empty_block = {
				let mut chain = Chain::new(&mut fast, &mut keys, &pallets, start, issuance, false);
				chain.begin();
				chain.finish();
				chain.last_written().clone()
			};
			pallets.set_bookkeeping(&empty_block);
			fast.reset();
			*h.borrow_mut() =
				Some(Harness { genesis, start, issuance, pallets, keys, fast, full: None });
		});
	}

	/// Runs `data` in the mode `NEXUS_FUZZ_FULL` selects and asserts every invariant. A block
	/// over its weight is confirmed by running the input twice more: only a block over weight
	/// in all three runs fails (one run's time can be inflated by the machine's other work).
	pub fn run(data: &[u8]) {
		run_in(data, Mode::from_env())
	}

	/// [`run`] in `mode`.
	pub fn run_in(data: &[u8], mode: Mode) {
		let actions = decode_actions(data);
		if actions.is_empty() {
			return;
		}
		let trace = std::env::var_os("NEXUS_FUZZ_TRACE").is_some();
		let first = execute(&actions, mode, trace);
		if first.over_weight.is_empty() {
			return;
		}
		let mut confirmed = first.over_weight.clone();
		for _ in 0..2 {
			let again = execute(&actions, mode, false);
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

	/// Runs `actions` on a fresh copy of genesis in `mode`; asserts every invariant but the
	/// timing one, which it reports.
	pub fn execute(actions: &[Action], mode: Mode, trace: bool) -> Report {
		execute_and(actions, mode, trace, |_, _| ()).0
	}

	/// [`execute`], then what the input changed against genesis.
	pub fn execute_with_delta(actions: &[Action], mode: Mode) -> (Report, Delta) {
		let trace = std::env::var_os("NEXUS_FUZZ_TRACE").is_some();
		execute_and(actions, mode, trace, |engine, genesis| engine.delta(genesis))
	}

	/// [`execute`], then `at_end` on the final state (inside the externalities).
	pub fn execute_then<R>(
		actions: &[Action],
		mode: Mode,
		at_end: impl FnOnce() -> R,
	) -> (Report, R) {
		let trace = std::env::var_os("NEXUS_FUZZ_TRACE").is_some();
		execute_and(actions, mode, trace, |engine, _| engine.run(at_end))
	}

	/// Whether a fast-mode run and a full-mode run of the same input agree: the same outcome
	/// for every action, the same blocks, and the same state. Block hashes are left out of the
	/// state (`System::BlockHash`, `System::ParentHash`): they commit to the state root, which
	/// only full mode computes (see [`crate::backend`]).
	pub fn same_state(fast: &(Report, Delta), full: &(Report, Delta)) -> Result<(), String> {
		let ((a, da), (b, db)) = (fast, full);
		if a.outcomes != b.outcomes {
			return Err(format!("outcomes {:?} and {:?}", a.outcomes, b.outcomes));
		}
		if (a.blocks, a.stops, a.height) != (b.blocks, b.stops, b.height) {
			return Err(format!("blocks {a:?} and {b:?}"));
		}
		let hashes = [
			frame_support::storage::storage_prefix(b"System", b"BlockHash"),
			frame_support::storage::storage_prefix(b"System", b"ParentHash"),
		];
		let kept = |d: &Delta| -> Delta {
			d.iter()
				.filter(|(k, _)| !hashes.iter().any(|h| k.starts_with(h)))
				.map(|(k, v)| (k.clone(), v.clone()))
				.collect()
		};
		let (da, db) = (kept(da), kept(db));
		if da != db {
			let differ: Vec<String> = da
				.keys()
				.chain(db.keys())
				.filter(|k| da.get(*k) != db.get(*k))
				.take(8)
				.map(|k| format!("0x{}", sp_core::hexdisplay::HexDisplay::from(k)))
				.collect();
			return Err(format!("state differs at keys {differ:?}"));
		}
		Ok(())
	}

	fn execute_and<T>(
		actions: &[Action],
		mode: Mode,
		trace: bool,
		after: impl FnOnce(&mut Engine, &Genesis) -> T,
	) -> (Report, T) {
		init();
		HARNESS.with(|h| {
			let mut h = h.borrow_mut();
			let h = h.as_mut().unwrap_or_else(|| unreachable!("init ran"));
			let Harness { genesis, start, issuance, pallets, keys, fast, full } = h;
			let engine = match mode {
				Mode::Fast => fast,
				Mode::Full => full.get_or_insert_with(|| Engine::new(Mode::Full, genesis)),
			};
			engine.reset();
			let mut chain = Chain::new(engine, keys, pallets, *start, *issuance, trace);
			chain.begin();
			for action in actions {
				if chain.exhausted() {
					break;
				}
				chain.act(action);
			}
			let report = chain.conclude();
			let t = after(engine, genesis);
			(report, t)
		})
	}
}
