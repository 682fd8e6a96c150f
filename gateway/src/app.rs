//! The gateway's shared state: the chain's views, the receipt store and its committer, the
//! providers' endpoints, the ledger of what requests in flight and unsettled receipts hold, and
//! the conversations pinned to capsules.

use crate::{
	chain::Chain,
	commit::Committer,
	config::Config,
	endpoints::Vault,
	errors::ApiError,
	metrics::Metrics,
	sticky::Sticky,
	store::{NewReceipt, Outcome, Store, Stored},
};
use std::{
	collections::{BTreeMap, HashMap},
	sync::{Arc, Mutex},
	time::{SystemTime, UNIX_EPOCH},
};
use tokio::sync::Notify;
use tokio_util::task::TaskTracker;

/// Money and units a request holds until its receipt is persisted.
#[derive(Default, Clone, Copy)]
pub struct Hold {
	pub money: u128,
	pub units: u64,
}

/// What the gateway has promised but the chain has not settled yet.
#[derive(Default)]
pub struct Ledger {
	/// session → seq → (expected charge, units) of persisted, unsettled receipts.
	pub pending: HashMap<u64, BTreeMap<u64, Hold>>,
	/// session → what requests in flight hold.
	pub held: HashMap<u64, Hold>,
	/// session → its seeker (the chain's rate limit is per account, across sessions).
	pub seekers: HashMap<u64, [u8; 32]>,
	/// capsule → (window index, units served in it).
	pub capsule_use: HashMap<u64, (u64, u64)>,
	/// capsule → requests in flight.
	pub inflight: HashMap<u64, u32>,
}

impl Ledger {
	/// Drops what is kept about a session with nothing pending or held (the ledger stays
	/// bounded by the sessions in use).
	pub fn forget_if_idle(&mut self, session: u64) {
		if !self.pending.contains_key(&session) && !self.held.contains_key(&session) {
			self.seekers.remove(&session);
		}
	}
}

/// Health-probe results of a capsule since the last uptime report.
#[derive(Default, Clone, Copy, Debug)]
pub struct Probes {
	pub ok: u32,
	pub total: u32,
	pub last_ok: bool,
}

/// The gateway's shared state.
pub struct App {
	pub config: Config,
	pub chain: Arc<Chain>,
	pub store: Store,
	/// Persists receipts, those of concurrent requests in one commit.
	pub receipts: Committer,
	pub vault: Vault,
	pub metrics: Metrics,
	pub http: reqwest::Client,
	/// Wakes the poster when a receipt is persisted.
	pub submit: Notify,
	/// Wakes the poster at each new best block.
	pub blocks: Notify,
	pub ledger: Mutex<Ledger>,
	pub probes: Mutex<HashMap<u64, Probes>>,
	/// Conversations pinned to the capsule that served them.
	pub sticky: Sticky,
	/// Streams still copying from an upstream (a graceful shutdown waits for them).
	pub streams: TaskTracker,
	/// The operator's nonces (several transactions in flight).
	pub nonces: crate::settle::Nonces,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
	SystemTime::now()
		.duration_since(UNIX_EPOCH)
		.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
		.unwrap_or(0)
}

/// Locks `m`, also after a panic elsewhere.
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
	m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The units of a receipt the chain counts against the tier's rate limit and the capsule's
/// capacity: input, output and cache writes (cache reads are not counted).
pub fn metered_units(r: &Stored) -> u64 {
	r.input_units.saturating_add(r.output_units).saturating_add(r.cache_write_units)
}

/// Capsule usage windows are counted by the hour; a capsule's window length scales its capacity.
fn window_of(r: &Stored) -> u64 {
	r.timestamp / 3_600_000
}

impl App {
	/// Rebuilds the in-memory ledger from the store's pending receipts (after a restart).
	pub fn load_ledger(&self) -> Result<(), crate::store::StoreError> {
		let pending = self.store.pending_all()?;
		let mut ledger = lock(&self.ledger);
		for r in &pending {
			ledger.seekers.insert(r.session, r.raw_seeker());
			ledger
				.pending
				.entry(r.session)
				.or_default()
				.insert(r.seq, Hold { money: r.estimate(), units: metered_units(r) });
		}
		self.metrics.pending.set(i64::try_from(pending.len()).unwrap_or(i64::MAX));
		Ok(())
	}

	/// Forgets receipts the chain has ruled on.
	pub fn settled(&self, ruled: &[Stored]) {
		let mut ledger = lock(&self.ledger);
		for r in ruled {
			if let Some(s) = ledger.pending.get_mut(&r.session) {
				s.remove(&r.seq);
				if s.is_empty() {
					ledger.pending.remove(&r.session);
				}
			}
			ledger.forget_if_idle(r.session);
		}
	}

	/// Persists a receipt (durably), then accounts for it.
	pub async fn persist(self: &Arc<Self>, new: NewReceipt) -> Result<Stored, ApiError> {
		let stored = self.receipts.record(new).await.map_err(|e| {
			tracing::error!(target: "gateway", "cannot persist a receipt: {e}");
			ApiError::internal("the receipt store failed; the request was not charged")
		})?;
		{
			let mut ledger = lock(&self.ledger);
			ledger.seekers.insert(stored.session, stored.raw_seeker());
			ledger.pending.entry(stored.session).or_default().insert(
				stored.seq,
				Hold { money: stored.estimate(), units: metered_units(&stored) },
			);
			if stored.outcome == Outcome::Served {
				let w = window_of(&stored);
				let e = ledger.capsule_use.entry(stored.capsule).or_insert((w, 0));
				if e.0 != w {
					*e = (w, 0);
				}
				e.1 = e.1.saturating_add(metered_units(&stored));
			}
		}
		let state = match stored.outcome {
			Outcome::Served => "served",
			Outcome::Failed => "failed",
		};
		self.metrics.receipts.with_label_values(&[state]).inc();
		self.metrics.pending.inc();
		self.submit.notify_one();
		Ok(stored)
	}
}
