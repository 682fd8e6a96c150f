//! Building a batch (receipt batches v2, `docs/token-model.md`) from pending receipts: pure, so
//! that its rules are tested without a chain.
//!
//! The chain accepts a session's group only if it starts right after the session's last judged
//! number, and judges every receipt of an accepted group. So a batch takes each session's
//! receipts from the next number to post on, densely (a session with a gap waits), and stops a
//! group rather than split it across a bound of the runtime.

use crate::store::{Outcome, Stored};
use nexus_client::{
	receipts::{CompactReceipt, ReceiptOutcome, SessionGroup, Units},
	ReceiptBatch,
};

/// The runtime's bounds on one batch (its `metering` constants), and the poster's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
	/// Receipts in all (`maxBatchReceipts`, or less by configuration).
	pub receipts: u32,
	/// Session groups (`maxBatchSessions`).
	pub sessions: u32,
	/// Entries of the capsule table (`maxBatchCapsules`).
	pub capsules: u32,
	/// Receipts in one group (`maxGroupReceipts`).
	pub per_group: u32,
}

/// A batch ready to sign, with the receipts it holds in batch order.
#[derive(Debug)]
pub struct Planned {
	pub batch: ReceiptBatch,
	pub receipts: Vec<Stored>,
	/// Each group: `(session, first seq, last seq)`.
	pub ranges: Vec<(u64, u64, u64)>,
}

/// The units a receipt carries.
pub fn units_of(r: &Stored) -> Units {
	Units {
		input: r.input_units,
		output: r.output_units,
		cache_read: r.cache_read_units,
		cache_write: r.cache_write_units,
	}
}

