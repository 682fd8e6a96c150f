//! The follower: reads every finalized block in order, from the last one whose verdicts are
//! recorded, and records what the chain decided about this gateway's receipts.
//!
//! In each block it looks at this gateway's `metering.submit_batch` extrinsics and their
//! `BatchSettled` events: the batch (from the extrinsic) and the event rebuild every leaf
//! ([`verdicts::rulings`]); each pending receipt gets its ruling, leaf and proof. It also forgets
//! the posted batches whose nonce the operator used in the block, or whose era has ended. All of
//! it, with the block's number, is one database transaction.

use super::{verdicts, Cursors};
use crate::{
	app::{now_ms, App},
	chain::BLOCK_SILENCE,
	store::{State, Stored},
};
use nexus_client::runtime;
use std::{sync::Arc, time::Duration};
use subxt::{events::Phase, utils::AccountId32};

/// Follows finalized blocks for ever (reconnecting after errors).
pub async fn run(app: Arc<App>, operator: AccountId32, cursors: Arc<Cursors>) {
	loop {
		if let Err(e) = follow(&app, &operator, &cursors).await {
			tracing::warn!(target: "gateway::follower", "following finalized blocks: {e}");
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

async fn follow(app: &Arc<App>, operator: &AccountId32, cursors: &Cursors) -> Result<(), String> {
	let api = app.chain.client.api();
	let mut blocks = api.stream_blocks().await.map_err(|e| e.to_string())?;
	// A subscription that brings nothing for as long as the best-block follower tolerates (a
	// node gone and back: the websocket reconnects, a subscription may stall) is dropped.
	loop {
		let b = match tokio::time::timeout(BLOCK_SILENCE, blocks.next()).await {
			Ok(Some(b)) => b,
			Ok(None) => break,
			Err(_) =>
				return Err(format!("no finalized block for {BLOCK_SILENCE:?}: resubscribing")),
		};
		let head = b.map_err(|e| e.to_string())?.number();
		let store = app.store.clone();
		let followed = tokio::task::spawn_blocking(move || store.followed())
			.await
			.map_err(|e| e.to_string())?
			.map_err(|e| e.to_string())?;
		// A new database starts at the chain's head: nothing of it was posted before.
		let from = followed.map_or(head, |n| n.saturating_add(1));
		for n in from..=head {
			block(app, operator, cursors, n).await?;
		}
	}
	Err("the finalized block stream ended".into())
}

/// Records the verdicts of finalized block `n`.
async fn block(
	app: &Arc<App>,
	operator: &AccountId32,
	cursors: &Cursors,
	n: u64,
) -> Result<(), String> {
	// Decoded with the runtime that executed the block (its parent's): a runtime upgrade enacted
	// in this block must not change how its own batches and events read.
	let nexus_client::ExecutedBlock { hash, format: at, body, events } =
		app.chain.client.executed_block(n).await.map_err(|e| e.to_string())?;
	let hash = format!("{hash:?}");
	let extrinsics = at.extrinsics().from_bytes(body).await;
	let mut ours = Vec::new();
	let mut nonces = Vec::new();
	let mut signer = vec![0u8];
	signer.extend_from_slice(&operator.0);
	for ext in extrinsics.iter() {
		let ext = ext.map_err(|e| e.to_string())?;
		if ext.address_bytes() == Some(&signer[..]) {
			if let Some(nonce) = ext.transaction_extensions().and_then(|t| t.nonce()) {
				nonces.push(nonce);
			}
		}
		let Some(call) = ext.decode_call_data_fields_as::<runtime::metering::calls::SubmitBatch>()
		else {
			continue;
		};
		let call = call.map_err(|e| e.to_string())?;
		if call.batch.0.gateway == app.chain.gateway {
			ours.push((u32::try_from(ext.index()).unwrap_or(u32::MAX), call.batch.0));
		}
	}
	let mut rulings = Vec::new();
	if !ours.is_empty() {
		match events.map(|bytes| at.events().from_bytes(bytes)) {
			Some(events) =>
				for ev in events.iter() {
					let ev = ev.map_err(|e| e.to_string())?;
					let Phase::ApplyExtrinsic(index) = ev.phase() else { continue };
					let Some((_, batch)) = ours.iter().find(|(i, _)| *i == index) else { continue };
					let Some(settled) =
						ev.decode_fields_as::<runtime::metering::events::BatchSettled>()
					else {
						continue;
					};
					let settled = settled.map_err(|e| e.to_string())?;
					match verdicts::rulings(batch, settled.batch, &settled.settlement.0, &hash) {
						Ok((found, hints)) => {
							rulings.extend(found);
							for h in hints {
								h.apply(cursors);
							}
						},
						// The runtime rebuilt these leaves itself: this would be a bug on one
						// side; the receipts stay pending and are ruled from their sessions.
						Err(e) =>
							tracing::error!(target: "gateway::follower", "block {n}: batch {:?} does not rebuild: {e:?}", settled.batch),
					}
				},
			// The node no longer has this block's state (pruned): what it judged is on chain
			// only. The poster rules those receipts from their sessions' numbers.
			None =>
				tracing::warn!(target: "gateway::follower", "block {n}: its events are no longer in the node's state; its verdicts are on chain only"),
		}
	}
	record(app, cursors, rulings, nonces, n).await
}

/// Records `rulings` from block `n`, forgets the posted batches of `nonces` or past their era,
/// and notes `n` as followed. A batch whose era ended without its nonce being used never landed:
/// its sessions are posted again from its first numbers.
async fn record(
	app: &Arc<App>,
	cursors: &Cursors,
	rulings: Vec<verdicts::Ruling>,
	nonces: Vec<u64>,
	n: u64,
) -> Result<(), String> {
	let store = app.store.clone();
	let (ruled, lost) = tokio::task::spawn_blocking(move || {
		let keys: Vec<(u64, u64)> = rulings.iter().map(|r| (r.session, r.seq)).collect();
		let mut pending: std::collections::HashMap<(u64, u64), Stored> =
			store.pending_of(&keys)?.into_iter().map(|r| ((r.session, r.seq), r)).collect();
		let mut verdicts = Vec::with_capacity(pending.len());
		for ruling in rulings {
			if let Some(mut r) = pending.remove(&(ruling.session, ruling.seq)) {
				r.evidence = ruling.evidence;
				verdicts.push((r, ruling.state));
			}
		}
		let mut seen = Vec::new();
		let mut lost = Vec::new();
		for (id, p) in store.posted()? {
			if nonces.contains(&p.nonce) {
				seen.push(id);
			} else if p.valid_until < n {
				seen.push(id);
				lost.extend(p.ranges);
			}
		}
		store.finish_block(&verdicts, &seen, Some(n)).map(|ruled| (ruled, lost))
	})
	.await
	.map_err(|e| e.to_string())?
	.map_err(|e| e.to_string())?;
	for (session, first, _) in lost {
		cursors.rewind(session, first);
	}
	note(app, &ruled);
	app.metrics.followed_block.set(i64::try_from(n).unwrap_or(i64::MAX));
	Ok(())
}

/// Accounts for receipts just ruled: metrics, settlement lag, the in-memory ledger.
pub fn note(app: &App, ruled: &[Stored]) {
	if ruled.is_empty() {
		return;
	}
	let now = now_ms();
	for r in ruled {
		if r.state != State::Pending {
			app.metrics.receipts.with_label_values(&[r.state.label()]).inc();
			app.metrics.pending.dec();
			app.metrics
				.settlement_lag
				.observe(now.saturating_sub(r.timestamp) as f64 / 1_000.0);
		}
	}
	app.settled(ruled);
}
