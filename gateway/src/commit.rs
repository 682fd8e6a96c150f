//! Group commit of receipts: the receipts of concurrent requests are persisted together, in one
//! write transaction and one fsync, while each response is still sent only after its own receipt
//! is durable.
//!
//! One writer thread owns the database's write side. A request hands its receipt over and waits;
//! the writer takes every receipt that is waiting (up to [`MAX_GROUP`]) and commits them at once
//! ([`Store::record_all`]), then answers each. Under load the group grows by itself: while one
//! group is being fsync'd the next one gathers, so the fsync cost is shared by every request that
//! arrived meanwhile, and an idle gateway still commits a lone receipt at once.

use crate::store::{NewReceipt, Store, StoreError, Stored};
use tokio::sync::{mpsc, oneshot};

/// The most receipts committed in one transaction.
pub const MAX_GROUP: usize = 1_024;
/// Receipts waiting for the writer at most; a request beyond it waits for room.
const QUEUE: usize = 8_192;

type Reply = oneshot::Sender<Result<Stored, StoreError>>;

/// The handle requests persist their receipts through; cheap to clone.
#[derive(Clone)]
pub struct Committer {
	queue: mpsc::Sender<(NewReceipt, Reply)>,
}

impl Committer {
	/// Starts the writer thread over `store`. `observe` is told each group's size (for the
	/// metrics). The thread ends when every handle is dropped.
	pub fn start(store: Store, observe: impl Fn(usize) + Send + 'static) -> std::io::Result<Self> {
		let (queue, mut waiting) = mpsc::channel::<(NewReceipt, Reply)>(QUEUE);
		std::thread::Builder::new().name("receipt-commit".into()).spawn(move || {
			while let Some(first) = waiting.blocking_recv() {
				let mut group = vec![first];
				while group.len() < MAX_GROUP {
					match waiting.try_recv() {
						Ok(next) => group.push(next),
						Err(_) => break,
					}
				}
				observe(group.len());
				commit(&store, group);
			}
		})?;
		Ok(Self { queue })
	}

	/// Persists `new` durably (with the receipts of concurrent requests) and returns it with its
	/// sequence number.
	pub async fn record(&self, new: NewReceipt) -> Result<Stored, StoreError> {
		let (reply, answer) = oneshot::channel();
		self.queue
			.send((new, reply))
			.await
			.map_err(|_| StoreError::Db("the receipt writer has stopped".into()))?;
		answer
			.await
			.map_err(|_| StoreError::Db("the receipt writer has stopped".into()))?
	}
}

/// Commits `group` in one transaction and answers each request. A group the database refuses
/// (a receipt of it cannot be numbered, or the disk failed) is retried receipt by receipt, so
/// that one bad receipt fails only its own request.
fn commit(store: &Store, group: Vec<(NewReceipt, Reply)>) {
	let (news, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
	let alone = if news.len() > 1 { Some(news.clone()) } else { None };
	match (store.record_all(news), alone) {
		(Ok(stored), _) =>
			for (reply, s) in replies.into_iter().zip(stored) {
				// A request that went away meanwhile still has its receipt kept.
				let _ = reply.send(Ok(s));
			},
		(Err(_), Some(news)) =>
			for (new, reply) in news.into_iter().zip(replies) {
				let _ = reply.send(store.record(new));
			},
		(Err(e), None) =>
			if let Some(reply) = replies.into_iter().next() {
				let _ = reply.send(Err(e));
			},
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::{
		atomic::{AtomicUsize, Ordering},
		Arc,
	};

	fn new(id: u16, session: u64) -> NewReceipt {
		let mut raw = [0u8; 16];
		raw[..2].copy_from_slice(&id.to_le_bytes());
		NewReceipt::for_test(raw, session, 0)
	}

	/// 2,000 concurrent requests over 8 sessions: every receipt is committed (the database holds
	/// all 2,000 once each has been answered), each session's numbers are 1..=250 with none lost or
	/// repeated, and the writer committed them in fewer transactions than receipts.
	#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
	async fn concurrent_receipts_are_committed_in_groups_and_numbered_densely() {
		let path = std::env::temp_dir().join(format!("nexus-gw-commit-{}", std::process::id()));
		let _ = std::fs::remove_file(&path);
		let store = Store::open(&path, "0xgen", 0).unwrap();
		let groups = Arc::new(AtomicUsize::new(0));
		let counted = groups.clone();
		let committer = Committer::start(store.clone(), move |_| {
			counted.fetch_add(1, Ordering::Relaxed);
		})
		.unwrap();
		let tasks: Vec<_> = (0..2_000u16)
			.map(|i| {
				let c = committer.clone();
				tokio::spawn(async move { c.record(new(i, u64::from(i % 8))).await.unwrap() })
			})
			.collect();
		let mut seqs = std::collections::BTreeMap::<u64, Vec<u64>>::new();
		for t in tasks {
			let s = t.await.unwrap();
			seqs.entry(s.session).or_default().push(s.seq);
		}
		for (session, mut numbers) in seqs {
			numbers.sort_unstable();
			assert_eq!(numbers, (1..=250).collect::<Vec<_>>(), "session {session}");
		}
		let commits = groups.load(Ordering::Relaxed);
		assert!(commits < 2_000, "{commits} transactions for 2,000 receipts");
		assert_eq!(store.pending_all().unwrap().len(), 2_000);
		assert_eq!(store.counts().unwrap()["served"], 2_000);
		let _ = std::fs::remove_file(&path);
	}

	/// A receipt the database refuses fails its own request with the store's error, and the
	/// writer goes on with the next group.
	#[tokio::test]
	async fn a_failed_commit_fails_its_requests_and_the_writer_goes_on() {
		let path = std::env::temp_dir().join(format!("nexus-gw-commit-err-{}", std::process::id()));
		let _ = std::fs::remove_file(&path);
		let store = Store::open(&path, "0xgen", 0).unwrap();
		let committer = Committer::start(store, |_| {}).unwrap();
		assert_eq!(committer.record(new(1, 3)).await.unwrap().seq, 1);
		// A session whose numbers are used up: its next number cannot be given out.
		let mut exhausted = new(2, 4);
		exhausted.chain_last_seq = u64::MAX;
		assert!(committer.record(exhausted).await.is_err());
		assert_eq!(committer.record(new(3, 3)).await.unwrap().seq, 2);
		let _ = std::fs::remove_file(&path);
	}
}
