//! What a finalized batch decided about each of its receipts, from the batch and its
//! `metering.BatchSettled` event: pure, so that it is tested without a chain.
//!
//! The event carries enough to rebuild every leaf of the batch's commitment
//! ([`Settlement::leaves`], the runtime's own function); the gateway keeps each receipt's leaf
//! and proof so that its seeker can dispute it (`docs/token-model.md`).

use crate::store::{Evidence, State};
use nexus_client::{
	receipts::{self, GroupRefusal, Settlement, Verdict},
	AssetKind, ReceiptBatch,
};
use subxt::{ext::codec::Encode, utils::AccountId32};

/// The ruling on one receipt, by its `(session, seq)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
	pub session: u64,
	pub seq: u64,
	pub state: State,
	/// Its leaf and proof (receipts of refused groups have none: nothing was committed).
	pub evidence: Option<Evidence>,
}

/// What the poster learns from a batch's refused groups: the number the chain expected next
/// for a session when it judged the batch (its `last_seq + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
	/// A gap: an earlier batch of the session never landed.
	Gap { session: u64, next_seq: u64 },
	/// Judged already up to `next_seq - 1` (by another batch: a repost after a failure that
	/// was included after all); what follows is not judged yet.
	Replayed { session: u64, next_seq: u64 },
}

impl Hint {
	/// Moves the poster's cursor to the number the chain expects: both refusals mean that
	/// nothing from there on was judged, whatever was posted after it (posting it again is
	/// refused as replayed if a later batch judges it first).
	pub fn apply(&self, cursors: &super::Cursors) {
		match *self {
			Hint::Gap { session, next_seq } | Hint::Replayed { session, next_seq } =>
				cursors.set(session, next_seq),
		}
	}
}

