//! Receipt batches, version 2: what a gateway posts to settle the requests it served, the one
//! payload it signs, and the commitment that keeps every receipt disputable after the batch is
//! settled (docs/token-model.md, "Receipts").
//!
//! Defined once here and used by the metering pallet, the gateway, the Rust client and (through
//! the runtime's metadata) the JS package, so that no party re-encodes a receipt by hand.
//!
//! ## The batch
//!
//! ```text
//! batch    = gateway, time, capsules[], groups[]
//! group    = session, first_seq, receipts[]          (receipt i has sequence first_seq + i)
//! receipt  = outcome, capsule index, units, age      (all integers compact)
//! units    = input, output, cache read, cache write
//! ```
//!
//! Replay protection is by dense sequence numbers per session: the chain accepts a group only
//! when `first_seq` is the session's last sequence number + 1, and every receipt of an accepted
//! group consumes its number, whether it is settled or rejected. Each `(session, seq)` is
//! therefore judged once, ever, and the chain keeps one number per session instead of one entry
//! per receipt. A receipt's time is the batch's time minus its `age` in milliseconds, and its
//! capsule an index into the batch's capsule table: a served request of a few thousand units
//! encodes in about a dozen bytes.
//!
//! ## The commitment
//!
//! The chain judges each receipt and commits to the result: one [`Leaf`] per receipt (session,
//! sequence number, seeker, asset, capsule, provider, units, outcome, time, verdict, charge and
//! the provider's amount),
//! hashed with its own domain tag ([`leaf_hash`]), in a binary Merkle tree whose root the chain
//! keeps for the dispute window ([`commitment_root`]). A seeker disputes one receipt with its
//! leaf and a [`Proof`]; nothing else of the receipt is stored on chain.

use crate::{
	settlement::{price_request, FeeParams, Legs, PriceError, Rate, UnitPrices},
	traits::ConversionError,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{Get, H256};
use sp_runtime::{
	traits::{BlakeTwo256, Hash as _},
	BoundedVec, Perbill,
};

#[cfg(not(feature = "std"))]
use alloc::vec::Vec;

/// The domain tag of a batch's signing payload.
pub const BATCH_CONTEXT: &[u8] = b"nexus-vault/receipts/v2";
/// The domain tag of a receipt's leaf in a batch's commitment.
pub const LEAF_CONTEXT: &[u8] = b"nexus-vault/receipt-leaf/v2";
/// The deepest proof a commitment can need: 2^32 leaves.
pub const MAX_PROOF_DEPTH: u32 = 32;

pub use nexus_economics::units::Units;

/// How a request ended. Rollbacks are not receipts: they refer to a settled receipt by its leaf.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum ReceiptOutcome {
	/// Served: charged for its units.
	Served,
	/// The upstream failed: never charged (it still consumes its sequence number and counts
	/// against the capsule's trust).
	Failed,
}

/// One receipt inside a [`SessionGroup`].
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct CompactReceipt {
	/// Served or failed.
	pub outcome: ReceiptOutcome,
	/// Index of the capsule in the batch's capsule table.
	#[codec(compact)]
	pub capsule: u32,
	/// Metered units.
	pub units: Units,
	/// Milliseconds between the request and the batch's time.
	#[codec(compact)]
	pub age_ms: u32,
}

/// A session's receipts in one batch: sequence numbers `first_seq`, `first_seq + 1`, ….
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxPerGroup))]
pub struct SessionGroup<MaxPerGroup: Get<u32>> {
	/// The session charged.
	#[codec(compact)]
	pub session: u64,
	/// The first receipt's sequence number.
	#[codec(compact)]
	pub first_seq: u64,
	/// The receipts, in sequence order.
	pub receipts: BoundedVec<CompactReceipt, MaxPerGroup>,
}

/// What a gateway posts: its receipts grouped by session, signed once
/// ([`signing_payload`]).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
#[scale_info(skip_type_params(MaxCapsules, MaxGroups, MaxPerGroup))]
pub struct ReceiptBatch<MaxCapsules: Get<u32>, MaxGroups: Get<u32>, MaxPerGroup: Get<u32>> {
	/// The posting gateway.
	#[codec(compact)]
	pub gateway: u32,
	/// The batch's time (gateway clock, milliseconds since the Unix epoch); each receipt's time
	/// is this minus its age.
	#[codec(compact)]
	pub time_ms: u64,
	/// The capsules the receipts refer to, by index.
	pub capsules: BoundedVec<u64, MaxCapsules>,
	/// The receipts, by session; each session at most once.
	pub groups: BoundedVec<SessionGroup<MaxPerGroup>, MaxGroups>,
}

