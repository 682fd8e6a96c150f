//! What the harness asserts, in three tiers.
//!
//! 1. **After every block, cheap conservation checks** ([`Checks::conservation`]): total issuance
//!    never above genesis; `issuance + outstanding era rewards` never rises (NXV leaves only by
//!    burns; era rewards burned from the pot are minted back when claimed); no pot pays out what it
//!    does not owe (each pot's unowed surplus never falls, never negative).
//! 2. **After every block, the pallets it touched** ([`Scope::Touched`]): the `try_state` of each
//!    pallet whose storage the block wrote (fast mode knows them from the block's committed
//!    changes; the items every block writes whatever it holds, [`Pallets::bookkeeping`], do not
//!    count), and the runtime's cross-pallet invariants (`nexus_runtime::invariants`: supply, holds
//!    against ledgers, freezes and locks, references, pots) when the block wrote to a pallet they
//!    read.
//! 3. **At the end of every input, everything** ([`Scope::Everything`]): every pallet's `try_state`
//!    and every runtime invariant. Full mode runs this after every block, as the harness did before
//!    tiers.
//!
//! A check is skipped, in fast mode, only when it cannot have changed its result: each check's
//! reads at genesis are recorded ([`ReadSet`]); a pure function of storage whose reads all find
//! what they found at genesis returns what it returned at genesis, which was success (checked
//! when the harness starts). Every `try_state` of this runtime ignores its block-number argument
//! (the SDK's and ours, checked in their sources), so storage is all they depend on.
//!
//! A pallet's `try_state` may read other pallets' storage, so tier 2 alone could miss a broken
//! cross-pallet check in a pallet the block did not write to; tier 3 at the end of the input
//! catches it (state only moves forward, so a violation that arises persists unless a later block
//! repairs it; the full-check replay of the corpus checks every block).

use crate::{
	backend::ReadSet,
	engine::{Engine, Item, Touched},
};
use frame_support::traits::{PalletsInfoAccess, TryState, TryStateSelect};
use nexus_runtime::{invariants, AllPalletsWithSystem, Runtime};
use rustc_hash::FxHashSet;
use std::collections::{BTreeMap, BTreeSet};

/// The pallets whose storage the runtime invariants read: a block writing to any of them runs
/// them in tier 2.
const INVARIANT_PALLETS: [&str; 9] = [
	"System",
	"Balances",
	"Assets",
	"Capsules",
	"Tiers",
	"Metering",
	"Emissions",
	"RewardPot",
	"Buyback",
];

/// The runtime's pallets, as the checks see them.
pub struct Pallets {
	/// Storage prefix (`twox128(name)`) → pallet name, for every pallet of the runtime.
	prefixes: BTreeMap<[u8; 16], &'static str>,
	/// The items every block writes whatever it holds: found by running an empty block (block
	/// number and hash, events, digest, weight; the timestamp, the slot, the block author and
	/// its era points, the fee multiplier, the scheduler's, the bags-list's and metering's
	/// per-block cursors). A write to one of them alone does not make its pallet touched; any
	/// other write does.
	bookkeeping: FxHashSet<Item>,
	/// What each pallet's `try_state`, and each group of the runtime invariants, read at
	/// genesis.
	reads: BTreeMap<&'static str, ReadSet>,
	invariant_reads: Vec<ReadSet>,
}

/// Which checks to run after a block.
pub enum Scope<'a> {
	/// Tier 2: the touched pallets.
	Touched(&'a Touched),
	/// Tier 3: everything.
	Everything,
}

impl Pallets {
	/// Every pallet of the runtime; on `engine` (fast mode, at genesis): the bookkeeping items
	/// of `empty_block` and what each check reads at genesis. Panics if a check fails at genesis.
	pub fn at_genesis(engine: &mut Engine) -> Self {
		let prefixes = engine.run(|| {
			<AllPalletsWithSystem as PalletsInfoAccess>::infos()
				.into_iter()
				.map(|info| (sp_io::hashing::twox_128(info.name.as_bytes()), info.name))
				.collect::<BTreeMap<_, _>>()
		});
		let mut reads = BTreeMap::new();
		for name in prefixes.values() {
			let (result, read) = engine.record(|| try_state(0, [*name]));
			if let Err(e) = result {
				panic!("{name}'s try_state fails at genesis: {e:?}");
			}
			reads.insert(*name, read);
		}
		let invariant_reads = invariants::CHECKS
			.iter()
			.map(|(name, check)| {
				let (broken, read) = engine.record(check);
				assert!(
					broken.is_empty(),
					"runtime invariants ({name}) broken at genesis: {broken:?}"
				);
				read
			})
			.collect();
		Self { prefixes, bookkeeping: FxHashSet::default(), reads, invariant_reads }
	}

