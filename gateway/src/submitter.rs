//! The submitter: posts pending receipts to the chain in signed batches (several per
//! transaction) and records the chain's verdict on each.
//!
//! Exactly once: the runtime settles a receipt id at most once and accepts a session's
//! receipts only in increasing `seq` order, so posting a receipt twice (after a crash, a lost
//! connection or a dropped transaction) can never charge twice. The submitter therefore posts
//! at least once: one batch at a time, in `(session, seq)` order, each followed to finality.
//! After any failure, and at start, it reconciles its pending set against finalized state:
//! a receipt the chain has (`metering.receipts`) is done; one whose sequence number the
//! session has passed without it was refused; the rest are posted (again).

use crate::{
	api::App,
	store::{State, Stored},
};
use nexus_client::runtime::{
	self,
	runtime_types::{
		nexus_primitives::traits::Outcome as RtOutcome,
		pallet_metering::types::{Receipt, ReceiptRecord},
	},
};
use std::{sync::Arc, time::Duration};
use subxt::ext::codec::Encode;
use subxt_signer::sr25519::Keypair;
use tokio_util::sync::CancellationToken;

/// The domain tag of receipt batches (the runtime's `RECEIPTS_CONTEXT`).
pub const RECEIPTS_CONTEXT: &[u8] = b"nexus-vault/receipts/v1";

/// The keys the submitter signs with.
pub struct Keys {
	/// Signs the `submit_receipts` and `report_uptime` transactions.
	pub operator: Keypair,
	/// Signs receipt batches (the key registered for the gateway).
	pub signing: Keypair,
}

fn to_runtime(r: &Stored) -> Receipt {
	Receipt {
		id: r.raw_id(),
		session: r.session,
		seq: r.seq,
		capsule: r.capsule,
		input_units: r.input_units,
		output_units: r.output_units,
		outcome: match r.outcome {
			crate::store::Outcome::Served => RtOutcome::Served,
			crate::store::Outcome::Failed => RtOutcome::Failed,
		},
		timestamp: r.timestamp,
	}
}

/// `blake2_256(RECEIPTS_CONTEXT ‖ genesis ‖ gateway (u32 LE) ‖ SCALE(receipts))`.
pub fn signing_payload(genesis: [u8; 32], gateway: u32, receipts: &[Receipt]) -> [u8; 32] {
	let mut data = RECEIPTS_CONTEXT.to_vec();
	genesis.encode_to(&mut data);
	gateway.encode_to(&mut data);
	// SCALE of `Vec<Receipt>`: the compact length, then each receipt's fields in order (the
	// generated types encode through metadata; this is the same bytes, checked by a test and
	// by every batch the runtime accepts).
	subxt::ext::codec::Compact(u32::try_from(receipts.len()).unwrap_or(u32::MAX))
		.encode_to(&mut data);
	for r in receipts {
		data.extend_from_slice(&r.id);
		for n in [r.session, r.seq, r.capsule, r.input_units, r.output_units] {
			n.encode_to(&mut data);
		}
		data.push(match r.outcome {
			RtOutcome::Served => 0,
			RtOutcome::Failed => 1,
			RtOutcome::RolledBack => 2,
		});
		r.timestamp.encode_to(&mut data);
	}
	sp_crypto_hashing::blake2_256(&data)
}

type Verdicts = Vec<(Stored, State)>;

async fn blocking<T: Send + 'static>(
	f: impl FnOnce() -> Result<T, crate::store::StoreError> + Send + 'static,
) -> Result<T, String> {
	tokio::task::spawn_blocking(f)
		.await
		.map_err(|e| e.to_string())?
		.map_err(|e| e.to_string())
}