// `Clone`, `PartialEq`, `Eq` and `Debug` without bounds on the `Get` parameters (the derives
// would ask them of the bound types, which only carry a number).
impl<P: Get<u32>> Clone for SessionGroup<P> {
	fn clone(&self) -> Self {
		Self { session: self.session, first_seq: self.first_seq, receipts: self.receipts.clone() }
	}
}
impl<P: Get<u32>> PartialEq for SessionGroup<P> {
	fn eq(&self, other: &Self) -> bool {
		(self.session, self.first_seq, &self.receipts[..]) ==
			(other.session, other.first_seq, &other.receipts[..])
	}
}
impl<P: Get<u32>> Eq for SessionGroup<P> {}
impl<P: Get<u32>> core::fmt::Debug for SessionGroup<P> {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("SessionGroup")
			.field("session", &self.session)
			.field("first_seq", &self.first_seq)
			.field("receipts", &&self.receipts[..])
			.finish()
	}
}
impl<C: Get<u32>, G: Get<u32>, P: Get<u32>> Clone for ReceiptBatch<C, G, P> {
	fn clone(&self) -> Self {
		Self {
			gateway: self.gateway,
			time_ms: self.time_ms,
			capsules: self.capsules.clone(),
			groups: self.groups.clone(),
		}
	}
}
impl<C: Get<u32>, G: Get<u32>, P: Get<u32>> PartialEq for ReceiptBatch<C, G, P> {
	fn eq(&self, other: &Self) -> bool {
		(self.gateway, self.time_ms, &self.capsules[..], &self.groups[..]) ==
			(other.gateway, other.time_ms, &other.capsules[..], &other.groups[..])
	}
}
impl<C: Get<u32>, G: Get<u32>, P: Get<u32>> Eq for ReceiptBatch<C, G, P> {}
impl<C: Get<u32>, G: Get<u32>, P: Get<u32>> core::fmt::Debug for ReceiptBatch<C, G, P> {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.debug_struct("ReceiptBatch")
			.field("gateway", &self.gateway)
			.field("time_ms", &self.time_ms)
			.field("capsules", &&self.capsules[..])
			.field("groups", &&self.groups[..])
			.finish()
	}
}

/// A receipt of a batch with everything resolved: its sequence number, capsule id and time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ResolvedReceipt {
	/// Index of the session's group in the batch.
	pub group: u32,
	/// The session.
	pub session: u64,
	/// Its sequence number.
	pub seq: u64,
	/// The capsule's id.
	pub capsule: u64,
	/// Metered units.
	pub units: Units,
	/// Served or failed.
	pub outcome: ReceiptOutcome,
	/// Gateway time of the request (milliseconds since the Unix epoch).
	pub time_ms: u64,
}

/// Why a batch is malformed (the whole batch is refused; nothing is judged).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum BatchError {
	/// The batch holds no receipt.
	EmptyBatch,
	/// A group holds no receipt.
	EmptyGroup,
	/// A session has two groups in one batch.
	DuplicateSession,
	/// A receipt's capsule index is not in the capsule table.
	UnknownCapsuleIndex,
	/// The capsule table names a capsule twice, or one no receipt uses.
	UnusedOrRepeatedCapsule,
	/// A group's sequence numbers would pass `u64::MAX`.
	SequenceOverflow,
	/// A receipt's age is larger than the batch's time.
	TimeUnderflow,
	/// More receipts than the batch bound.
	TooManyReceipts,
}

impl<C: Get<u32>, G: Get<u32>, P: Get<u32>> ReceiptBatch<C, G, P> {
	/// Receipts in the batch.
	pub fn len(&self) -> usize {
		self.groups.iter().map(|g| g.receipts.len()).fold(0, usize::saturating_add)
	}

	/// Whether the batch holds no receipt.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}

