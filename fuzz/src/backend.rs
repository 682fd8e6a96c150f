//! The fast mode's state backend: the genesis state in a shared ordered map, with each input's
//! committed blocks layered over it in a second one.
//!
//! It stands in for the in-memory trie (`TestExternalities`) under the real overlay and
//! externalities of `sp-state-machine` ([`sp_state_machine::Ext`]), so the runtime executes
//! exactly as it does over the trie: the same `OverlayedChanges` (storage transactions,
//! appends, `clear_prefix` limits, key iteration), read from a map instead of trie nodes. Two
//! things differ, both outside the runtime:
//! - **no trie root**: [`Backend::storage_root`] returns a commitment that only numbers the blocks
//!   (the runtime stores the root in the header and never reads it back, so a root only makes block
//!   hashes differ, which this does too);
//! - **no child tries**: the runtime has none; a child-storage write fails the input loudly (see
//!   [`crate::engine`]) rather than being dropped.
//!
//! The full-check mode keeps the real trie, and `tests/replay.rs` runs every seed, regression
//! and corpus input in both modes and asserts they leave identical state.

use rustc_hash::FxHashMap;
use sp_core::{
	storage::{ChildInfo, StateVersion},
	H256,
};
use sp_runtime::traits::{BlakeTwo256, Hash};
use sp_state_machine::{
	Backend, BackendTransaction, IterArgs, MemoryDB, StorageIterator, UsageInfo,
};
use sp_trie::MerkleValue;
use std::{cell::Cell, cmp::Ordering, collections::BTreeMap, sync::Arc};

/// Key/value state.
pub type State = BTreeMap<Vec<u8>, Vec<u8>>;

/// Changes over the genesis state: `None` is a deleted key.
pub type Delta = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Orders keys as `[u8]` does, eight bytes at a time, without calling `memcmp`: libFuzzer hooks
/// every `memcmp` of the process to learn from unequal comparisons, and the ordered maps' key
/// searches were a third of the fuzzer's time in that hook.
pub fn key_cmp(a: &[u8], b: &[u8]) -> Ordering {
	let common = a.len().min(b.len());
	let whole = common - common % 8;
	let word = |s: &[u8], i: usize| {
		let mut w = [0u8; 8];
		w.copy_from_slice(&s[i..i + 8]);
		u64::from_be_bytes(w)
	};
	let mut i = 0;
	while i < whole {
		let (x, y) = (word(a, i), word(b, i));
		if x != y {
			return x.cmp(&y);
		}
		i += 8;
	}
	while i < common {
		if a[i] != b[i] {
			return a[i].cmp(&b[i]);
		}
		i += 1;
	}
	a.len().cmp(&b.len())
}

/// Keys in order (by [`key_cmp`]), searched by bisection.
#[derive(Debug, Default, Clone)]
struct SortedKeys(Vec<Vec<u8>>);

impl SortedKeys {
	/// The index of the first key at or after `key` (`inclusive`), or after it.
	fn from(&self, key: &[u8], inclusive: bool) -> usize {
		self.0.partition_point(|k| match key_cmp(k, key) {
			Ordering::Less => true,
			Ordering::Equal => !inclusive,
			Ordering::Greater => false,
		})
	}

	fn insert(&mut self, key: Vec<u8>) {
		let at = self.from(&key, true);
		if self.0.get(at).is_none_or(|k| key_cmp(k, &key) != Ordering::Equal) {
			self.0.insert(at, key);
		}
	}

	fn remove(&mut self, key: &[u8]) {
		let at = self.from(key, true);
		if self.0.get(at).is_some_and(|k| key_cmp(k, key) == Ordering::Equal) {
			self.0.remove(at);
		}
	}
}

/// The genesis state, indexed twice: a hash map for reads (one, equal, key comparison per read)
/// and the ordered keys for iteration.
#[derive(Debug)]
pub struct Genesis {
	values: FxHashMap<Vec<u8>, Vec<u8>>,
	keys: SortedKeys,
	state: State,
}

impl Genesis {
	/// Indexes `state`.
	pub fn new(state: State) -> Self {
		Self {
			values: state.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
			keys: SortedKeys(state.keys().cloned().collect()),
			state,
		}
	}

	/// The state.
	pub fn state(&self) -> &State {
		&self.state
	}
}

