//! The gateway's durable state, in one embedded redb database (`<data_dir>/gateway.redb`).
//!
//! Every receipt is committed (fsync, `Durability::Immediate`) before the response that it
//! meters completes, together with the session's next sequence number, so that a crash at any
//! point loses no receipt and never reuses a sequence number. Receipts of concurrent requests
//! are committed together, one transaction and one fsync per group ([`crate::commit`]). The
//! submitter reads the pending receipts in `(session, seq)` order (the order the chain accepts them
//! in) and marks each with the chain's verdict.

use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, path::Path, sync::Arc};

/// id → receipt (JSON).
const RECEIPTS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("receipts");
/// (session, seq) → id, for every receipt.
const BY_SEQ: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("by_seq");
/// (session, seq) → id, for receipts not settled yet.
const PENDING: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("pending");
/// session → the last sequence number given out.
const SEQS: TableDefinition<u64, u64> = TableDefinition::new("seqs");
/// capsule → nonce ‖ encrypted endpoint.
const ENDPOINTS: TableDefinition<u64, &[u8]> = TableDefinition::new("endpoints");
/// Posted batches not yet seen in a finalized block: post number → [`Posted`] (JSON).
const POSTED: TableDefinition<u64, &[u8]> = TableDefinition::new("posted");
/// Which chain and gateway this database belongs to, the finalized block followed to, and
/// counters.
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// The `META` key of the last finalized block whose verdicts are recorded (u64 LE).
const FOLLOWED: &str = "followed";
const COUNTS: TableDefinition<&str, u64> = TableDefinition::new("counts");

/// A receipt id: 16 random bytes.
pub type ReceiptId = [u8; 16];

/// What the request came to.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Outcome {
	/// Served and charged.
	Served,
	/// The upstream failed: charges nothing, counts against the capsule's trust.
	Failed,
}

/// Where a receipt is in its life.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum State {
	/// Persisted, not settled yet.
	Pending,
	/// Charged on chain, `net` in the session's asset.
	Settled { net: String, block: String },
	/// Recorded on chain without a charge (a failed outcome).
	Recorded { block: String },
	/// Refused by the chain (a receipt rejected in its batch, or its group refused for good):
	/// final.
	Rejected { reason: String, block: String },
	/// Judged on chain (its session's finalized `last_seq` passed it) in a block whose verdict
	/// this gateway could not read (the node no longer had that block's state): final, its
	/// verdict is on chain only.
	Judged { block: String },
}

impl State {
	/// The state's name, as the metrics and counters label it.
	pub fn label(&self) -> &'static str {
		match self {
			State::Pending => "pending",
			State::Settled { .. } => "settled",
			State::Recorded { .. } => "recorded",
			State::Rejected { .. } => "rejected",
			State::Judged { .. } => "judged",
		}
	}
}

/// A receipt as the gateway keeps it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stored {
	/// 0x-hex of the 16-byte id.
	pub id: String,
	/// 0x-hex of the seeker's account.
	pub seeker: String,
	pub session: u64,
	pub seq: u64,
	pub capsule: u64,
	pub input_units: u64,
	pub output_units: u64,
	/// Input units read from the upstream's prompt cache (0 in receipts stored before cache
	/// units were metered).
	#[serde(default)]
	pub cache_read_units: u64,
	/// Input units written to the upstream's prompt cache.
	#[serde(default)]
	pub cache_write_units: u64,
	pub outcome: Outcome,
	/// Gateway time, ms since the Unix epoch.
	pub timestamp: u64,
	/// The charge expected (from the runtime's quote), in the session's asset; 0 for failures.
	pub estimate: String,
	#[serde(flatten)]
	pub state: State,
	/// Once judged in a batch: its leaf and the proof against the batch's commitment, with
	/// which the seeker can dispute it.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub evidence: Option<Evidence>,
}

/// A judged receipt's place in its batch's commitment (see `docs/token-model.md`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
	/// The chain's batch id (`metering.commitments`).
	pub batch: u64,
	/// The leaf, SCALE-encoded (0x-hex), as `dispute_receipt` takes it.
	pub leaf: String,
	/// The proof, SCALE-encoded (0x-hex), as `dispute_receipt` takes it.
	pub proof: String,
}