	/// Checks the batch's shape and resolves every receipt, in batch order. `max_receipts`
	/// bounds the total over all groups.
	pub fn resolve(&self, max_receipts: u32) -> Result<Vec<ResolvedReceipt>, BatchError> {
		let total = self.len();
		if total == 0 {
			return Err(BatchError::EmptyBatch);
		}
		if total > max_receipts as usize {
			return Err(BatchError::TooManyReceipts);
		}
		let mut sessions: Vec<u64> = self.groups.iter().map(|g| g.session).collect();
		sessions.sort_unstable();
		if sessions.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
			return Err(BatchError::DuplicateSession);
		}
		let mut used = Vec::new();
		used.resize(self.capsules.len(), false);
		let mut out = Vec::with_capacity(total);
		for (group, g) in (0u32..).zip(self.groups.iter()) {
			if g.receipts.is_empty() {
				return Err(BatchError::EmptyGroup);
			}
			for (offset, r) in (0u64..).zip(g.receipts.iter()) {
				let seq = g.first_seq.checked_add(offset).ok_or(BatchError::SequenceOverflow)?;
				let index = r.capsule as usize;
				let capsule = *self.capsules.get(index).ok_or(BatchError::UnknownCapsuleIndex)?;
				if let Some(u) = used.get_mut(index) {
					*u = true;
				}
				let time_ms = self
					.time_ms
					.checked_sub(u64::from(r.age_ms))
					.ok_or(BatchError::TimeUnderflow)?;
				out.push(ResolvedReceipt {
					group,
					session: g.session,
					seq,
					capsule,
					units: r.units,
					outcome: r.outcome,
					time_ms,
				});
			}
		}
		let mut capsules: Vec<u64> = self.capsules.to_vec();
		capsules.sort_unstable();
		if used.contains(&false) || capsules.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
			return Err(BatchError::UnusedOrRepeatedCapsule);
		}
		Ok(out)
	}
}

/// What the gateway's key signs for `batch` on the chain whose genesis hash is `genesis`:
/// `blake2_256(BATCH_CONTEXT ‖ genesis ‖ SCALE(batch))`. The batch names the gateway, so a
/// signature is bound to one gateway, one chain and one batch.
pub fn signing_payload<C: Get<u32>, G: Get<u32>, P: Get<u32>>(
	genesis: &H256,
	batch: &ReceiptBatch<C, G, P>,
) -> [u8; 32] {
	let mut bytes = Vec::with_capacity(
		BATCH_CONTEXT.len().saturating_add(32).saturating_add(batch.encoded_size()),
	);
	bytes.extend_from_slice(BATCH_CONTEXT);
	bytes.extend_from_slice(genesis.as_bytes());
	batch.encode_to(&mut bytes);
	BlakeTwo256::hash(&bytes).0
}

/// Why the chain refused a whole session group: its receipts were not judged, consumed no
/// sequence number and have no leaf (the gateway resubmits them, or drops them, as the reason
/// says).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum GroupRefusal {
	/// No such session: never opened, or already released.
	UnknownSession,
	/// The session belongs to another gateway.
	WrongGateway,
	/// `first_seq` is not above the session's last number: these receipts were judged already.
	Replayed {
		/// The session's last sequence number.
		last_seq: u64,
	},
	/// `first_seq` is beyond the session's last number + 1: a group is missing before this one.
	SequenceGap {
		/// The session's last sequence number.
		last_seq: u64,
	},
}

/// Why the chain rejected one receipt of an accepted group (it still consumed its number).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Rejection {
	/// The request is older than the receipt window.
	Expired,
	/// The request's time is ahead of chain time by more than the allowed clock skew.
	InFuture,
	/// The session was closed before the request, or its grace period is over.
	SessionClosed,
	/// The session expired before the request (beyond its grace period).
	SessionExpired,
	/// No such capsule.
	UnknownCapsule,
	/// The capsule is paused, suspended or retired.
	CapsuleNotActive,
	/// The seeker's tier does not include premium lanes.
	LaneNotAllowed,
	/// A served receipt with zero units.
	ZeroUnits,
	/// The charge would take the session over its cap.
	OverCap,
	/// The seeker's tier usage cap for the window would be exceeded.
	UsageCapExceeded,
	/// The escrow does not cover the charge.
	InsufficientEscrow,
	/// The price cannot be expressed in the session's asset.
	Conversion(ConversionError),
	/// Units × price overflowed.
	PriceOverflow,
}

/// What the chain decided for one receipt.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Verdict {
	/// Served and charged.
	Settled,
	/// Failed upstream: recorded, not charged.
	Recorded,
	/// Rejected, not charged.
	Rejected(Rejection),
}