/// What the chain holds about a receipt at `at`.
async fn ruling(
	at: &subxt::client::ClientAtBlock<
		subxt::PolkadotConfig,
		subxt::client::OnlineClientAtBlockImpl<subxt::PolkadotConfig>,
	>,
	r: &Stored,
	block: &str,
) -> Result<Option<State>, String> {
	let record = at
		.storage()
		.try_fetch(runtime::storage().metering().receipts(), (r.raw_id(),))
		.await
		.map_err(|e| e.to_string())?;
	if let Some(v) = record {
		return Ok(Some(match v.decode().map_err(|e| e.to_string())? {
			ReceiptRecord::Charged(c) =>
				State::Settled { net: c.net.to_string(), block: block.to_string() },
			ReceiptRecord::NotCharged => State::Recorded { block: block.to_string() },
		}));
	}
	let session = at
		.storage()
		.try_fetch(runtime::storage().metering().sessions(), (r.session,))
		.await
		.map_err(|e| e.to_string())?;
	Ok(match session {
		None => Some(State::Rejected { reason: "UnknownSession".into(), block: block.into() }),
		Some(v) => {
			let s = v.decode().map_err(|e| e.to_string())?;
			(s.last_seq >= r.seq).then(|| State::Rejected {
				reason: "SequenceNotIncreasing".into(),
				block: block.to_string(),
			})
		},
	})
}

/// Rules on every pending receipt the finalized chain already decided.
async fn reconcile(app: &Arc<App>) -> Result<usize, String> {
	let store = app.store.clone();
	let pending = blocking(move || store.pending_all()).await?;
	if pending.is_empty() {
		return Ok(0);
	}
	let at = app.chain.client.api().at_current_block().await.map_err(|e| e.to_string())?;
	let block = format!("{:?}", at.block_hash());
	let mut verdicts = Verdicts::new();
	for r in pending {
		if let Some(state) = ruling(&at, &r, &block).await? {
			verdicts.push((r, state));
		}
	}
	let n = verdicts.len();
	record(app, verdicts).await?;
	if n > 0 {
		tracing::info!(target: "gateway::submitter", "reconciled {n} receipts with finalized state at {block}");
	}
	Ok(n)
}

async fn record(app: &Arc<App>, verdicts: Verdicts) -> Result<(), String> {
	if verdicts.is_empty() {
		return Ok(());
	}
	for (_, state) in &verdicts {
		let label = match state {
			State::Pending => continue,
			State::Settled { .. } => "settled",
			State::Recorded { .. } => "recorded",
			State::Rejected { .. } => "rejected",
		};
		app.metrics.receipts.with_label_values(&[label]).inc();
		app.metrics.pending.dec();
	}
	let ruled: Vec<Stored> = verdicts.iter().map(|(r, _)| r.clone()).collect();
	let store = app.store.clone();
	blocking(move || store.finish(&verdicts)).await?;
	app.settled(&ruled);
	Ok(())
}

/// Posts the receipts, in signed batches of at most `batch_size` (the runtime's `MaxBatch`),
/// all in one transaction (`utility.batch_all` when there is more than one), and follows it to
/// finality; the verdicts from its events.
async fn post(app: &Arc<App>, keys: &Keys, receipts: Vec<Stored>) -> Result<Verdicts, String> {
	use runtime::runtime_types::{nexus_runtime::RuntimeCall, pallet_metering::pallet::Call};
	let gateway = app.chain.gateway;
	let size = usize::try_from(app.config.batch_size).unwrap_or(128).max(1);
	let mut calls = Vec::new();
	for chunk in receipts.chunks(size) {
		let batch: Vec<Receipt> = chunk.iter().map(to_runtime).collect();
		let payload = signing_payload(app.chain.genesis.0, gateway, &batch);
		let signature = keys.signing.sign(&payload).0;
		calls.push(RuntimeCall::Metering(Call::submit_receipts {
			gateway,
			receipts: batch,
			signature,
		}));
	}
	let _serial = app.tx_lock.lock().await;
	let progress =
		|p: nexus_client::Progress| tracing::debug!(target: "gateway::submitter", "batch: {p:?}");
	let client = &app.chain.client;
	let done = if calls.len() == 1 {
		let Some(RuntimeCall::Metering(Call::submit_receipts { gateway, receipts, signature })) =
			calls.pop()
		else {
			return Err("unreachable: one submit_receipts call".into());
		};
		let call = runtime::tx().metering().submit_receipts(gateway, receipts, signature);
		client.submit(&call, &keys.operator, None, progress).await
	} else {
		client
			.submit(&runtime::tx().utility().batch_all(calls), &keys.operator, None, progress)
			.await
	}
	.map_err(|e| e.to_string())?;
	let batch = receipts;
	let block = format!("{:?}", done.block_hash);
	let mut states = std::collections::HashMap::new();
	for e in done.events.find::<runtime::metering::events::ReceiptSettled>() {
		let e = e.map_err(|e| e.to_string())?;
		states.insert(e.id, State::Settled { net: e.net.to_string(), block: block.clone() });
	}
	for e in done.events.find::<runtime::metering::events::ReceiptRecorded>() {
		let e = e.map_err(|e| e.to_string())?;
		states.insert(e.id, State::Recorded { block: block.clone() });
	}
	let mut rejected = std::collections::HashMap::new();
	for e in done.events.find::<runtime::metering::events::ReceiptRejected>() {
		let e = e.map_err(|e| e.to_string())?;
		rejected.insert(e.id, format!("{:?}", e.reason));
	}
	let at = app
		.chain
		.client
		.api()
		.at_block(done.block_hash)
		.await
		.map_err(|e| e.to_string())?;
	let mut verdicts = Verdicts::new();
	for r in batch {
		let id = r.raw_id();
		if let Some(state) = states.remove(&id) {
			verdicts.push((r, state));
		} else if let Some(reason) = rejected.remove(&id) {
			// Posted before (a retry after a crash or a lost connection): what the chain holds
			// is the verdict.
			if reason == "DuplicateReceipt" || reason == "SequenceNotIncreasing" {
				if let Some(state) = ruling(&at, &r, &block).await? {
					verdicts.push((r, state));
					continue;
				}
			}
			tracing::warn!(target: "gateway::submitter", "receipt {} refused: {reason}", r.id);
			verdicts.push((r, State::Rejected { reason, block: block.clone() }));
		}
	}
	Ok(verdicts)
}