fn hex0x(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// The rulings of `batch`, judged in block `block` as `settlement` reports, committed under
/// `batch_id`; and what the refused groups tell the poster ([`Hint`]). Receipts of groups refused
/// as `Replayed` were judged in another batch; those of groups refused for an unknown session or
/// another gateway's session are rejected for good.
pub fn rulings(
	batch: &ReceiptBatch,
	batch_id: Option<u64>,
	settlement: &Settlement<AccountId32, AssetKind>,
	block: &str,
) -> Result<(Vec<Ruling>, Vec<Hint>), receipts::RebuildError> {
	let leaves = settlement.leaves(batch)?;
	let hashes: Vec<_> = leaves.iter().map(receipts::leaf_hash).collect();
	let proofs = receipts::proofs(&hashes);
	let mut out = Vec::with_capacity(batch.len());
	for (leaf, proof) in leaves.iter().zip(proofs) {
		let state = match leaf.verdict {
			Verdict::Settled =>
				State::Settled { net: leaf.charge.to_string(), block: block.to_string() },
			Verdict::Recorded => State::Recorded { block: block.to_string() },
			Verdict::Rejected(why) =>
				State::Rejected { reason: format!("{why:?}"), block: block.to_string() },
		};
		let evidence = batch_id.map(|batch| Evidence {
			batch,
			leaf: hex0x(&leaf.encode()),
			proof: hex0x(&proof.encode()),
		});
		out.push(Ruling { session: leaf.session, seq: leaf.seq, state, evidence });
	}
	let mut hints = Vec::new();
	for (index, why) in &settlement.refused {
		let Some(group) = batch.groups.get(*index as usize) else { continue };
		match why {
			GroupRefusal::UnknownSession | GroupRefusal::WrongGateway =>
				for seq in (0..group.receipts.len() as u64).map(|i| group.first_seq + i) {
					out.push(Ruling {
						session: group.session,
						seq,
						state: State::Rejected {
							reason: format!("{why:?}"),
							block: block.to_string(),
						},
						evidence: None,
					});
				},
			GroupRefusal::SequenceGap { last_seq } => hints
				.push(Hint::Gap { session: group.session, next_seq: last_seq.saturating_add(1) }),
			GroupRefusal::Replayed { last_seq } => hints.push(Hint::Replayed {
				session: group.session,
				next_seq: last_seq.saturating_add(1),
			}),
		}
	}
	Ok((out, hints))
}

#[cfg(test)]
mod tests {
	use super::*;
	use nexus_client::{
		receipts::{
			CapsuleSettled, CompactReceipt, GroupSettled, Leaf, Proof, ReceiptOutcome,
			SessionGroup, Units,
		},
		settlement::{price_request, FeeParams, Rate, UnitPrices},
	};
	use subxt::ext::codec::Decode;

	fn served(input: u64) -> CompactReceipt {
		CompactReceipt {
			outcome: ReceiptOutcome::Served,
			capsule: 0,
			units: Units { input, output: 10, cache_read: 50, cache_write: 5 },
			age_ms: 0,
		}
	}

	fn group(
		session: u64,
		first_seq: u64,
		receipts: Vec<CompactReceipt>,
	) -> SessionGroup<nexus_client::Unbounded> {
		SessionGroup { session, first_seq, receipts: receipts.try_into().unwrap() }
	}

	#[test]
	fn rulings_rebuild_each_leaf_with_its_proof_and_read_the_refusals() {
		let failed = CompactReceipt { outcome: ReceiptOutcome::Failed, ..served(0) };
		let batch = ReceiptBatch {
			gateway: 0,
			time_ms: 1_790_000_000_000,
			capsules: vec![7].try_into().unwrap(),
			groups: vec![
				group(1, 5, vec![served(100), failed]),
				group(2, 1, vec![served(1)]),
				group(3, 9, vec![served(1)]),
				group(4, 2, vec![served(1)]),
			]
			.try_into()
			.unwrap(),
		};
		let prices =
			UnitPrices { input: 3_000, output: 15_000, cache_read: 300, cache_write: 3_750 };
		let params = FeeParams::defaults();
		let settlement = Settlement {
			params,
			capsules: vec![CapsuleSettled { capsule: 7, provider: AccountId32([2; 32]), prices }],
			groups: vec![GroupSettled {
				session: 1,
				first_seq: 5,
				receipts: 2,
				seeker: AccountId32([1; 32]),
				asset: AssetKind::Native,
				discount: Default::default(),
				spent: 0,
			}],
			assets: vec![],
			rejected: vec![],
			refused: vec![
				(1, GroupRefusal::UnknownSession),
				(2, GroupRefusal::SequenceGap { last_seq: 6 }),
				(3, GroupRefusal::Replayed { last_seq: 3 }),
			],
		};
		// Without the asset's rate the settled receipt cannot be rebuilt: named, not guessed.
		assert!(rulings(&batch, Some(42), &settlement, "0xb").is_err());
		let settlement = Settlement {
			assets: vec![receipts::AssetSettled {
				asset: AssetKind::Native,
				rate: Rate::Par,
				settled: 1,
				net_pricing: 0,
				legs: Default::default(),
			}],
			..settlement
		};
		let (found, hints) = rulings(&batch, Some(42), &settlement, "0xb").unwrap();
		let units = Units { input: 100, output: 10, cache_read: 50, cache_write: 5 };
		let charge =
			price_request(&units, &prices, Default::default(), &Rate::Par, &params).unwrap();
		assert_eq!(found.len(), 3);
		assert_eq!((found[0].session, found[0].seq), (1, 5));
		assert_eq!(
			found[0].state,
			State::Settled { net: charge.net.to_string(), block: "0xb".into() }
		);
		assert_eq!((found[1].seq, &found[1].state), (6, &State::Recorded { block: "0xb".into() }));
		assert_eq!(
			(found[2].session, found[2].seq, &found[2].state, &found[2].evidence),
			(
				2,
				1,
				&State::Rejected { reason: "UnknownSession".into(), block: "0xb".into() },
				&None
			)
		);
		assert_eq!(
			hints,
			vec![Hint::Gap { session: 3, next_seq: 7 }, Hint::Replayed { session: 4, next_seq: 4 }]
		);
		// Each leaf and proof, as served to the seeker, verifies against the batch's root.
		let leaves: Vec<Leaf<AccountId32, AssetKind>> = found[..2]
			.iter()
			.map(|r| {
				let e = r.evidence.as_ref().unwrap();
				assert_eq!(e.batch, 42);
				Leaf::decode(&mut &hex::decode(&e.leaf[2..]).unwrap()[..]).unwrap()
			})
			.collect();
		assert_eq!(leaves[0].charge, charge.net);
		assert_eq!(leaves[0].provider_amount, charge.legs.provider);
		let root =
			receipts::commitment_root(&leaves.iter().map(receipts::leaf_hash).collect::<Vec<_>>());
		for (r, leaf) in found[..2].iter().zip(&leaves) {
			let e = r.evidence.as_ref().unwrap();
			let proof = Proof::decode(&mut &hex::decode(&e.proof[2..]).unwrap()[..]).unwrap();
			assert!(receipts::verify(&root, leaf, &proof));
		}
	}
}