/// One receipt as the chain judged it: a leaf of its batch's commitment.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct Leaf<AccountId, AssetKind> {
	/// The session charged.
	pub session: u64,
	/// Its sequence number in the session.
	pub seq: u64,
	/// The session's seeker, who paid (and who alone may dispute).
	pub seeker: AccountId,
	/// The session's payment asset.
	pub asset: AssetKind,
	/// The capsule that served (or failed).
	pub capsule: u64,
	/// The capsule's provider when the receipt was judged, who was paid (`None` for a capsule
	/// the chain does not know).
	pub provider: Option<AccountId>,
	/// Metered units.
	pub units: Units,
	/// Served or failed.
	pub outcome: ReceiptOutcome,
	/// Gateway time of the request (milliseconds since the Unix epoch).
	pub time_ms: u64,
	/// What the chain decided.
	pub verdict: Verdict,
	/// What the seeker paid, in the session's asset (zero unless settled).
	pub charge: u128,
	/// What the provider received of it.
	pub provider_amount: u128,
}

impl<AccountId: Clone, AssetKind: Clone> Leaf<AccountId, AssetKind> {
	/// The leaf of receipt `r` of `group` on `capsule` (`None`: a capsule the chain does not
	/// know), judged `verdict`, which charged `charge` and paid its provider `provider_amount`.
	pub fn new(
		group: &GroupSettled<AccountId, AssetKind>,
		capsule: Option<&CapsuleSettled<AccountId>>,
		r: &ResolvedReceipt,
		verdict: Verdict,
		charge: u128,
		provider_amount: u128,
	) -> Self {
		Leaf {
			session: r.session,
			seq: r.seq,
			seeker: group.seeker.clone(),
			asset: group.asset.clone(),
			capsule: r.capsule,
			provider: capsule.map(|c| c.provider.clone()),
			units: r.units,
			outcome: r.outcome,
			time_ms: r.time_ms,
			verdict,
			charge,
			provider_amount,
		}
	}
}

/// A capsule of a settled batch, as the batch's event reports it: its provider and the prices
/// in force when the batch was judged.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct CapsuleSettled<AccountId> {
	/// The capsule.
	pub capsule: u64,
	/// Its provider, who was paid.
	pub provider: AccountId,
	/// Its prices in force.
	pub prices: UnitPrices,
}

/// An accepted session group of a settled batch, as the batch's event reports it.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct GroupSettled<AccountId, AssetKind> {
	/// The session.
	pub session: u64,
	/// The first sequence number the group consumed; it consumed `receipts` of them.
	pub first_seq: u64,
	/// Receipts in the group (settled, recorded or rejected).
	pub receipts: u32,
	/// The session's seeker.
	pub seeker: AccountId,
	/// The session's asset.
	pub asset: AssetKind,
	/// The discount every charge of the group got: asset + tier, capped.
	pub discount: Perbill,
	/// Charged in this batch, in `asset`.
	pub spent: u128,
}

/// A payment asset of a settled batch, as the batch's event reports it.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct AssetSettled<AssetKind> {
	/// The asset.
	pub asset: AssetKind,
	/// The conversion from the pricing unit every charge in it used.
	pub rate: Rate,
	/// Receipts charged in it.
	pub settled: u32,
	/// Their net in the pricing unit.
	pub net_pricing: u128,
	/// Every leg, summed over the batch's charges in this asset.
	pub legs: Legs,
}

/// What a settled batch's event reports beyond the batch itself. With the batch, it is enough
/// to rebuild every leaf exactly ([`Settlement::leaves`]): the gateway does so to serve each
/// seeker its receipt's leaf and proof, and an indexer to recompute every charge.
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Settlement<AccountId, AssetKind> {
	/// The fee parameters every charge was split under.
	pub params: FeeParams,
	/// Every capsule of the batch's table that the chain knows.
	pub capsules: Vec<CapsuleSettled<AccountId>>,
	/// The accepted groups, in batch order.
	pub groups: Vec<GroupSettled<AccountId, AssetKind>>,
	/// Each asset charged in.
	pub assets: Vec<AssetSettled<AssetKind>>,
	/// Rejected receipts: (leaf index, reason). Each still consumed its number.
	pub rejected: Vec<(u32, Rejection)>,
	/// Groups refused whole: (group index in the batch, reason). Their receipts consumed no
	/// number and have no leaf.
	pub refused: Vec<(u32, GroupRefusal)>,
}

/// Why a batch's leaves cannot be rebuilt from a settlement: they do not belong together.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RebuildError {
	/// The batch is malformed.
	Batch(BatchError),
	/// The settlement's groups, assets or capsules do not match the batch.
	Mismatch,
	/// A settled receipt cannot be priced.
	Price(PriceError),
}