/// What a computation read from the backend: its keys, and its key-order steps (from a key, the
/// next key it found). A pure function of storage whose reads all still find what they found,
/// and whose steps all still find no key in between, follows the same path and returns the same
/// result: [`FastBackend::unchanged`] is how the checks skip what cannot have changed.
#[derive(Debug, Default, Clone)]
pub struct ReadSet {
	keys: Vec<Vec<u8>>,
	steps: Vec<(Vec<u8>, bool, Option<Vec<u8>>)>,
}

impl ReadSet {
	/// How many reads and steps it holds.
	pub fn len(&self) -> usize {
		self.keys.len() + self.steps.len()
	}

	/// Whether it holds nothing.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

/// Genesis plus the changes of the blocks committed so far in this input.
#[derive(Debug)]
pub struct FastBackend {
	genesis: Arc<Genesis>,
	/// The changes (reads), and their keys in order (iteration).
	delta: FxHashMap<Vec<u8>, Option<Vec<u8>>>,
	delta_keys: SortedKeys,
	/// Blocks committed so far: the pseudo-root numbers them.
	roots: Cell<u64>,
	/// Records reads while set (see [`FastBackend::record`]).
	recording: std::cell::RefCell<Option<ReadSet>>,
}

impl FastBackend {
	/// A backend at `genesis`.
	pub fn new(genesis: Arc<Genesis>) -> Self {
		Self {
			genesis,
			delta: FxHashMap::default(),
			delta_keys: SortedKeys::default(),
			roots: Cell::new(0),
			recording: Default::default(),
		}
	}

	/// Starts (`true`) or stops recording what is read from this backend; returns what was
	/// recorded. Only reads that reach the backend are seen: record over an empty overlay.
	pub fn record(&self, on: bool) -> ReadSet {
		let mut recording = self.recording.borrow_mut();
		let done = recording.take().unwrap_or_default();
		if on {
			*recording = Some(ReadSet::default());
		}
		done
	}

	/// Whether every read of `reads` (recorded at genesis) would find what it found then: none
	/// of its keys changed, and no key changed between a step's start and the key it found.
	pub fn unchanged(&self, reads: &ReadSet) -> bool {
		self.first_change(reads).is_none()
	}

	/// The first key of `reads` that changed, or the first changed key a step would now meet.
	pub fn first_change(&self, reads: &ReadSet) -> Option<Vec<u8>> {
		if self.delta.is_empty() {
			return None;
		}
		if let Some(k) = reads.keys.iter().find(|k| self.delta.contains_key(*k)) {
			return Some(k.clone());
		}
		reads.steps.iter().find_map(|(from, inclusive, found)| {
			let changed = self.delta_keys.0.get(self.delta_keys.from(from, *inclusive))?;
			match found {
				Some(found) if key_cmp(changed, found) == Ordering::Greater => None,
				_ => Some(changed.clone()),
			}
		})
	}

	/// Back to genesis.
	pub fn reset(&mut self) {
		self.delta.clear();
		self.delta_keys.0.clear();
		self.roots.set(0);
	}

	/// Commits one key's new value (`None`: deleted). A value equal to genesis is kept as a
	/// change; [`FastBackend::delta`] normalises.
	pub fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
		if self.get(&key) == value.as_deref() {
			// Written back unchanged (hooks that rewrite what they read): not a change, so the
			// checks that read it need not run again.
			return;
		}
		if value.is_none() && !self.genesis.values.contains_key(&key) {
			// Deleting what genesis never had leaves no trace: no tombstone for iterations to
			// step over (the scheduler deletes one agenda key per block it services).
			if self.delta.remove(&key).is_some() {
				self.delta_keys.remove(&key);
			}
			return;
		}
		if !self.delta.contains_key(&key) {
			self.delta_keys.insert(key.clone());
		}
		self.delta.insert(key, value);
	}

	/// What this input changed against genesis: only real differences (a key written back to
	/// its genesis value, or deleted where genesis had nothing, is left out).
	pub fn delta(&self) -> Delta {
		self.delta
			.iter()
			.filter(|(k, v)| self.genesis.values.get(*k) != v.as_ref())
			.map(|(k, v)| (k.clone(), v.clone()))
			.collect()
	}

	fn get(&self, key: &[u8]) -> Option<&[u8]> {
		if let Some(reads) = self.recording.borrow_mut().as_mut() {
			reads.keys.push(key.to_vec());
		}
		match self.delta.get(key) {
			Some(changed) => changed.as_deref(),
			None => self.genesis.values.get(key).map(Vec::as_slice),
		}
	}