	/// Sets the bookkeeping items: what an empty block wrote.
	pub fn set_bookkeeping(&mut self, empty_block: &Touched) {
		if let Touched::Items(items) = empty_block {
			self.bookkeeping = items.clone();
		}
	}

	/// The pallets whose storage `touched` holds writes to, bookkeeping aside.
	pub fn written(&self, touched: &Touched) -> BTreeSet<&'static str> {
		match touched {
			Touched::All => self.prefixes.values().copied().collect(),
			Touched::Items(items) => items
				.iter()
				.filter(|item| !self.bookkeeping.contains(*item))
				.filter_map(|item| {
					let pallet = <[u8; 16]>::try_from(item.get(..16)?).ok()?;
					self.prefixes.get(&pallet).copied()
				})
				.collect(),
		}
	}

	/// The checks `scope` runs on `engine`'s state: the pallets whose `try_state` to run, and
	/// which groups of the runtime invariants (indices into `invariants::CHECKS`).
	pub fn due(&self, scope: Scope, engine: &Engine) -> (Vec<&'static str>, Vec<usize>) {
		let (pallets, invariants) = match scope {
			Scope::Touched(touched) => {
				let written = self.written(touched);
				let invariants = written.iter().any(|p| INVARIANT_PALLETS.contains(p));
				(written, invariants)
			},
			Scope::Everything => (self.prefixes.values().copied().collect(), true),
		};
		let changed = |reads: Option<&ReadSet>| reads.is_none_or(|r| !engine.unchanged(r));
		let groups = if invariants {
			(0..invariants::CHECKS.len())
				.filter(|i| changed(self.invariant_reads.get(*i)))
				.collect()
		} else {
			Vec::new()
		};
		(pallets.into_iter().filter(|p| changed(self.reads.get(p))).collect(), groups)
	}
}

impl Pallets {
	/// Why each of `pallets` is checked: the first key its genesis reads meet that changed (for
	/// traces).
	pub fn why(&self, pallets: &[&'static str], groups: &[usize], engine: &Engine) -> Vec<String> {
		let groups = groups
			.iter()
			.filter_map(|i| Some((invariants::CHECKS.get(*i)?.0, self.invariant_reads.get(*i))));
		pallets
			.iter()
			.map(|p| (*p, self.reads.get(p)))
			.chain(groups)
			.map(|(p, reads)| {
				let key = reads.and_then(|r| engine.first_change(r)).unwrap_or_default();
				format!("{p}: 0x{}", sp_core::hexdisplay::HexDisplay::from(&key))
			})
			.collect()
	}
}

/// `try_state` of the named pallets.
fn try_state<'a>(
	n: u32,
	names: impl IntoIterator<Item = &'a str>,
) -> Result<(), sp_runtime::TryRuntimeError> {
	let select = TryStateSelect::Only(names.into_iter().map(|n| n.as_bytes().to_vec()).collect());
	AllPalletsWithSystem::try_state(n, select)
}

/// The state the checks carry from block to block.
pub struct Checks {
	genesis_issuance: u128,
	/// `issuance + outstanding era rewards` after the last block: it may only fall.
	last_effective_issuance: u128,
	/// Each pot's unowed surplus after the last block: it may only grow (gifts).
	last_surpluses: Vec<(&'static str, i128)>,
}

impl Checks {
	/// Starts at genesis (call inside the externalities).
	pub fn at_genesis(genesis_issuance: u128) -> Self {
		Self {
			genesis_issuance,
			last_effective_issuance: genesis_issuance,
			last_surpluses: invariants::pot_surpluses(),
		}
	}

	/// Tier 1 (see the module docs).
	pub fn conservation(&mut self, n: u32) {
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
		let surpluses = invariants::pot_surpluses();
		for ((pot, before), (_, now)) in self.last_surpluses.iter().zip(&surpluses) {
			assert!(
				*now >= 0,
				"block #{n}: {pot} holds {} less than its ledger",
				now.unsigned_abs()
			);
			assert!(
				now >= before,
				"block #{n}: {pot} paid out what it did not owe: surplus {before} -> {now}"
			);
		}
		self.last_surpluses = surpluses;
	}

	/// Tier 2 or 3: the `try_state` of `pallets`, then the groups of runtime invariants
	/// `groups` (see [`Pallets::due`]).
	pub fn run(n: u32, pallets: &[&'static str], groups: &[usize]) {
		if !pallets.is_empty() {
			if let Err(e) = try_state(n, pallets.iter().copied()) {
				panic!("block #{n}: try_state failed: {e:?} (pallets checked: {pallets:?})");
			}
		}
		for (name, check) in groups.iter().filter_map(|i| invariants::CHECKS.get(*i)) {
			let broken = check();
			assert!(
				broken.is_empty(),
				"block #{n}: runtime invariants ({name}) broken: {broken:?}"
			);
		}
	}
}
