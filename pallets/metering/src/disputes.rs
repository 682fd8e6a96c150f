//! Disputes and rollbacks: what happens to a receipt after its batch settled. The batch's
//! commitment is kept for the dispute window and then pruned; a settled receipt is rolled back
//! by its gateway or disputed by its seeker with its leaf and a proof against the commitment;
//! one [`Mark`] per leaf (so per `(session, seq)`) stops a second rollback or dispute of the
//! same receipt. [`Config::DisputeOrigin`] rules: upheld, the reserve refunds the seeker and a
//! bond (the capsule's or the gateway's) makes the reserve whole; rejected, the seeker's deposit
//! goes to the reserve. Disputes opened under version 1 (by receipt id) are ruled the same way.

use crate::{
	pallet::{
		CommitmentCursor, Commitments, Config, Error, Event, HoldReason, LeafOf, Marks,
		NextBatchId, Pallet, ReceiptDisputes,
	},
	BatchId, Charge, ChargeOf, Commitment, Dispute, Mark, Ruling,
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use nexus_primitives::{
	receipts::{verify, Proof, Verdict},
	traits::{CapsuleBondSlash, CapsuleHealth, FeeDestinations, GatewayBondSlash, Outcome},
};

impl<T: Config> Pallet<T> {
	/// The commitment of `batch` and the index of `leaf` in it, if `proof` shows that `leaf` is
	/// one of its leaves.
	fn proven(
		batch: BatchId,
		leaf: &LeafOf<T>,
		proof: &Proof,
	) -> Result<(Commitment, u32), DispatchError> {
		let c = Commitments::<T>::get(batch).ok_or(Error::<T>::UnknownBatch)?;
		ensure!(proof.leaves == c.leaves, Error::<T>::BadProof);
		ensure!(verify(&c.root, leaf, proof), Error::<T>::BadProof);
		Ok((c, proof.index))
	}

	/// Fails unless the receipt at `index` of `batch` was neither rolled back nor disputed:
	/// each receipt is taken back at most once, whichever way.
	fn unmarked(batch: BatchId, index: u32) -> DispatchResult {
		match Marks::<T>::get(batch, index) {
			None => Ok(()),
			Some(Mark::RolledBack | Mark::DisputeUpheld) => Err(Error::<T>::AlreadyRefunded.into()),
			Some(Mark::Disputed | Mark::DisputeRejected) => Err(Error::<T>::AlreadyDisputed.into()),
		}
	}

	/// The charge a settled leaf records, as refunds and rulings take it.
	fn charge_of(
		gateway: crate::GatewayId,
		leaf: &LeafOf<T>,
	) -> Result<ChargeOf<T>, DispatchError> {
		ensure!(leaf.verdict == Verdict::Settled, Error::<T>::NotCharged);
		// A settled leaf always names its capsule's provider.
		let provider = leaf.provider.clone().ok_or(Error::<T>::NotCharged)?;
		Ok(Charge {
			session: leaf.session,
			seeker: leaf.seeker.clone(),
			gateway,
			capsule: leaf.capsule,
			provider,
			asset: leaf.asset.clone(),
			net: leaf.charge,
			provider_amount: leaf.provider_amount,
			timestamp: leaf.time_ms,
			refunded: false,
			disputed: false,
		})
	}

	/// Rolls a settled receipt back (see `roll_back`): refunds the seeker from the reserve in
	/// full (or fails), slashes the capsule's bond for what the provider was paid.
	pub(crate) fn do_roll_back(
		who: T::AccountId,
		batch: BatchId,
		leaf: LeafOf<T>,
		proof: Proof,
	) -> DispatchResult {
		let (c, index) = Self::proven(batch, &leaf, &proof)?;
		Self::active_gateway_of(&who, c.gateway)?;
		let charge = Self::charge_of(c.gateway, &leaf)?;
		Self::unmarked(batch, index)?;
		let refunded = Self::refund(&charge).map_err(|_| Error::<T>::ReserveShortfall)?;
		let owed = Self::native_equivalent(&charge.asset, charge.provider_amount);
		// The bond covers what it can: a capsule with less bond (or retired and gone) yields
		// less, and the refund above does not depend on it.
		let slashed =
			T::Capsules::slash_bond(charge.capsule, owed, &T::Destinations::reserve()).unwrap_or(0);
		let _ = T::Capsules::record_outcome(charge.capsule, Outcome::RolledBack);
		Marks::<T>::insert(batch, index, Mark::RolledBack);
		Self::deposit_event(Event::LeafRolledBack {
			batch,
			index,
			session: leaf.session,
			seq: leaf.seq,
			refunded,
			slashed,
		});
		Ok(())
	}

	/// Opens a dispute of a settled receipt (see `dispute_receipt`).
	pub(crate) fn do_dispute_receipt(
		who: T::AccountId,
		batch: BatchId,
		leaf: LeafOf<T>,
		proof: Proof,
	) -> DispatchResult {
		let (c, index) = Self::proven(batch, &leaf, &proof)?;
		let mut charge = Self::charge_of(c.gateway, &leaf)?;
		ensure!(charge.seeker == who, Error::<T>::NotYourReceipt);
		ensure!(
			Self::now_ms() <= charge.timestamp.saturating_add(T::DisputeWindowMs::get()),
			Error::<T>::DisputeWindowClosed
		);
		Self::unmarked(batch, index)?;
		let deposit = T::DisputeDeposit::get();
		T::Currency::hold(&HoldReason::DisputeDeposit.into(), &who, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		charge.disputed = true;
		Marks::<T>::insert(batch, index, Mark::Disputed);
		ReceiptDisputes::<T>::insert(batch, index, Dispute { charge, deposit });
		Self::deposit_event(Event::LeafDisputed {
			batch,
			index,
			session: leaf.session,
			seq: leaf.seq,
			seeker: who,
			deposit,
		});
		Ok(())
	}

	/// Rules on a dispute of a receipt (see `resolve_receipt_dispute`).
	pub(crate) fn do_resolve_receipt_dispute(
		batch: BatchId,
		index: u32,
		ruling: Ruling,
	) -> DispatchResult {
		let d = ReceiptDisputes::<T>::take(batch, index).ok_or(Error::<T>::UnknownDispute)?;
		let (refunded, slashed) = Self::rule(&d, ruling)?;
		// Once the commitment is pruned the marker has gone with it: no receipt of the batch can
		// be disputed any more.
		if Commitments::<T>::contains_key(batch) {
			let mark = if ruling == Ruling::Rejected {
				Mark::DisputeRejected
			} else {
				Mark::DisputeUpheld
			};
			Marks::<T>::insert(batch, index, mark);
		}
		Self::deposit_event(Event::LeafDisputeResolved { batch, index, ruling, refunded, slashed });
		Ok(())
	}

	/// Prunes commitments whose dispute window has passed, oldest first, with their markers,
	/// within `limit`; returns the weight used. Open disputes keep their own copy of the
	/// charge and are not touched.
	pub(crate) fn prune_commitments(limit: Weight) -> Weight {
		let db = T::DbWeight::get();
		let per_batch = db.reads_writes(2, 2);
		let per_mark = db.writes(1);
		let now_ms = Self::now_ms();
		let next = NextBatchId::<T>::get();
		let mut used = db.reads(2);
		if used.any_gt(limit) {
			return Weight::zero();
		}
		let mut cursor = CommitmentCursor::<T>::get();
		while cursor < next {
			if used.saturating_add(per_batch).any_gt(limit) {
				break;
			}
			used.saturating_accrue(per_batch);
			if let Some(c) = Commitments::<T>::get(cursor) {
				if c.expires_ms > now_ms {
					// Expiries grow with the batch id (chain time only moves forward).
					break;
				}
				// Markers are one per rolled-back or disputed receipt; clear what fits, and
				// come back for the rest.
				let room =
					limit.saturating_sub(used).ref_time().checked_div(per_mark.ref_time().max(1));
				let room = u32::try_from(room.unwrap_or(0)).unwrap_or(u32::MAX);
				let cleared = Marks::<T>::clear_prefix(cursor, room, None);
				used.saturating_accrue(per_mark.saturating_mul(u64::from(cleared.backend)));
				if cleared.maybe_cursor.is_some() {
					break;
				}
				Commitments::<T>::remove(cursor);
			}
			cursor = cursor.saturating_add(1);
		}
		CommitmentCursor::<T>::put(cursor);
		used
	}

	/// Executes `ruling` on dispute `d`: upheld, the reserve refunds the seeker and the
	/// provider's capsule bond or the gateway's bond is slashed; rejected, the deposit goes to
	/// the reserve. Returns (refunded, slashed).
	pub(crate) fn rule(
		d: &crate::pallet::DisputeOf<T>,
		ruling: Ruling,
	) -> Result<(u128, u128), DispatchError> {
		use frame_support::traits::tokens::{Fortitude, Restriction};
		let reserve = T::Destinations::reserve();
		let seeker = d.charge.seeker.clone();
		match ruling {
			Ruling::Rejected => {
				T::Currency::transfer_on_hold(
					&HoldReason::DisputeDeposit.into(),
					&seeker,
					&reserve,
					d.deposit,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				)?;
				Ok((0, 0))
			},
			Ruling::ProviderAtFault | Ruling::GatewayAtFault => {
				T::Currency::release(
					&HoldReason::DisputeDeposit.into(),
					&seeker,
					d.deposit,
					Precision::BestEffort,
				)?;
				let refunded = Self::refund(&d.charge)?;
				let slashed = if ruling == Ruling::ProviderAtFault {
					let amount = Self::native_equivalent(&d.charge.asset, d.charge.provider_amount);
					// A capsule retired and released since the charge has no bond left: the
					// reserve alone covers the refund, and the dispute still resolves.
					use nexus_primitives::traits::CapsuleRegistry;
					if T::Capsules::terms(d.charge.capsule).is_some() {
						T::Capsules::slash_bond(d.charge.capsule, amount, &reserve)?
					} else {
						0
					}
				} else {
					let amount = Self::native_equivalent(&d.charge.asset, d.charge.net);
					Self::slash_gateway(d.charge.gateway, amount, &reserve)?
				};
				Ok((refunded, slashed))
			},
		}
	}

	/// Rules on a dispute opened under version 1 (see `resolve_dispute`).
	pub(crate) fn do_resolve_dispute(id: crate::ReceiptId, ruling: Ruling) -> DispatchResult {
		let d = crate::Disputes::<T>::take(id).ok_or(Error::<T>::UnknownDispute)?;
		let (refunded, slashed) = Self::rule(&d, ruling)?;
		Self::deposit_event(Event::DisputeResolved { id, ruling, refunded, slashed });
		Ok(())
	}
}