	/// The first key after `key` (or at it, when `inclusive`) that has a value.
	fn next_key(&self, key: &[u8], inclusive: bool) -> Option<Vec<u8>> {
		let genesis = &self.genesis.keys.0;
		let in_genesis = genesis
			.get(self.genesis.keys.from(key, inclusive)..)
			.unwrap_or_default()
			.iter()
			.find(|k| !matches!(self.delta.get(k.as_slice()), Some(None)));
		let in_delta = self
			.delta_keys
			.0
			.get(self.delta_keys.from(key, inclusive)..)
			.unwrap_or_default()
			.iter()
			.find(|k| matches!(self.delta.get(k.as_slice()), Some(Some(_))));
		let found = match (in_genesis, in_delta) {
			(Some(g), Some(d)) =>
				Some(if key_cmp(g, d) == Ordering::Less { g.clone() } else { d.clone() }),
			(g, d) => g.or(d).cloned(),
		};
		if let Some(reads) = self.recording.borrow_mut().as_mut() {
			reads.steps.push((key.to_vec(), inclusive, found.clone()));
		}
		found
	}
}

/// Iterates keys in order from a start key, within a prefix.
#[derive(Debug, Default)]
pub struct FastIter {
	cursor: Vec<u8>,
	inclusive: bool,
	prefix: Option<Vec<u8>>,
	done: bool,
}

impl FastIter {
	fn step(&mut self, backend: &FastBackend) -> Option<Vec<u8>> {
		if self.done {
			return None;
		}
		let next = backend.next_key(&self.cursor, self.inclusive);
		self.inclusive = false;
		match next {
			Some(key) if self.prefix.as_ref().is_none_or(|p| key.starts_with(p)) => {
				self.cursor.clone_from(&key);
				Some(key)
			},
			_ => {
				self.done = true;
				None
			},
		}
	}
}

impl StorageIterator<BlakeTwo256> for FastIter {
	type Backend = FastBackend;
	type Error = String;

	fn next_key(&mut self, backend: &FastBackend) -> Option<Result<Vec<u8>, String>> {
		self.step(backend).map(Ok)
	}

	fn next_pair(&mut self, backend: &FastBackend) -> Option<Result<(Vec<u8>, Vec<u8>), String>> {
		let key = self.step(backend)?;
		let value = backend.get(&key).map(<[u8]>::to_vec);
		Some(value.map(|v| (key, v)).ok_or_else(|| "a listed key has no value".into()))
	}

	fn was_complete(&self) -> bool {
		self.done
	}
}

impl Backend<BlakeTwo256> for FastBackend {
	type Error = String;
	type TrieBackendStorage = MemoryDB<BlakeTwo256>;
	type RawIter = FastIter;

	fn storage(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
		Ok(self.get(key).map(<[u8]>::to_vec))
	}

	fn storage_hash(&self, key: &[u8]) -> Result<Option<H256>, String> {
		Ok(self.get(key).map(BlakeTwo256::hash))
	}

	fn closest_merkle_value(&self, key: &[u8]) -> Result<Option<MerkleValue<H256>>, String> {
		Ok(self.storage_hash(key)?.map(MerkleValue::Hash))
	}

	fn child_closest_merkle_value(
		&self,
		_: &ChildInfo,
		_: &[u8],
	) -> Result<Option<MerkleValue<H256>>, String> {
		Ok(None)
	}

	fn child_storage(&self, _: &ChildInfo, _: &[u8]) -> Result<Option<Vec<u8>>, String> {
		Ok(None)
	}

	fn child_storage_hash(&self, _: &ChildInfo, _: &[u8]) -> Result<Option<H256>, String> {
		Ok(None)
	}

	fn next_storage_key(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
		Ok(self.next_key(key, false))
	}

	fn next_child_storage_key(&self, _: &ChildInfo, _: &[u8]) -> Result<Option<Vec<u8>>, String> {
		Ok(None)
	}