/// Runs until `stop` is cancelled and nothing is pending (or `grace` after the cancel).
pub async fn run(app: Arc<App>, keys: Keys, stop: CancellationToken, grace: Duration) {
	let size =
		usize::try_from(app.config.batch_size.saturating_mul(app.config.batches_per_transaction))
			.unwrap_or(128);
	let interval = Duration::from_millis(app.config.batch_interval_ms);
	let mut backoff = Duration::from_secs(1);
	let mut reconciled = false;
	let mut deadline: Option<tokio::time::Instant> = None;
	loop {
		if stop.is_cancelled() && deadline.is_none() {
			deadline = Some(tokio::time::Instant::now() + grace);
		}
		if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
			tracing::warn!(target: "gateway::submitter", "shutdown grace over; pending receipts stay in the store for the next start");
			return;
		}
		if !reconciled {
			match reconcile(&app).await {
				Ok(_) => reconciled = true,
				Err(e) => {
					tracing::warn!(target: "gateway::submitter", "reconcile failed (retrying in {backoff:?}): {e}");
					pause(&stop, backoff, deadline).await;
					backoff = (backoff * 2).min(Duration::from_secs(60));
					continue;
				},
			}
		}
		let store = app.store.clone();
		let mut batch = match blocking(move || store.pending(size)).await {
			Ok(b) => b,
			Err(e) => {
				tracing::error!(target: "gateway::submitter", "store: {e}");
				pause(&stop, backoff, deadline).await;
				continue;
			},
		};
		if batch.is_empty() {
			if stop.is_cancelled() {
				return;
			}
			tokio::select! {
				_ = app.submit.notified() => {},
				_ = stop.cancelled() => {},
				_ = tokio::time::sleep(Duration::from_secs(30)) => {},
			}
			continue;
		}
		if batch.len() < size && !stop.is_cancelled() {
			// Let a batch fill for a moment rather than post one receipt per transaction.
			pause(&stop, interval, deadline).await;
			let store = app.store.clone();
			if let Ok(b) = blocking(move || store.pending(size)).await {
				batch = b;
			}
		}
		let n = batch.len();
		match post(&app, &keys, batch).await {
			Ok(verdicts) => {
				app.metrics.batches.with_label_values(&["finalized"]).inc();
				let ruled = verdicts.len();
				if let Err(e) = record(&app, verdicts).await {
					tracing::error!(target: "gateway::submitter", "store: {e}");
				}
				tracing::info!(target: "gateway::submitter", "batch of {n} finalized ({ruled} ruled)");
				backoff = Duration::from_secs(1);
				if ruled < n {
					// Something in the batch got no verdict: ask the chain directly.
					reconciled = false;
				}
			},
			Err(e) => {
				app.metrics.batches.with_label_values(&["error"]).inc();
				tracing::warn!(target: "gateway::submitter", "batch of {n} not settled (retrying in {backoff:?}): {e}");
				reconciled = false;
				pause(&stop, backoff, deadline).await;
				backoff = (backoff * 2).min(Duration::from_secs(60));
			},
		}
	}
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