/// The next batch of gateway `gateway` from `pending` (in `(session, seq)` order): each
/// session's receipts from `next(session)` on (`None`: not known yet, the session waits),
/// densely, within `limits`. `None` when nothing can be posted.
///
/// The batch's time is its newest receipt's; each receipt carries its age from it. A receipt
/// older than `u32::MAX` ms (49 days) is sent at that age: far outside the chain's receipt
/// window, so judged `Expired` as it would be at its own time.
pub fn plan(
	gateway: u32,
	pending: &[Stored],
	next: impl Fn(u64) -> Option<u64>,
	limits: Limits,
) -> Option<Planned> {
	let mut capsules: Vec<u64> = Vec::new();
	let mut groups: Vec<(u64, u64, Vec<&Stored>)> = Vec::new();
	let mut total: u32 = 0;
	let mut i = 0;
	while i < pending.len() && total < limits.receipts {
		let session = pending[i].session;
		let end = pending[i..]
			.iter()
			.position(|r| r.session != session)
			.map_or(pending.len(), |n| i + n);
		let mine = &pending[i..end];
		i = end;
		let Some(first) = next(session) else { continue };
		if groups.len() >= limits.sessions as usize {
			break;
		}
		let mut expect = first;
		let mut taken: Vec<&Stored> = Vec::new();
		for r in mine.iter().skip_while(|r| r.seq < first) {
			if r.seq != expect ||
				taken.len() >= limits.per_group as usize ||
				total >= limits.receipts
			{
				break;
			}
			if !capsules.contains(&r.capsule) {
				if capsules.len() >= limits.capsules as usize {
					break;
				}
				capsules.push(r.capsule);
			}
			taken.push(r);
			total += 1;
			expect = expect.saturating_add(1);
		}
		if let Some(first) = taken.first() {
			groups.push((session, first.seq, taken));
		}
	}
	let time_ms = groups.iter().flat_map(|g| g.2.iter()).map(|r| r.timestamp).max()?;
	let index = |c: u64| capsules.iter().position(|x| *x == c).map_or(0, |p| p as u32);
	let mut receipts = Vec::new();
	let mut ranges = Vec::new();
	let mut wire = Vec::new();
	for (session, first_seq, taken) in groups {
		ranges.push((session, first_seq, first_seq + taken.len() as u64 - 1));
		let compact = taken
			.iter()
			.map(|r| CompactReceipt {
				outcome: match r.outcome {
					Outcome::Served => ReceiptOutcome::Served,
					Outcome::Failed => ReceiptOutcome::Failed,
				},
				capsule: index(r.capsule),
				units: units_of(r),
				age_ms: u32::try_from(time_ms.saturating_sub(r.timestamp)).unwrap_or(u32::MAX),
			})
			.collect::<Vec<_>>();
		receipts.extend(taken.into_iter().cloned());
		wire.push(SessionGroup { session, first_seq, receipts: compact.try_into().ok()? });
	}
	let batch = ReceiptBatch {
		gateway,
		time_ms,
		capsules: capsules.try_into().ok()?,
		groups: wire.try_into().ok()?,
	};
	Some(Planned { batch, receipts, ranges })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::store::State;

	fn r(session: u64, seq: u64, capsule: u64, timestamp: u64) -> Stored {
		Stored {
			id: format!("0x{:032x}", session * 1_000 + seq),
			seeker: format!("0x{}", "11".repeat(32)),
			session,
			seq,
			capsule,
			input_units: 10,
			output_units: 20,
			cache_read_units: 3,
			cache_write_units: 4,
			outcome: Outcome::Served,
			timestamp,
			estimate: "1".into(),
			state: State::Pending,
			evidence: None,
		}
	}

	const WIDE: Limits = Limits { receipts: 100, sessions: 10, capsules: 10, per_group: 100 };

	#[test]
	fn groups_are_dense_from_each_sessions_next_number() {
		let pending =
			vec![r(1, 4, 7, 1_000), r(1, 5, 8, 1_500), r(1, 6, 7, 1_200), r(2, 9, 7, 900)];
		// Session 1 posted up to 4 already; session 2 has a gap (expects 8).
		let p = plan(3, &pending, |s| Some(if s == 1 { 5 } else { 8 }), WIDE).unwrap();
		assert_eq!(p.ranges, vec![(1, 5, 6)]);
		assert_eq!(p.batch.gateway, 3);
		assert_eq!(p.batch.time_ms, 1_500);
		assert_eq!(p.batch.capsules.to_vec(), vec![8, 7]);
		let g = &p.batch.groups[0];
		assert_eq!((g.session, g.first_seq), (1, 5));
		let ages: Vec<(u32, u32)> = g.receipts.iter().map(|c| (c.capsule, c.age_ms)).collect();
		assert_eq!(ages, vec![(0, 0), (1, 300)]);
		assert_eq!(
			g.receipts[0].units,
			Units { input: 10, output: 20, cache_read: 3, cache_write: 4 }
		);
		assert_eq!(p.receipts.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![5, 6]);
		// Resolving it gives back each receipt's own time.
		let resolved = p.batch.resolve(u32::MAX).unwrap();
		assert_eq!(resolved.iter().map(|r| r.time_ms).collect::<Vec<_>>(), vec![1_500, 1_200]);
		// Nothing to post: unknown sessions wait.
		assert!(plan(3, &pending, |_| None, WIDE).is_none());
	}

	#[test]
	fn every_bound_ends_a_group_without_splitting_a_number() {
		let pending: Vec<Stored> = (1..=5)
			.map(|seq| r(1, seq, seq, 1_000))
			.chain((1..=3).map(|seq| r(2, seq, 1, 1_000)))
			.collect();
		let first = |_| Some(1);
		let count = |l: Limits| plan(0, &pending, first, l).map(|p| p.ranges);
		assert_eq!(count(Limits { receipts: 3, ..WIDE }), Some(vec![(1, 1, 3)]));
		assert_eq!(count(Limits { per_group: 2, ..WIDE }), Some(vec![(1, 1, 2), (2, 1, 2)]));
		assert_eq!(count(Limits { sessions: 1, ..WIDE }), Some(vec![(1, 1, 5)]));
		// Two capsule slots: session 1 stops at its third capsule; session 2's capsule 1 is in
		// the table already.
		assert_eq!(count(Limits { capsules: 2, ..WIDE }), Some(vec![(1, 1, 2), (2, 1, 3)]));
	}

	#[test]
	fn a_very_old_receipt_is_sent_at_the_largest_age() {
		let pending = vec![r(1, 1, 1, 0), r(1, 2, 1, u64::from(u32::MAX) + 10)];
		let p = plan(0, &pending, |_| Some(1), WIDE).unwrap();
		assert_eq!(p.batch.groups[0].receipts[0].age_ms, u32::MAX);
	}
}