/// A batch the poster has signed and posted (or is about to), kept until the follower sees it in
/// a finalized block or it can no longer be included.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Posted {
	/// The operator nonce it was posted with.
	pub nonce: u64,
	/// The last block it can be included in (its mortal era's end).
	pub valid_until: u64,
	/// Each group: `(session, first seq, last seq)`.
	pub ranges: Vec<(u64, u64, u64)>,
}

impl Stored {
	/// The raw id.
	pub fn raw_id(&self) -> ReceiptId {
		let mut id = [0u8; 16];
		if let Ok(bytes) = hex::decode(self.id.trim_start_matches("0x")) {
			if bytes.len() == 16 {
				id.copy_from_slice(&bytes);
			}
		}
		id
	}

	/// The seeker's raw account id.
	pub fn raw_seeker(&self) -> [u8; 32] {
		let mut a = [0u8; 32];
		if let Ok(bytes) = hex::decode(self.seeker.trim_start_matches("0x")) {
			if bytes.len() == 32 {
				a.copy_from_slice(&bytes);
			}
		}
		a
	}

	/// The expected charge as a number.
	pub fn estimate(&self) -> u128 {
		self.estimate.parse().unwrap_or(0)
	}
}

/// A receipt to persist; the store gives it its sequence number.
#[derive(Clone)]
pub struct NewReceipt {
	pub id: ReceiptId,
	pub seeker: [u8; 32],
	pub session: u64,
	pub capsule: u64,
	pub input_units: u64,
	pub output_units: u64,
	pub cache_read_units: u64,
	pub cache_write_units: u64,
	pub outcome: Outcome,
	pub timestamp: u64,
	pub estimate: u128,
	/// The session's `last_seq` on chain: the number given out is above it.
	pub chain_last_seq: u64,
}

#[cfg(test)]
impl NewReceipt {
	/// A served receipt of `session`, 10 input and 20 output units, for the tests.
	pub(crate) fn for_test(id: ReceiptId, session: u64, chain_last_seq: u64) -> Self {
		Self {
			id,
			seeker: [1; 32],
			session,
			capsule: 1,
			input_units: 10,
			output_units: 20,
			cache_read_units: 0,
			cache_write_units: 0,
			outcome: Outcome::Served,
			timestamp: 1_000,
			estimate: 42,
			chain_last_seq,
		}
	}
}

/// The database failed; named for the logs and `/health`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	#[error("database: {0}")]
	Db(String),
	#[error("this database belongs to {0}; refusing to mix chains or gateways")]
	Foreign(String),
	#[error("a stored receipt is corrupt: {0}")]
	Corrupt(String),
	#[error("session {0} has used up its sequence numbers")]
	SequenceExhausted(u64),
}

macro_rules! db_err {
	($($t:ty),*) => {$(
		impl From<$t> for StoreError {
			fn from(e: $t) -> Self {
				StoreError::Db(e.to_string())
			}
		}
	)*};
}
db_err!(
	redb::DatabaseError,
	redb::TransactionError,
	redb::TableError,
	redb::StorageError,
	redb::CommitError
);

/// The store; cheap to clone.
#[derive(Clone)]
pub struct Store {
	db: Arc<Database>,
}

