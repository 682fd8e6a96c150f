//! Settlement: the receipts the gateway persisted go to the chain in signed batches (receipt
//! batches v2, `docs/token-model.md`), and each receipt's verdict comes back with its leaf and
//! proof.
//!
//! Two tasks share the work:
//! - the [poster](poster) builds batches from the pending receipts ([`batch::plan`]), records each
//!   durably before posting it (`Store::post`), and keeps several transactions in flight, one
//!   `metering.submit_batch` per transaction, nonces numbered locally ([`Nonces`]): at least one
//!   batch per block, more while a full batch is waiting;
//! - the [follower](follower) reads every finalized block in order, from the last one it recorded,
//!   finds this gateway's batches and their `BatchSettled` events, and records each receipt's
//!   ruling ([`verdicts::rulings`]) together with the block number, in one transaction.
//!
//! Exactly once: the chain judges each `(session, seq)` once, ever (a group is accepted only
//! right after the session's last judged number), so posting a receipt twice — a retry after a
//! dropped transaction, a crash between posting and recording — never charges twice. A posted
//! transaction that fails sends its sessions back to their first number in it; a group the
//! chain refuses (a gap, or numbers judged already) sets its session to the number the chain
//! expected ([`verdicts::Hint`]). Where the poster must learn a
//! session's next number, it reads the session's finalized `last_seq`.

pub mod batch;
pub mod follower;
pub mod poster;
pub mod verdicts;

use crate::app::App;
use nexus_client::Client;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
};
use subxt::utils::AccountId32;

/// The operator's nonces, numbered locally so that several transactions can be in flight; the
/// poster and the uptime reports take theirs from here. After a failure the next caller reads
/// the node's pool-aware next nonce again.
#[derive(Default)]
pub struct Nonces {
	next: tokio::sync::Mutex<Option<u64>>,
}

impl Nonces {
	/// The next nonce of `who`.
	pub async fn take(
		&self,
		client: &Client,
		who: &AccountId32,
	) -> Result<u64, nexus_client::Error> {
		let mut next = self.next.lock().await;
		let n = match *next {
			Some(n) => n,
			None => client.next_nonce(who).await?,
		};
		*next = Some(n.saturating_add(1));
		Ok(n)
	}

	/// Forgets the local count (a transaction failed: stale, future, dropped or invalid).
	pub async fn resync(&self) {
		*self.next.lock().await = None;
	}
}

/// Where each session's posting stands: the next sequence number to post (what is below it is
/// posted or judged).
#[derive(Default)]
pub struct Cursors {
	next: Mutex<HashMap<u64, u64>>,
}

impl Cursors {
	fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, u64>> {
		self.next.lock().unwrap_or_else(|p| p.into_inner())
	}

	/// The next number to post for `session`, if known.
	pub fn get(&self, session: u64) -> Option<u64> {
		self.lock().get(&session).copied()
	}

	/// A snapshot of every known session's next number.
	pub fn snapshot(&self) -> HashMap<u64, u64> {
		self.lock().clone()
	}

	/// `session` is posted up to `last`.
	pub fn advance(&self, session: u64, last: u64) {
		let mut next = self.lock();
		let n = next.entry(session).or_insert(0);
		*n = (*n).max(last.saturating_add(1));
	}

	/// `session` must be posted again from `seq` (a transaction failed, or the chain refused a
	/// group for a gap).
	pub fn rewind(&self, session: u64, seq: u64) {
		let mut next = self.lock();
		if let Some(n) = next.get_mut(&session) {
			*n = (*n).min(seq);
		}
	}

	/// Sets `session`'s next number to what the chain expects (from a refused group).
	pub fn set(&self, session: u64, seq: u64) {
		self.lock().insert(session, seq);
	}

	/// Sets `session`'s next number (learnt from the chain) if it has none.
	pub fn learn(&self, session: u64, seq: u64) {
		self.lock().entry(session).or_insert(seq);
	}

	/// Forgets sessions with nothing pending (the map stays bounded by the sessions in use).
	pub fn retain(&self, keep: impl Fn(u64) -> bool) {
		self.lock().retain(|s, _| keep(*s));
	}
}

/// Runs the poster and the follower until `stop` is cancelled and nothing is pending (or
/// `grace` after the cancel).
pub async fn run(
	app: Arc<App>,
	keys: poster::Keys,
	stop: tokio_util::sync::CancellationToken,
	grace: std::time::Duration,
) {
	let cursors = Arc::new(Cursors::default());
	let follower =
		tokio::spawn(follower::run(app.clone(), keys.operator_account(), cursors.clone()));
	poster::run(app, keys, cursors, stop, grace).await;
	follower.abort();
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn cursors_advance_rewind_and_learn() {
		let c = Cursors::default();
		assert_eq!(c.get(1), None);
		c.learn(1, 5);
		c.learn(1, 9);
		assert_eq!(c.get(1), Some(5), "what the chain said first stands until posting moves it");
		c.advance(1, 7);
		assert_eq!(c.get(1), Some(8));
		c.advance(1, 6);
		assert_eq!(c.get(1), Some(8), "never backwards by posting");
		c.rewind(1, 6);
		assert_eq!(c.get(1), Some(6));
		c.rewind(1, 7);
		assert_eq!(c.get(1), Some(6), "a rewind only lowers");
		c.rewind(2, 3);
		assert_eq!(c.get(2), None, "an unknown session stays unknown");
		c.set(1, 9);
		assert_eq!(c.get(1), Some(9), "the chain's number stands, up or down");
		c.retain(|s| s != 1);
		assert_eq!(c.get(1), None);
	}
}