/// The leaf of receipt `r`, judged `verdict`, of `group` on `capsule` (`None`: a capsule the
/// chain does not know), charged at `rate` (needed only when settled) under `params`: the
/// charge of a settled receipt is [`price_request`] of its units, as the chain charged it
/// (the chain builds each leaf with [`Leaf::new`] from the price it has just charged; whoever
/// rebuilds the leaves calls this, [`Settlement::leaves`]).
pub fn leaf_of<AccountId: Clone, AssetKind: Clone>(
	group: &GroupSettled<AccountId, AssetKind>,
	capsule: Option<&CapsuleSettled<AccountId>>,
	rate: Option<&Rate>,
	params: &FeeParams,
	r: &ResolvedReceipt,
	verdict: Verdict,
) -> Result<Leaf<AccountId, AssetKind>, PriceError> {
	let (charge, provider_amount) = match (verdict, capsule, rate) {
		(Verdict::Settled, Some(c), Some(rate)) => {
			let p = price_request(&r.units, &c.prices, group.discount, rate, params)?;
			(p.net, p.legs.provider)
		},
		// A settled receipt has a known capsule and a rate; the chain never settles otherwise.
		(Verdict::Settled, _, _) => return Err(PriceError::Conversion),
		_ => (0, 0),
	};
	Ok(Leaf::new(group, capsule, r, verdict, charge, provider_amount))
}

impl<AccountId: Clone, AssetKind: Clone + PartialEq> Settlement<AccountId, AssetKind> {
	/// Every leaf of `batch` as the chain judged it, in commitment order (the receipts of the
	/// accepted groups, in batch order). Their hashes' [`commitment_root`] is the batch's root.
	pub fn leaves<C: Get<u32>, G: Get<u32>, P: Get<u32>>(
		&self,
		batch: &ReceiptBatch<C, G, P>,
	) -> Result<Vec<Leaf<AccountId, AssetKind>>, RebuildError> {
		let receipts = batch.resolve(u32::MAX).map_err(RebuildError::Batch)?;
		let mut accepted = self.groups.iter();
		// The chain lists rejections in leaf order.
		let mut rejected = self.rejected.iter().peekable();
		let mut leaves = Vec::with_capacity(receipts.len());
		let mut current: Option<(u32, &GroupSettled<AccountId, AssetKind>)> = None;
		for r in &receipts {
			if self.refused.iter().any(|(g, _)| *g == r.group) {
				continue;
			}
			let group = match current {
				Some((g, group)) if g == r.group => group,
				_ => {
					let group = accepted.next().ok_or(RebuildError::Mismatch)?;
					if group.session != r.session {
						return Err(RebuildError::Mismatch);
					}
					current = Some((r.group, group));
					group
				},
			};
			let index = u32::try_from(leaves.len()).map_err(|_| RebuildError::Mismatch)?;
			let verdict = match rejected.next_if(|(i, _)| *i == index) {
				Some((_, why)) => Verdict::Rejected(*why),
				None if r.outcome == ReceiptOutcome::Failed => Verdict::Recorded,
				None => Verdict::Settled,
			};
			let capsule = self.capsules.iter().find(|c| c.capsule == r.capsule);
			let rate = self.assets.iter().find(|a| a.asset == group.asset).map(|a| &a.rate);
			leaves.push(
				leaf_of(group, capsule, rate, &self.params, r, verdict)
					.map_err(RebuildError::Price)?,
			);
		}
		if accepted.next().is_some() || rejected.next().is_some() {
			return Err(RebuildError::Mismatch);
		}
		Ok(leaves)
	}
}

/// A leaf's hash: `blake2_256(LEAF_CONTEXT ‖ SCALE(leaf))`. The tree hashes it once more before
/// pairing, so a leaf (32 bytes) can never pass for an inner node (64 bytes).
pub fn leaf_hash<A: Encode, K: Encode>(leaf: &Leaf<A, K>) -> H256 {
	let mut bytes = Vec::with_capacity(LEAF_CONTEXT.len().saturating_add(leaf.encoded_size()));
	bytes.extend_from_slice(LEAF_CONTEXT);
	leaf.encode_to(&mut bytes);
	BlakeTwo256::hash(&bytes)
}

/// The commitment to a batch's leaves, in batch order (a binary Merkle tree of blake2-256; an
/// odd node is promoted; see `binary-merkle-tree`).
pub fn commitment_root(leaves: &[H256]) -> H256 {
	binary_merkle_tree::merkle_root::<BlakeTwo256, _>(leaves.iter().map(|h| h.as_bytes()))
}