fn encode(r: &Stored) -> Result<Vec<u8>, StoreError> {
	serde_json::to_vec(r).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode(bytes: &[u8]) -> Result<Stored, StoreError> {
	serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn bump(t: &mut redb::Table<&str, u64>, key: &str, by: u64) -> Result<(), StoreError> {
	let now = t.get(key)?.map(|v| v.value()).unwrap_or(0);
	t.insert(key, now.saturating_add(by))?;
	Ok(())
}

impl Store {
	/// Opens (or creates) the database at `path` for the chain `genesis` and gateway `gateway`.
	pub fn open(path: &Path, genesis: &str, gateway: u32) -> Result<Self, StoreError> {
		let db = Database::create(path)?;
		let owner = format!("{genesis}/{gateway}");
		let tx = db.begin_write()?;
		{
			let mut meta = tx.open_table(META)?;
			let found = meta.get("owner")?.map(|v| v.value().to_vec());
			match found {
				Some(o) if o != owner.as_bytes() =>
					return Err(StoreError::Foreign(String::from_utf8_lossy(&o).into_owned())),
				Some(_) => {},
				None => {
					meta.insert("owner", owner.as_bytes())?;
				},
			}
			// Create every table so that readers never meet a missing one.
			tx.open_table(RECEIPTS)?;
			tx.open_table(BY_SEQ)?;
			tx.open_table(PENDING)?;
			tx.open_table(SEQS)?;
			tx.open_table(ENDPOINTS)?;
			tx.open_table(COUNTS)?;
			tx.open_table(POSTED)?;
		}
		tx.commit()?;
		Ok(Self { db: Arc::new(db) })
	}

	/// Persists a receipt durably with the session's next sequence number.
	pub fn record(&self, new: NewReceipt) -> Result<Stored, StoreError> {
		let mut stored = self.record_all(vec![new])?;
		stored.pop().ok_or_else(|| StoreError::Db("a receipt was not recorded".into()))
	}

	/// Persists receipts durably in one write transaction (one fsync), in order, each with its
	/// session's next sequence number (consecutive numbers for receipts of one session). Either
	/// every receipt is durable or none is.
	pub fn record_all(&self, news: Vec<NewReceipt>) -> Result<Vec<Stored>, StoreError> {
		let mut tx = self.db.begin_write()?;
		// Fsync'd at commit (redb's default, stated here because the API's promise rests on it).
		tx.set_durability(redb::Durability::Immediate);
		let mut out = Vec::with_capacity(news.len());
		{
			let mut seqs = tx.open_table(SEQS)?;
			let mut receipts = tx.open_table(RECEIPTS)?;
			let mut by_seq = tx.open_table(BY_SEQ)?;
			let mut pending = tx.open_table(PENDING)?;
			let (mut served, mut failed) = (0u64, 0u64);
			for new in news {
				let last = seqs.get(new.session)?.map(|v| v.value()).unwrap_or(0);
				let seq = last
					.max(new.chain_last_seq)
					.checked_add(1)
					.ok_or(StoreError::SequenceExhausted(new.session))?;
				seqs.insert(new.session, seq)?;
				let stored = Stored {
					id: format!("0x{}", hex::encode(new.id)),
					seeker: format!("0x{}", hex::encode(new.seeker)),
					session: new.session,
					seq,
					capsule: new.capsule,
					input_units: new.input_units,
					output_units: new.output_units,
					cache_read_units: new.cache_read_units,
					cache_write_units: new.cache_write_units,
					outcome: new.outcome,
					timestamp: new.timestamp,
					estimate: new.estimate.to_string(),
					state: State::Pending,
					evidence: None,
				};
				receipts.insert(&new.id[..], encode(&stored)?.as_slice())?;
				by_seq.insert((new.session, seq), &new.id[..])?;
				pending.insert((new.session, seq), &new.id[..])?;
				match new.outcome {
					Outcome::Served => served = served.saturating_add(1),
					Outcome::Failed => failed = failed.saturating_add(1),
				}
				out.push(stored);
			}
			let mut counts = tx.open_table(COUNTS)?;
			for (key, n) in [("served", served), ("failed", failed)] {
				if n > 0 {
					bump(&mut counts, key, n)?;
				}
			}
		}
		tx.commit()?;
		Ok(out)
	}

	fn read(&self, ids: impl IntoIterator<Item = Vec<u8>>) -> Result<Vec<Stored>, StoreError> {
		let tx = self.db.begin_read()?;
		let receipts = tx.open_table(RECEIPTS)?;
		let mut out = Vec::new();
		for id in ids {
			if let Some(v) = receipts.get(id.as_slice())? {
				out.push(decode(v.value())?);
			}
		}
		Ok(out)
	}

	/// Up to `limit` pending receipts in `(session, seq)` order.
	pub fn pending(&self, limit: usize) -> Result<Vec<Stored>, StoreError> {
		let ids: Vec<Vec<u8>> = {
			let tx = self.db.begin_read()?;
			let pending = tx.open_table(PENDING)?;
			let mut ids = Vec::new();
			for item in pending.iter()?.take(limit) {
				ids.push(item?.1.value().to_vec());
			}
			ids
		};
		self.read(ids)
	}

	/// Up to `limit` pending receipts in `(session, seq)` order, leaving out those `skip` names
	/// (already posted), before reading any record.
	pub fn pending_where(
		&self,
		skip: impl Fn(u64, u64) -> bool,
		limit: usize,
	) -> Result<Vec<Stored>, StoreError> {
		let ids: Vec<Vec<u8>> = {
			let tx = self.db.begin_read()?;
			let pending = tx.open_table(PENDING)?;
			let mut ids = Vec::new();
			for item in pending.iter()? {
				let (key, id) = item?;
				let (session, seq) = key.value();
				if skip(session, seq) {
					continue;
				}
				ids.push(id.value().to_vec());
				if ids.len() >= limit {
					break;
				}
			}
			ids
		};
		self.read(ids)
	}

	/// The pending receipts among `keys` (`(session, seq)`), in one read.
	pub fn pending_of(&self, keys: &[(u64, u64)]) -> Result<Vec<Stored>, StoreError> {
		let ids: Vec<Vec<u8>> = {
			let tx = self.db.begin_read()?;
			let pending = tx.open_table(PENDING)?;
			let mut ids = Vec::new();
			for key in keys {
				if let Some(id) = pending.get(*key)? {
					ids.push(id.value().to_vec());
				}
			}
			ids
		};
		self.read(ids)
	}

	/// Every pending receipt of each session (for the in-memory budget after a restart).
	pub fn pending_all(&self) -> Result<Vec<Stored>, StoreError> {
		self.pending(usize::MAX)
	}

	/// Receipts of `session` from `from_seq` on, at most `limit`.
	pub fn session_receipts(
		&self,
		session: u64,
		from_seq: u64,
		limit: usize,
	) -> Result<Vec<Stored>, StoreError> {
		let ids: Vec<Vec<u8>> = {
			let tx = self.db.begin_read()?;
			let by_seq = tx.open_table(BY_SEQ)?;
			let mut ids = Vec::new();
			for item in by_seq.range((session, from_seq)..=(session, u64::MAX))?.take(limit) {
				ids.push(item?.1.value().to_vec());
			}
			ids
		};
		self.read(ids)
	}

	/// Records the chain's verdicts: each receipt leaves the pending set. Returns the receipts
	/// ruled now (those that were still pending), with their verdicts.
	pub fn finish(&self, verdicts: &[(Stored, State)]) -> Result<Vec<Stored>, StoreError> {
		self.finish_block(verdicts, &[], None)
	}

	/// Records the verdicts found in a finalized block, forgets the posted batches `seen` (found
	/// in it, or expired), and, with `followed`, that every block up to it has been followed: all
	/// in one transaction, so a crash never records a block's verdicts without its number or
	/// the other way round. Returns the receipts ruled now, with their verdicts.
	pub fn finish_block(
		&self,
		verdicts: &[(Stored, State)],
		seen: &[u64],
		followed: Option<u64>,
	) -> Result<Vec<Stored>, StoreError> {
		let mut ruled = Vec::new();
		let mut tx = self.db.begin_write()?;
		tx.set_durability(redb::Durability::Immediate);
		{
			let mut posted = tx.open_table(POSTED)?;
			for id in seen {
				posted.remove(id)?;
			}
			if let Some(n) = followed {
				tx.open_table(META)?.insert(FOLLOWED, &n.to_le_bytes()[..])?;
			}
		}
		{
			let mut receipts = tx.open_table(RECEIPTS)?;
			let mut pending = tx.open_table(PENDING)?;
			let mut counts = tx.open_table(COUNTS)?;
			for (r, state) in verdicts {
				if *state == State::Pending {
					continue;
				}
				// A receipt is ruled once: a verdict found again (a block followed twice, a
				// reconcile meeting the follower) changes nothing.
				if pending.remove((r.session, r.seq))?.is_none() {
					continue;
				}
				let mut r = r.clone();
				r.state = state.clone();
				receipts.insert(&r.raw_id()[..], encode(&r)?.as_slice())?;
				bump(&mut counts, state.label(), 1)?;
				ruled.push(r);
			}
		}
		tx.commit()?;
		Ok(ruled)
	}

	/// Counters (`served`, `failed`, `settled`, `recorded`, `rejected`, `judged`) and the pending
	/// count.
	pub fn counts(&self) -> Result<BTreeMap<String, u64>, StoreError> {
		let tx = self.db.begin_read()?;
		let mut out = BTreeMap::new();
		for item in tx.open_table(COUNTS)?.iter()? {
			let (k, v) = item?;
			out.insert(k.value().to_string(), v.value());
		}
		out.insert("pending".into(), tx.open_table(PENDING)?.len()?);
		Ok(out)
	}

	/// Deletes finished receipts older than `before_ms` (at most `limit` per call).
	pub fn prune(&self, before_ms: u64, limit: usize) -> Result<usize, StoreError> {
		let old: Vec<Stored> = {
			let tx = self.db.begin_read()?;
			let receipts = tx.open_table(RECEIPTS)?;
			let mut old = Vec::new();
			for item in receipts.iter()? {
				let r = decode(item?.1.value())?;
				if r.state != State::Pending && r.timestamp < before_ms {
					old.push(r);
					if old.len() >= limit {
						break;
					}
				}
			}
			old
		};
		if old.is_empty() {
			return Ok(0);
		}
		let tx = self.db.begin_write()?;
		{
			let mut receipts = tx.open_table(RECEIPTS)?;
			let mut by_seq = tx.open_table(BY_SEQ)?;
			for r in &old {
				receipts.remove(&r.raw_id()[..])?;
				by_seq.remove((r.session, r.seq))?;
			}
		}
		tx.commit()?;
		Ok(old.len())
	}

	/// Records a batch about to be posted; returns its post number.
	pub fn post(&self, posted: &Posted) -> Result<u64, StoreError> {
		let mut tx = self.db.begin_write()?;
		tx.set_durability(redb::Durability::Immediate);
		let id = {
			let mut table = tx.open_table(POSTED)?;
			let id = table.last()?.map(|(k, _)| k.value().saturating_add(1)).unwrap_or(0);
			let bytes =
				serde_json::to_vec(posted).map_err(|e| StoreError::Corrupt(e.to_string()))?;
			table.insert(id, bytes.as_slice())?;
			id
		};
		tx.commit()?;
		Ok(id)
	}

	/// Every posted batch not yet seen in a finalized block, by post number.
	pub fn posted(&self) -> Result<Vec<(u64, Posted)>, StoreError> {
		let tx = self.db.begin_read()?;
		let mut out = Vec::new();
		for item in tx.open_table(POSTED)?.iter()? {
			let (k, v) = item?;
			let p = serde_json::from_slice(v.value())
				.map_err(|e| StoreError::Corrupt(e.to_string()))?;
			out.push((k.value(), p));
		}
		Ok(out)
	}

	/// The last finalized block whose verdicts are recorded.
	pub fn followed(&self) -> Result<Option<u64>, StoreError> {
		let tx = self.db.begin_read()?;
		let meta = tx.open_table(META)?;
		let n = meta.get(FOLLOWED)?.and_then(|v| <[u8; 8]>::try_from(v.value()).ok());
		Ok(n.map(u64::from_le_bytes))
	}

	/// Stores a capsule's sealed endpoint.
	pub fn put_endpoint(&self, capsule: u64, sealed: &[u8]) -> Result<(), StoreError> {
		let tx = self.db.begin_write()?;
		tx.open_table(ENDPOINTS)?.insert(capsule, sealed)?;
		tx.commit()?;
		Ok(())
	}

	/// Every sealed endpoint.
	pub fn endpoints(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
		let tx = self.db.begin_read()?;
		let mut out = Vec::new();
		for item in tx.open_table(ENDPOINTS)?.iter()? {
			let (k, v) = item?;
			out.push((k.value(), v.value().to_vec()));
		}
		Ok(out)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn new(id: u8, session: u64, chain_last_seq: u64) -> NewReceipt {
		NewReceipt::for_test([id; 16], session, chain_last_seq)
	}

	#[test]
	fn sequences_survive_reopening_and_pending_is_ordered() {
		let dir = std::env::temp_dir().join(format!("nexus-gw-store-{}", std::process::id()));
		let _ = std::fs::remove_file(&dir);
		let store = Store::open(&dir, "0xgen", 0).unwrap();
		assert_eq!(store.record(new(1, 7, 0)).unwrap().seq, 1);
		assert_eq!(store.record(new(2, 5, 3)).unwrap().seq, 4);
		assert_eq!(store.record(new(3, 7, 0)).unwrap().seq, 2);
		drop(store);
		assert!(matches!(Store::open(&dir, "0xother", 0), Err(StoreError::Foreign(_))));
		let store = Store::open(&dir, "0xgen", 0).unwrap();
		// The chain moved past what this database knew: numbering continues above it.
		assert_eq!(store.record(new(4, 7, 9)).unwrap().seq, 10);
		let pending = store.pending(10).unwrap();
		let order: Vec<(u64, u64)> = pending.iter().map(|r| (r.session, r.seq)).collect();
		assert_eq!(order, vec![(5, 4), (7, 1), (7, 2), (7, 10)]);
		let settled = State::Settled { net: "42".into(), block: "0xb".into() };
		store.finish(&[(pending[0].clone(), settled.clone())]).unwrap();
		assert_eq!(store.pending(10).unwrap().len(), 3);
		let counts = store.counts().unwrap();
		assert_eq!((counts["served"], counts["settled"], counts["pending"]), (4, 1, 3));
		let s5 = store.session_receipts(5, 0, 10).unwrap();
		assert_eq!(s5[0].state, settled);
		assert_eq!(s5[0].raw_id(), [2; 16]);
		assert_eq!(store.prune(2_000, 10).unwrap(), 1);
		assert!(store.session_receipts(5, 0, 10).unwrap().is_empty());
		let _ = std::fs::remove_file(&dir);
	}

	#[test]
	fn a_block_is_recorded_once_with_its_number_and_posted_batches() {
		let dir = std::env::temp_dir().join(format!("nexus-gw-store-b-{}", std::process::id()));
		let _ = std::fs::remove_file(&dir);
		let store = Store::open(&dir, "0xgen", 0).unwrap();
		let a = store.record(new(1, 7, 0)).unwrap();
		let b = store.record(new(2, 7, 0)).unwrap();
		let posted = Posted { nonce: 4, valid_until: 70, ranges: vec![(7, 1, 2)] };
		let first = store.post(&posted).unwrap();
		let second = store.post(&Posted { nonce: 5, ..posted.clone() }).unwrap();
		assert_eq!(
			store.posted().unwrap(),
			vec![(first, posted.clone()), (second, Posted { nonce: 5, ..posted })]
		);
		assert_eq!(store.followed().unwrap(), None);
		// Only pending receipts are looked up.
		assert_eq!(store.pending_of(&[(7, 2), (7, 9), (8, 1)]).unwrap(), vec![b.clone()]);
		let settled = State::Settled { net: "5".into(), block: "0xb".into() };
		let ruled =
			store.finish_block(&[(a.clone(), settled.clone())], &[first], Some(12)).unwrap();
		assert_eq!(ruled.len(), 1);
		assert_eq!((store.followed().unwrap(), store.posted().unwrap().len()), (Some(12), 1));
		// The same verdict again (a block followed twice) changes nothing and counts nothing.
		let again = store.finish_block(&[(a.clone(), settled)], &[], Some(13)).unwrap();
		assert!(again.is_empty());
		let counts = store.counts().unwrap();
		assert_eq!((counts["settled"], counts["pending"]), (1, 1));
		assert_eq!(store.followed().unwrap(), Some(13));
		// Pending receipts skip what was posted, before reading any record.
		let unposted = store.pending_where(|session, seq| session == 7 && seq < 2, 10).unwrap();
		assert_eq!(unposted, vec![b]);
		let _ = std::fs::remove_file(&dir);
	}
}
