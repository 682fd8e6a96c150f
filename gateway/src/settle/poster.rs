//! The poster: builds batches from the pending receipts and keeps up to `max_in_flight`
//! transactions in flight, one `metering.submit_batch` each.
//!
//! It posts when a full batch is waiting, or once per new best block whatever is waiting (so
//! that at least one batch goes into every block while receipts wait). Each batch is recorded
//! durably (`Store::post`) before it is sent; its nonce comes from [`Nonces`]. A transaction
//! that fails resyncs the nonces and sends its sessions back to their first number in it. The
//! verdicts come from the [follower](super::follower).

use super::{
	batch::{self, Limits, Planned},
	follower, Cursors,
};
use crate::{
	app::App,
	store::{Posted, State},
};
use nexus_client::{receipts, runtime, Progress, MORTALITY};
use std::{collections::BTreeMap, sync::Arc, time::Duration};
use subxt::utils::{AccountId32, Static};
use subxt_signer::sr25519::Keypair;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// How long a batch transaction may take from posting to finality before it counts as failed.
const SUBMIT_PATIENCE: Duration = Duration::from_secs(120);

/// The keys the gateway signs with.
pub struct Keys {
	/// Signs the transactions (`submit_batch`, `report_uptime`).
	pub operator: Keypair,
	/// Signs receipt batches (the key registered for the gateway).
	pub signing: Keypair,
}

impl Keys {
	/// The operator's account.
	pub fn operator_account(&self) -> AccountId32 {
		nexus_client::account_of(&self.operator)
	}
}

async fn blocking<T: Send + 'static>(
	f: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, String> {
	tokio::task::spawn_blocking(f)
		.await
		.map_err(|e| e.to_string())?
		.map_err(|e| e.to_string())
}

/// The runtime's bounds on a batch, the receipts capped by `batch_receipts` when it is set.
async fn limits(app: &App) -> Result<Limits, String> {
	let at = app.chain.client.api().at_current_block().await.map_err(|e| e.to_string())?;
	let constants = at.constants();
	let m = runtime::constants().metering();
	let get = |r: Result<u32, _>| r.map_err(|e: subxt::error::ConstantError| e.to_string());
	let receipts = get(constants.entry(m.max_batch_receipts()))?;
	let configured = app.config.batch_receipts;
	Ok(Limits {
		receipts: if configured == 0 { receipts } else { receipts.min(configured) },
		sessions: get(constants.entry(m.max_batch_sessions()))?,
		capsules: get(constants.entry(m.max_batch_capsules()))?,
		per_group: get(constants.entry(m.max_group_receipts()))?,
	})
}

/// Runs until `stop` is cancelled and nothing is pending (or `grace` after the cancel).
pub async fn run(
	app: Arc<App>,
	keys: Keys,
	cursors: Arc<Cursors>,
	stop: CancellationToken,
	grace: Duration,
) {
	let keys = Arc::new(keys);
	let mut backoff = Duration::from_secs(1);
	let limits = loop {
		match limits(&app).await {
			Ok(l) => break l,
			Err(e) => {
				tracing::warn!(target: "gateway::poster", "cannot read the batch bounds (retrying in {backoff:?}): {e}");
				if stop.is_cancelled() {
					return;
				}
				pause(&stop, backoff, None).await;
				backoff = (backoff * 2).min(Duration::from_secs(60));
			},
		}
	};
	resume(&app, &cursors).await;
	let max_in_flight = app.config.max_in_flight as usize;
	let permits = Arc::new(Semaphore::new(max_in_flight));
	let interval = Duration::from_millis(app.config.batch_interval_ms);
	let mut posted_at: Option<u64> = None;
	let mut deadline: Option<tokio::time::Instant> = None;
	loop {
		if stop.is_cancelled() && deadline.is_none() {
			deadline = Some(tokio::time::Instant::now() + grace);
		}
		if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
			tracing::warn!(target: "gateway::poster", "shutdown grace over; pending receipts stay in the store for the next start");
			return;
		}
		let permit = tokio::select! {
			p = permits.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
			_ = pause(&stop, interval, deadline) => continue,
		};
		let planned = match next_batch(&app, &cursors, limits).await {
			Ok(p) => p,
			Err(e) => {
				tracing::warn!(target: "gateway::poster", "cannot build a batch (retrying in {backoff:?}): {e}");
				drop(permit);
				pause(&stop, backoff, deadline).await;
				backoff = (backoff * 2).min(Duration::from_secs(60));
				continue;
			},
		};
		backoff = Duration::from_secs(1);
		let Some(planned) = planned else {
			drop(permit);
			let idle = permits.available_permits() == max_in_flight;
			if stop.is_cancelled() && idle && pending_count(&app) == 0 {
				return;
			}
			if idle {
				// Nothing posted is in flight: forget the sessions with nothing pending (the
				// cursors stay bounded by the sessions in use).
				let store = app.store.clone();
				if let Ok(pending) = blocking(move || store.pending_all()).await {
					let live: std::collections::HashSet<u64> =
						pending.iter().map(|r| r.session).collect();
					cursors.retain(|s| live.contains(&s));
				}
			}
			tokio::select! {
				_ = app.submit.notified() => {},
				_ = app.blocks.notified() => {},
				_ = pause(&stop, Duration::from_secs(30), deadline) => {},
			}
			continue;
		};
		let best = app.chain.best();
		// Full: no bound of the batch leaves room for more.
		let full = planned.receipts.len() >= limits.receipts as usize ||
			planned.ranges.len() >= limits.sessions as usize ||
			planned.batch.capsules.len() >= limits.capsules as usize;
		if !full && posted_at == Some(best) && !stop.is_cancelled() {
			// This block has its batch: wait for the next block, or for a full batch.
			drop(permit);
			tokio::select! {
				_ = app.blocks.notified() => {},
				_ = pause(&stop, interval, deadline) => {},
			}
			continue;
		}
		if post(&app, &keys, &cursors, planned, permit, best).await {
			posted_at = Some(best);
		} else {
			pause(&stop, backoff, deadline).await;
			backoff = (backoff * 2).min(Duration::from_secs(60));
		}
	}
}