/// The path from one leaf to its batch's commitment.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Proof {
	/// The leaf's index in the batch.
	pub index: u32,
	/// Leaves in the batch.
	pub leaves: u32,
	/// The sibling hashes, from the leaf up.
	pub siblings: BoundedVec<H256, sp_core::ConstU32<MAX_PROOF_DEPTH>>,
}

/// The proof for leaf `index` of `leaves`, or `None` when there is no such leaf.
pub fn proof(leaves: &[H256], index: u32) -> Option<Proof> {
	if index as usize >= leaves.len() {
		return None;
	}
	let p = binary_merkle_tree::merkle_proof::<BlakeTwo256, _, _>(
		leaves.iter().map(|h| h.as_bytes()),
		index,
	);
	Some(Proof { index, leaves: p.number_of_leaves, siblings: BoundedVec::try_from(p.proof).ok()? })
}

/// The proofs of every leaf of `leaves`, in order: what [`proof`] gives for each index, from one
/// pass over the tree (a gateway proves every receipt of a batch it posted; asking [`proof`]
/// for each would rebuild the tree once per leaf).
pub fn proofs(leaves: &[H256]) -> Vec<Proof> {
	let Ok(count) = u32::try_from(leaves.len()) else { return Vec::new() };
	// The tree as `binary-merkle-tree` builds it: each leaf hashed, then pairs hashed level by
	// level, an odd last node promoted as it is.
	let mut levels: Vec<Vec<H256>> = Vec::new();
	levels.push(leaves.iter().map(|l| BlakeTwo256::hash(l.as_bytes())).collect());
	while let Some(level) = levels.last().filter(|l| l.len() > 1) {
		let up = level
			.chunks(2)
			.map(|pair| match pair {
				[a, b] => {
					let mut both = [0u8; 64];
					both[..32].copy_from_slice(a.as_bytes());
					both[32..].copy_from_slice(b.as_bytes());
					BlakeTwo256::hash(&both)
				},
				[a] => *a,
				_ => H256::zero(),
			})
			.collect();
		levels.push(up);
	}
	(0..count)
		.map(|index| {
			let mut siblings = Vec::new();
			let mut at = index as usize;
			for level in &levels {
				if level.len() <= 1 {
					break;
				}
				let sibling = if at % 2 == 1 { at.checked_sub(1) } else { at.checked_add(1) };
				if let Some(h) = sibling.and_then(|s| level.get(s)) {
					siblings.push(*h);
				}
				at /= 2;
			}
			Proof { index, leaves: count, siblings: BoundedVec::truncate_from(siblings) }
		})
		.collect()
}

/// Whether `leaf` is leaf `proof.index` of the batch committed to by `root`.
pub fn verify<A: Encode, K: Encode>(root: &H256, leaf: &Leaf<A, K>, proof: &Proof) -> bool {
	let hash = leaf_hash(leaf);
	binary_merkle_tree::verify_proof::<BlakeTwo256, _, _>(
		root,
		proof.siblings.iter().copied(),
		proof.leaves,
		proof.index,
		&hash.as_bytes(),
	)
}

#[cfg(test)]
mod tests {
	#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects, clippy::indexing_slicing)]
	use super::*;
	use sp_core::ConstU32;

	type Batch = ReceiptBatch<ConstU32<64>, ConstU32<64>, ConstU32<1024>>;
	type Group = SessionGroup<ConstU32<1024>>;

	fn receipt(capsule: u32, input: u64, output: u64, age_ms: u32) -> CompactReceipt {
		CompactReceipt {
			outcome: ReceiptOutcome::Served,
			capsule,
			units: Units { input, output, cache_read: 0, cache_write: 0 },
			age_ms,
		}
	}

	fn group(session: u64, first_seq: u64, receipts: Vec<CompactReceipt>) -> Group {
		Group { session, first_seq, receipts: BoundedVec::truncate_from(receipts) }
	}

	fn batch(capsules: Vec<u64>, groups: Vec<Group>) -> Batch {
		Batch {
			gateway: 0,
			time_ms: 1_790_000_000_000,
			capsules: BoundedVec::truncate_from(capsules),
			groups: BoundedVec::truncate_from(groups),
		}
	}

