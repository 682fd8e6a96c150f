//! Where the runtime's storage lives while an input runs: the two modes.
//!
//! - [`Mode::Fast`] (what libFuzzer runs): [`FastBackend`] under a fresh `OverlayedChanges` per
//!   block. At each block's end the overlay's changes are committed into the backend, which also
//!   tells which pallets the block wrote to ([`Touched`]): the checks after a block run those
//!   pallets' `try_state` (see [`crate::checks`]).
//! - [`Mode::Full`] (the full-check replay): the real in-memory trie (`TestExternalities`), one
//!   overlay for the whole input, a real state root in every header, and every check after every
//!   block.

use crate::backend::{Delta, FastBackend, Genesis, ReadSet};
use rustc_hash::FxHashSet;
use sp_runtime::traits::BlakeTwo256;
use sp_state_machine::{Ext, OverlayedChanges, TestExternalities};
use std::sync::Arc;

/// How an input is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
	/// Map-backed state, tiered checks: the fuzzing loop.
	Fast,
	/// The real trie and every check after every block: seeds, regressions and corpus replays.
	Full,
}

impl Mode {
	/// `NEXUS_FUZZ_FULL=1` selects [`Mode::Full`] for the libFuzzer binary.
	pub fn from_env() -> Self {
		if std::env::var_os("NEXUS_FUZZ_FULL").is_some_and(|v| v != "0") {
			Mode::Full
		} else {
			Mode::Fast
		}
	}
}

/// A storage item: the first 32 bytes of its keys, `twox128(pallet) ‖ twox128(item)`.
pub type Item = [u8; 32];

/// The storage items a block wrote to, or every item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
	/// Anything may have changed (full mode does not track writes).
	All,
	/// These items were written (keys shorter than an item prefix, the well-known `:…` keys,
	/// are left out).
	Items(FxHashSet<Item>),
}

/// The state of one input's chain.
// One engine per mode and thread, made once: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
pub enum Engine {
	/// See [`Mode::Fast`].
	Fast { backend: FastBackend, overlay: OverlayedChanges<BlakeTwo256> },
	/// See [`Mode::Full`].
	Full(Box<TestExternalities<BlakeTwo256>>),
}

impl Engine {
	/// An engine at `genesis`.
	pub fn new(mode: Mode, genesis: &Arc<Genesis>) -> Self {
		match mode {
			Mode::Fast => Engine::Fast {
				backend: FastBackend::new(genesis.clone()),
				overlay: Default::default(),
			},
			Mode::Full => {
				let storage = sp_core::storage::Storage {
					top: genesis.state().clone(),
					children_default: Default::default(),
				};
				let mut ext = TestExternalities::<BlakeTwo256>::new(storage);
				ext.commit_all().unwrap_or_else(|e| panic!("genesis commits: {e}"));
				Engine::Full(Box::new(ext))
			},
		}
	}

	/// The mode.
	pub fn mode(&self) -> Mode {
		match self {
			Engine::Fast { .. } => Mode::Fast,
			Engine::Full(_) => Mode::Full,
		}
	}

	/// Back to genesis, for the next input.
	pub fn reset(&mut self) {
		match self {
			Engine::Fast { backend, overlay } => {
				backend.reset();
				*overlay = Default::default();
			},
			Engine::Full(ext) => ext.reset_overlay(),
		}
	}

	/// Runs `f` with this state as the runtime's externalities.
	pub fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
		match self {
			Engine::Fast { backend, overlay } => {
				let mut ext = Ext::new(overlay, &*backend, None);
				sp_externalities::set_and_run_with_externalities(&mut ext, f)
			},
			Engine::Full(ext) => ext.execute_with(f),
		}
	}

	/// Runs `f` (fast mode, over an empty overlay) and records what it read from the state.
	pub fn record<R>(&mut self, f: impl FnOnce() -> R) -> (R, ReadSet) {
		match self {
			Engine::Fast { backend, overlay } => {
				assert!(overlay.is_empty(), "reads are recorded over an empty overlay");
				backend.record(true);
				let mut ext = Ext::new(overlay, &*backend, None);
				let result = sp_externalities::set_and_run_with_externalities(&mut ext, f);
				(result, backend.record(false))
			},
			Engine::Full(_) => panic!("reads are recorded in fast mode"),
		}
	}

	/// Whether the reads `reads` recorded at genesis would all find the same now (always
	/// `false` in full mode, which checks everything).
	pub fn unchanged(&self, reads: &ReadSet) -> bool {
		match self {
			Engine::Fast { backend, .. } => backend.unchanged(reads),
			Engine::Full(_) => false,
		}
	}

	/// What changed first in `reads` (fast mode), for traces.
	pub fn first_change(&self, reads: &ReadSet) -> Option<Vec<u8>> {
		match self {
			Engine::Fast { backend, .. } => backend.first_change(reads),
			Engine::Full(_) => None,
		}
	}

	/// Ends a block: in fast mode its changes go into the backend and the overlay starts empty;
	/// returns what the block touched.
	pub fn commit_block(&mut self) -> Touched {
		match self {
			Engine::Fast { backend, overlay } => {
				assert!(
					overlay.children().next().is_none(),
					"the runtime wrote child storage, which fast mode does not model: replay \
					 the input with NEXUS_FUZZ_FULL=1"
				);
				let mut touched = FxHashSet::default();
				let mut changes = std::mem::take(overlay);
				for (key, value) in changes.changes_mut() {
					if let Some(item) = key.get(..32).and_then(|p| Item::try_from(p).ok()) {
						touched.insert(item);
					}
					backend.set(key.clone(), value.value().cloned());
				}
				Touched::Items(touched)
			},
			Engine::Full(_) => Touched::All,
		}
	}

	/// What the input changed against genesis (only real differences).
	pub fn delta(&mut self, genesis: &Genesis) -> Delta {
		match self {
			Engine::Fast { backend, .. } => backend.delta(),
			Engine::Full(ext) => {
				let mut overlay = ext.overlayed_changes().clone();
				overlay
					.changes_mut()
					.map(|(k, v)| (k.clone(), v.value().cloned()))
					.filter(|(k, v)| genesis.state().get(k) != v.as_ref())
					.collect()
			},
		}
	}
}