fn pending_count(app: &App) -> u64 {
	app.store.counts().map(|c| c.get("pending").copied().unwrap_or(0)).unwrap_or(0)
}

/// After a start: the sessions of posted batches that can still be included continue after
/// them.
async fn resume(app: &App, cursors: &Cursors) {
	let store = app.store.clone();
	match blocking(move || store.posted()).await {
		Ok(posted) =>
			for (_, p) in posted {
				if p.valid_until >= app.chain.best() {
					for (session, _, last) in p.ranges {
						cursors.advance(session, last);
					}
				}
			},
		Err(e) => tracing::warn!(target: "gateway::poster", "cannot read the posted batches: {e}"),
	}
}

/// The next batch to post, learning from the chain the next number of each session it does
/// not know yet (or whose pending receipts do not continue from the number it has).
async fn next_batch(
	app: &App,
	cursors: &Cursors,
	limits: Limits,
) -> Result<Option<Planned>, String> {
	let known = cursors.snapshot();
	let store = app.store.clone();
	let pending = blocking(move || {
		store.pending_where(
			move |session, seq| known.get(&session).is_some_and(|next| seq < *next),
			limits.receipts as usize,
		)
	})
	.await?;
	// Each session's first pending receipt not posted yet.
	let mut first: BTreeMap<u64, u64> = BTreeMap::new();
	for r in &pending {
		first.entry(r.session).or_insert(r.seq);
	}
	let unknown: Vec<(u64, u64)> = first
		.iter()
		.filter(|(s, seq)| cursors.get(**s).is_none_or(|next| **seq > next))
		.map(|(s, seq)| (*s, *seq))
		.collect();
	if !unknown.is_empty() {
		learn(app, cursors, &unknown).await?;
	}
	Ok(batch::plan(app.chain.gateway, &pending, |s| cursors.get(s), limits))
}

/// Learns the next number of each of `sessions` (`(session, first pending seq)`) from the
/// finalized chain: its `last_seq + 1`. Pending receipts at or below `last_seq` were judged
/// on chain; if the follower has passed that block without their verdict, it could not read
/// it: they are marked judged (the chain keeps no record per receipt).
async fn learn(app: &App, cursors: &Cursors, sessions: &[(u64, u64)]) -> Result<(), String> {
	let at = app.chain.client.api().at_current_block().await.map_err(|e| e.to_string())?;
	let number = at.block_number();
	let block = format!("{:?}", at.block_hash());
	let store = app.store.clone();
	let followed = blocking(move || store.followed()).await?;
	let mut unseen: Vec<(u64, u64, u64)> = Vec::new();
	for (session, first) in sessions {
		let found = at
			.storage()
			.try_fetch(runtime::storage().metering().sessions(), (*session,))
			.await
			.map_err(|e| e.to_string())?;
		match found {
			Some(v) => {
				let last = v.decode().map_err(|e| e.to_string())?.last_seq;
				if cursors.get(*session).is_some_and(|next| next <= last) {
					// The chain is past what was posted: continue from it.
					cursors.advance(*session, last);
				}
				cursors.learn(*session, last.saturating_add(1));
				if *first <= last && followed.is_some_and(|f| f >= number) {
					unseen.push((*session, *first, last));
				}
			},
			// No such session (never opened here, or released): the chain refuses the group
			// and the follower rejects its receipts.
			None => cursors.learn(*session, *first),
		}
	}
	if unseen.is_empty() {
		return Ok(());
	}
	let mut verdicts = Vec::new();
	for (session, first, last) in unseen {
		let store = app.store.clone();
		let keys: Vec<(u64, u64)> = (first..=last).take(100_000).map(|q| (session, q)).collect();
		// The chain keeps no per-receipt record: only that the session's numbers passed them.
		for r in blocking(move || store.pending_of(&keys)).await? {
			verdicts.push((r, State::Judged { block: block.clone() }));
		}
	}
	let n = verdicts.len();
	let store = app.store.clone();
	let ruled = blocking(move || store.finish(&verdicts)).await?;
	follower::note(app, &ruled);
	tracing::warn!(target: "gateway::poster", "{n} receipts were judged on chain before this gateway could follow their block; marked judged (as of {block})");
	Ok(())
}