	#[test]
	fn all_proofs_at_once_equal_each_proof_and_verify() {
		for n in 1..=40u64 {
			let leaves: Vec<Leaf<u64, u32>> = (1..=n).map(leaf).collect();
			let hashes: Vec<H256> = leaves.iter().map(leaf_hash).collect();
			let root = commitment_root(&hashes);
			let all = proofs(&hashes);
			assert_eq!(all.len() as u64, n);
			for (i, p) in all.iter().enumerate() {
				assert_eq!(Some(p.clone()), proof(&hashes, i as u32), "{n} leaves, leaf {i}");
				assert!(verify(&root, &leaves[i], p));
			}
		}
		assert!(proofs(&[]).is_empty());
	}

	fn leaf(seq: u64) -> Leaf<u64, u32> {
		Leaf {
			session: 7,
			seq,
			seeker: 42,
			asset: 1,
			capsule: 3,
			provider: Some(9),
			units: Units { input: 1_200, output: 300, cache_read: 40_000, cache_write: 2_000 },
			outcome: ReceiptOutcome::Served,
			time_ms: 1_790_000_000_000,
			verdict: Verdict::Settled,
			charge: 1_000,
			provider_amount: 850,
		}
	}

	fn settlement(groups: Vec<GroupSettled<u64, u32>>) -> Settlement<u64, u32> {
		Settlement {
			params: FeeParams::defaults(),
			capsules: vec![CapsuleSettled {
				capsule: 11,
				provider: 9,
				prices: UnitPrices {
					input: 3_000,
					output: 15_000,
					cache_read: 300,
					cache_write: 3_750,
				},
			}],
			groups,
			assets: vec![AssetSettled {
				asset: 1,
				rate: Rate::Par,
				settled: 1,
				net_pricing: 0,
				legs: Legs::default(),
			}],
			rejected: vec![],
			refused: vec![],
		}
	}

	fn settled_group(session: u64) -> GroupSettled<u64, u32> {
		GroupSettled {
			session,
			first_seq: 1,
			receipts: 1,
			seeker: 42,
			asset: 1,
			discount: Perbill::from_percent(10),
			spent: 0,
		}
	}

	#[test]
	fn leaves_are_rebuilt_from_a_settlement_and_mismatches_are_named() {
		let b = batch(vec![11], vec![group(5, 1, vec![receipt(0, 1_000, 200, 0)])]);
		let leaves = settlement(vec![settled_group(5)]).leaves(&b).unwrap();
		assert_eq!(leaves.len(), 1);
		// 1,000 × 3 + 200 × 15 = 6,000, less 10%: 5,400; the provider keeps 85%.
		assert_eq!((leaves[0].charge, leaves[0].provider_amount), (5_400, 4_590));
		assert_eq!((leaves[0].seeker, leaves[0].provider), (42, Some(9)));
		// The settlement of another session, of no group, or with a stray rejection.
		let wrong = settlement(vec![settled_group(6)]);
		assert_eq!(wrong.leaves(&b), Err(RebuildError::Mismatch));
		assert_eq!(settlement(vec![]).leaves(&b), Err(RebuildError::Mismatch));
		let mut stray = settlement(vec![settled_group(5)]);
		stray.rejected = vec![(3, Rejection::OverCap)];
		assert_eq!(stray.leaves(&b), Err(RebuildError::Mismatch));
		// A refused group has no leaf.
		let mut refused = settlement(vec![]);
		refused.refused = vec![(0, GroupRefusal::Replayed { last_seq: 4 })];
		assert_eq!(refused.leaves(&b), Ok(vec![]));
		// A settled receipt on a capsule the settlement does not know cannot be priced.
		let mut unknown = settlement(vec![settled_group(5)]);
		unknown.capsules.clear();
		assert_eq!(unknown.leaves(&b), Err(RebuildError::Price(PriceError::Conversion)));
	}

	#[test]
	fn a_batch_resolves_sequence_numbers_capsules_and_times() {
		let b = batch(
			vec![11, 12],
			vec![
				group(5, 100, vec![receipt(1, 10, 20, 0), receipt(0, 1, 2, 1_500)]),
				group(9, 1, vec![receipt(0, 3, 4, 60_000)]),
			],
		);
		let r = b.resolve(16).unwrap();
		assert_eq!(r.len(), 3);
		let shape: Vec<_> = r.iter().map(|r| (r.group, r.session, r.seq, r.capsule)).collect();
		assert_eq!(shape, vec![(0, 5, 100, 12), (0, 5, 101, 11), (1, 9, 1, 11)]);
		assert_eq!(r[1].time_ms, b.time_ms - 1_500);
		assert_eq!(r[2].units, Units { input: 3, output: 4, cache_read: 0, cache_write: 0 });
	}