/// Health probes: every `probe_interval_secs` each registered capsule's `GET /models`;
/// every `report_interval_secs` the share that answered goes on chain (`report_uptime`).
pub async fn probe(app: Arc<App>, operator: Keypair, stop: CancellationToken) {
	let every = Duration::from_secs(app.config.probe_interval_secs);
	let rounds = (app.config.report_interval_secs / app.config.probe_interval_secs).max(1);
	let mut round = 0u64;
	loop {
		tokio::select! {
			_ = tokio::time::sleep(every) => {},
			_ = stop.cancelled() => return,
		}
		for capsule in app.vault.capsules() {
			let Some(ep) = app.vault.get(capsule) else { continue };
			let url = format!("{}/models", ep.url.trim_end_matches('/'));
			let ok = matches!(
				app.http.get(url).bearer_auth(&ep.credential).timeout(Duration::from_secs(5)).send().await,
				Ok(r) if r.status().is_success()
			);
			let mut probes = app.probes.lock().unwrap_or_else(|p| p.into_inner());
			let p = probes.entry(capsule).or_default();
			p.total = p.total.saturating_add(1);
			p.ok = p.ok.saturating_add(u32::from(ok));
			p.last_ok = ok;
		}
		round += 1;
		if !round.is_multiple_of(rounds) {
			continue;
		}
		let reports: Vec<(u64, u32)> = {
			let mut probes = app.probes.lock().unwrap_or_else(|p| p.into_inner());
			probes
				.iter_mut()
				.filter(|(_, p)| p.total > 0)
				.map(|(c, p)| {
					let permill = u64::from(p.ok) * 1_000_000 / u64::from(p.total);
					p.ok = 0;
					p.total = 0;
					(*c, u32::try_from(permill).unwrap_or(1_000_000))
				})
				.collect()
		};
		if reports.is_empty() {
			continue;
		}
		// One transaction per round; `force_batch` so that a capsule retired meanwhile does not
		// stop the others' reports.
		use runtime::runtime_types::{
			nexus_runtime::RuntimeCall, pallet_metering::pallet::Call,
			sp_arithmetic::per_things::Permill,
		};
		let calls: Vec<RuntimeCall> = reports
			.iter()
			.map(|(capsule, uptime)| {
				RuntimeCall::Metering(Call::report_uptime {
					gateway: app.chain.gateway,
					capsule: *capsule,
					uptime: Permill(*uptime),
				})
			})
			.collect();
		let call = runtime::tx().utility().force_batch(calls);
		let serial = app.tx_lock.lock().await;
		let result = app.chain.client.submit(&call, &operator, None, |_| {}).await;
		drop(serial);
		let label = if result.is_ok() { "ok" } else { "error" };
		app.metrics.uptime_reports.with_label_values(&[label]).inc();
		match result {
			Ok(done) => {
				let reported = done
					.events
					.find::<runtime::metering::events::UptimeReported>()
					.filter(Result::is_ok)
					.count();
				tracing::info!(target: "gateway::probe", "uptime of {reported}/{} capsules reported: {reports:?}", reports.len())
			},
			Err(e) => tracing::warn!(target: "gateway::probe", "uptime report failed: {e}"),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_payload_is_the_tagged_blake2_of_genesis_gateway_and_receipts() {
		let r = Receipt {
			id: [7; 16],
			session: 1,
			seq: 2,
			capsule: 3,
			input_units: 4,
			output_units: 5,
			outcome: RtOutcome::Served,
			timestamp: 6,
		};
		let mut data = b"nexus-vault/receipts/v1".to_vec();
		data.extend_from_slice(&[9; 32]);
		data.extend_from_slice(&2u32.to_le_bytes());
		// SCALE(Vec<Receipt>): compact length 1, then the fields in order.
		data.push(4);
		data.extend_from_slice(&[7; 16]);
		for n in [1u64, 2, 3, 4, 5] {
			data.extend_from_slice(&n.to_le_bytes());
		}
		data.push(0);
		data.extend_from_slice(&6u64.to_le_bytes());
		assert_eq!(signing_payload([9; 32], 2, &[r]), sp_crypto_hashing::blake2_256(&data));
	}
}