	fn storage_root<'a>(
		&self,
		_delta: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
		_: StateVersion,
	) -> (H256, BackendTransaction<BlakeTwo256>) {
		let n = self.roots.get().saturating_add(1);
		self.roots.set(n);
		(BlakeTwo256::hash(&n.to_le_bytes()), Default::default())
	}

	fn child_storage_root<'a>(
		&self,
		_: &ChildInfo,
		_delta: impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)>,
		_: StateVersion,
	) -> (H256, bool, BackendTransaction<BlakeTwo256>) {
		(
			sp_trie::empty_child_trie_root::<sp_trie::LayoutV1<BlakeTwo256>>(),
			true,
			Default::default(),
		)
	}

	fn raw_iter(&self, args: IterArgs) -> Result<FastIter, String> {
		if args.child_info.is_some() {
			return Ok(FastIter { done: true, ..Default::default() });
		}
		let prefix = args.prefix.map(<[u8]>::to_vec);
		// Start at `start_at` or at the prefix, whichever comes later.
		let (cursor, inclusive) = match (args.start_at, &prefix) {
			(Some(start), Some(p)) if start < p.as_slice() => (p.clone(), true),
			(Some(start), _) => (start.to_vec(), !args.start_at_exclusive),
			(None, Some(p)) => (p.clone(), true),
			(None, None) => (Vec::new(), true),
		};
		Ok(FastIter { cursor, inclusive, prefix, done: false })
	}

	fn register_overlay_stats(&self, _: &sp_state_machine::StateMachineStats) {}

	fn usage_info(&self) -> UsageInfo {
		UsageInfo::empty()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn backend() -> FastBackend {
		let genesis: State =
			[(b"a1".to_vec(), vec![1]), (b"a3".to_vec(), vec![3]), (b"b1".to_vec(), vec![4])]
				.into_iter()
				.collect();
		FastBackend::new(Arc::new(Genesis::new(genesis)))
	}

	fn args(
		prefix: Option<&'static [u8]>,
		start_at: Option<&'static [u8]>,
		exclusive: bool,
	) -> IterArgs<'static> {
		let mut args = IterArgs::default();
		args.prefix = prefix;
		args.start_at = start_at;
		args.start_at_exclusive = exclusive;
		args
	}

	fn keys(b: &FastBackend, args: IterArgs) -> Vec<Vec<u8>> {
		b.keys(args)
			.unwrap_or_else(|e| panic!("{e}"))
			.map(|k| k.unwrap_or_else(|e| panic!("{e}")))
			.collect()
	}

	#[test]
	fn reads_and_iterates_genesis_and_delta_in_order() {
		let mut b = backend();
		b.set(b"a2".to_vec(), Some(vec![2]));
		b.set(b"a3".to_vec(), None);
		assert_eq!(b.storage(b"a2"), Ok(Some(vec![2])));
		assert_eq!(b.storage(b"a3"), Ok(None));
		assert_eq!(b.next_storage_key(b"a1"), Ok(Some(b"a2".to_vec())));
		assert_eq!(b.next_storage_key(b"a2"), Ok(Some(b"b1".to_vec())));
		assert_eq!(keys(&b, args(Some(b"a"), None, false)), vec![b"a1".to_vec(), b"a2".to_vec()]);
		assert_eq!(keys(&b, args(None, Some(b"a2"), true)), vec![b"b1".to_vec()]);
		assert_eq!(keys(&b, args(Some(b"b"), Some(b"a"), false)), vec![b"b1".to_vec()]);
	}

	#[test]
	fn keys_order_as_byte_slices_do() {
		let keys: [&[u8]; 9] = [
			b"",
			b"a",
			b"ab",
			b"abcdefgh",
			b"abcdefgh\x00",
			b"abcdefgi",
			b"abcdefghabcdefgz",
			b"b",
			b"\xff",
		];
		for x in keys {
			for y in keys {
				assert_eq!(key_cmp(x, y), x.cmp(y), "{x:?} {y:?}");
			}
		}
	}

	#[test]
	fn a_read_set_changes_when_a_key_it_read_or_stepped_over_does() {
		let mut b = backend();
		b.record(true);
		let _ = b.storage(b"a1");
		let _ = b.next_storage_key(b"a1"); // finds a3
		let reads = b.record(false);
		assert_eq!(reads.len(), 2);
		b.set(b"b1".to_vec(), Some(vec![9])); // after the step's end: no change
		assert!(b.unchanged(&reads));
		b.set(b"a2".to_vec(), Some(vec![2])); // between a1 and a3: the step would find a2
		assert!(!b.unchanged(&reads));
		b.reset();
		b.set(b"a1".to_vec(), None);
		assert!(!b.unchanged(&reads));
	}

	#[test]
	fn delta_leaves_out_what_equals_genesis_and_reset_forgets_it() {
		let mut b = backend();
		b.set(b"a1".to_vec(), Some(vec![1]));
		b.set(b"zz".to_vec(), None);
		b.set(b"b1".to_vec(), Some(vec![5]));
		assert_eq!(b.delta(), [(b"b1".to_vec(), Some(vec![5]))].into_iter().collect());
		b.reset();
		assert_eq!(b.storage(b"b1"), Ok(Some(vec![4])));
		assert!(b.delta().is_empty());
	}
}