	#[test]
	fn malformed_batches_fail_with_their_error() {
		let ok = || group(1, 1, vec![receipt(0, 1, 1, 0)]);
		let cases = [
			(batch(vec![1], vec![]), BatchError::EmptyBatch),
			(batch(vec![1], vec![ok(), group(2, 1, vec![])]), BatchError::EmptyGroup),
			(batch(vec![1], vec![ok(), ok()]), BatchError::DuplicateSession),
			(
				batch(vec![1], vec![group(1, 1, vec![receipt(1, 1, 1, 0)])]),
				BatchError::UnknownCapsuleIndex,
			),
			(batch(vec![1, 1], vec![ok()]), BatchError::UnusedOrRepeatedCapsule),
			(batch(vec![1, 2], vec![ok()]), BatchError::UnusedOrRepeatedCapsule),
			(
				batch(vec![1], vec![group(1, u64::MAX, vec![receipt(0, 1, 1, 0); 2])]),
				BatchError::SequenceOverflow,
			),
			(
				Batch {
					time_ms: 5,
					..batch(vec![1], vec![group(1, 1, vec![receipt(0, 1, 1, 6)])])
				},
				BatchError::TimeUnderflow,
			),
			(
				batch(vec![1], vec![group(1, 1, vec![receipt(0, 1, 1, 0); 5])]),
				BatchError::TooManyReceipts,
			),
		];
		for (b, error) in cases {
			assert_eq!(b.resolve(4), Err(error), "{b:?}");
		}
		assert_eq!(
			batch(vec![1], vec![group(1, u64::MAX, vec![receipt(0, 1, 1, 0)])])
				.resolve(4)
				.map(|r| r.len()),
			Ok(1)
		);
	}

	#[test]
	fn a_served_request_encodes_in_a_dozen_bytes() {
		let one = batch(vec![3], vec![group(7, 1, vec![receipt(0, 1_200, 300, 900)])]);
		let two = batch(vec![3], vec![group(7, 1, vec![receipt(0, 1_200, 300, 900); 2])]);
		let per_receipt = two.encoded_size() - one.encoded_size();
		// outcome 1, capsule index 1, input 2, output 2, cache read 1, cache write 1, age 2.
		assert_eq!(per_receipt, 10);
		assert_eq!(Batch::decode(&mut &two.encode()[..]).unwrap(), two);
	}

	#[test]
	fn the_payload_binds_the_chain_and_every_byte_of_the_batch() {
		let b = batch(vec![3], vec![group(7, 1, vec![receipt(0, 1_200, 300, 900)])]);
		let genesis = H256::repeat_byte(1);
		let payload = signing_payload(&genesis, &b);
		assert_ne!(payload, signing_payload(&H256::repeat_byte(2), &b));
		let mut other = b.clone();
		other.gateway = 1;
		assert_ne!(payload, signing_payload(&genesis, &other));
		let mut other = b.clone();
		other.groups[0].receipts[0].units.cache_read = 1;
		assert_ne!(payload, signing_payload(&genesis, &other));
		let mut expected = BATCH_CONTEXT.to_vec();
		expected.extend_from_slice(genesis.as_bytes());
		expected.extend(b.encode());
		assert_eq!(payload, BlakeTwo256::hash(&expected).0);
	}

	#[test]
	fn every_leaf_proves_into_its_root_and_nothing_else_does() {
		for n in 1..=37u64 {
			let leaves: Vec<Leaf<u64, u32>> = (0..n).map(leaf).collect();
			let hashes: Vec<H256> = leaves.iter().map(leaf_hash).collect();
			let root = commitment_root(&hashes);
			for (i, l) in (0u32..).zip(leaves.iter()) {
				let p = proof(&hashes, i).unwrap();
				assert!(verify(&root, l, &p), "leaf {i} of {n}");
				let mut other = *l;
				other.charge += 1;
				assert!(!verify(&root, &other, &p), "a changed leaf {i} of {n}");
				if n > 1 {
					let wrong = Proof { index: (i + 1) % n as u32, ..p.clone() };
					assert!(!verify(&root, l, &wrong), "leaf {i} of {n} at another index");
				}
				assert!(!verify(&H256::repeat_byte(9), l, &p));
			}
			assert_eq!(proof(&hashes, n as u32), None);
		}
	}

	#[test]
	fn a_leaf_hash_is_domain_separated() {
		let l = leaf(1);
		assert_ne!(leaf_hash(&l), BlakeTwo256::hash(&l.encode()));
	}
}