/// Signs `planned`, records it, and sends it with the next nonce; a task follows the
/// transaction (the permit is released once it is in a block, or failed). Returns whether it
/// was sent (not when the node cannot give a nonce or the store cannot record it).
async fn post(
	app: &Arc<App>,
	keys: &Arc<Keys>,
	cursors: &Arc<Cursors>,
	planned: Planned,
	permit: tokio::sync::OwnedSemaphorePermit,
	best: u64,
) -> bool {
	let Planned { batch, receipts, ranges } = planned;
	let payload = receipts::signing_payload(&app.chain.genesis, &batch);
	let signature = keys.signing.sign(&payload).0;
	let operator = keys.operator_account();
	let nonce = match app.nonces.take(&app.chain.client, &operator).await {
		Ok(n) => n,
		Err(e) => {
			tracing::warn!(target: "gateway::poster", "cannot read the operator's nonce: {e}");
			return false;
		},
	};
	let record =
		Posted { nonce, valid_until: best.saturating_add(MORTALITY), ranges: ranges.clone() };
	let store = app.store.clone();
	if let Err(e) = blocking(move || store.post(&record)).await {
		tracing::error!(target: "gateway::poster", "cannot record a batch before posting it: {e}");
		app.nonces.resync().await;
		return false;
	}
	for (session, _, last) in &ranges {
		cursors.advance(*session, *last);
	}
	let count = receipts.len();
	app.metrics.batches.with_label_values(&["posted"]).inc();
	app.metrics.batch_receipts.observe(count as f64);
	app.metrics.in_flight.inc();
	let call = runtime::tx().metering().submit_batch(Static(batch), signature);
	let (app, keys, cursors) = (app.clone(), keys.clone(), cursors.clone());
	tokio::spawn(async move {
		let slot = std::sync::Mutex::new(Some(permit));
		let release = || {
			if slot.lock().unwrap_or_else(|p| p.into_inner()).take().is_some() {
				app.metrics.in_flight.dec();
			}
		};
		let watch = app.chain.client.submit(&call, &keys.operator, Some(nonce), |p| {
			if let Progress::InBestBlock(_) = p {
				release();
			}
		});
		// A watch that hears nothing for this long (a node gone and back can leave a
		// subscription silent) counts as failed: the batch is posted again, which the chain
		// refuses as replayed if this one was included after all.
		let result = match tokio::time::timeout(SUBMIT_PATIENCE, watch).await {
			Ok(r) => r.map_err(|e| e.to_string()),
			Err(_) => Err(format!("no finality within {SUBMIT_PATIENCE:?}")),
		};
		release();
		match result {
			Ok(done) => {
				app.metrics.batches.with_label_values(&["finalized"]).inc();
				tracing::info!(target: "gateway::poster", "batch of {count} receipts (nonce {nonce}) finalized in {:?}", done.block_hash);
			},
			Err(e) => {
				app.metrics.batches.with_label_values(&["error"]).inc();
				tracing::warn!(target: "gateway::poster", "batch of {count} receipts (nonce {nonce}) failed: {e}; posting its sessions again");
				app.nonces.resync().await;
				for (session, first, _) in ranges {
					cursors.rewind(session, first);
				}
			},
		}
	});
	true
}

async fn pause(stop: &CancellationToken, d: Duration, deadline: Option<tokio::time::Instant>) {
	let d = match deadline {
		Some(end) => d.min(end.saturating_duration_since(tokio::time::Instant::now())),
		None => d,
	};
	if stop.is_cancelled() {
		tokio::time::sleep(d).await;
	} else {
		tokio::select! {
			_ = tokio::time::sleep(d) => {},
			_ = stop.cancelled() => {},
		}
	}
}
