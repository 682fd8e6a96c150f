//! Settlement of a version-1 receipt batch (`submit_receipts`): verdicts computed against an
//! in-memory view of the touched state ([`Ledgers`] for the money side), then written once per
//! item (session, ledger, usage counter, capsule, destination, receipt record).

use crate::{
	pallet::{
		ChargeOf, Config, Error, Event, Pallet, ReceiptExpiry, Receipts, RecordOf, SessionOf,
		Sessions,
	},
	view::Ledgers,
	Charge, GatewayId, Receipt, ReceiptId, ReceiptRecord, RejectReason, SessionId,
};
use alloc::{
	collections::{BTreeMap, BTreeSet},
	vec::Vec,
};
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	receipts::Units,
	traits::{
		CapsuleBondSlash, CapsuleRegistry, CapsuleTerms, FeeDestinations, Outcome, ReserveFund,
		TierProvider,
	},
};
use sp_core::sr25519;

/// The state a batch touches, loaded once and written once.
struct Batch<T: Config> {
	gateway: GatewayId,
	now: BlockNumberFor<T>,
	now_ms: u64,
	sessions: BTreeMap<SessionId, Option<SessionOf<T>>>,
	terms: BTreeMap<u64, Option<CapsuleTerms<T::AccountId>>>,
	money: Ledgers<T>,
	/// New or changed records with the gateway time that dates them (for pruning).
	records: BTreeMap<ReceiptId, (RecordOf<T>, u64)>,
	seen: BTreeSet<ReceiptId>,
}

/// What happened to one accepted receipt.
enum Verdict {
	Settled,
	Recorded,
	RolledBack,
}

impl<T: Config> Batch<T> {
	fn session(&mut self, id: SessionId) -> Option<SessionOf<T>> {
		self.sessions.entry(id).or_insert_with(|| Sessions::<T>::get(id)).clone()
	}

	fn terms(&mut self, capsule: u64) -> Option<CapsuleTerms<T::AccountId>> {
		self.terms.entry(capsule).or_insert_with(|| T::Capsules::terms(capsule)).clone()
	}

	fn record(&mut self, id: ReceiptId) -> Option<RecordOf<T>> {
		match self.records.get(&id) {
			Some((r, _)) => Some(r.clone()),
			None => Receipts::<T>::get(id),
		}
	}

	/// Judges one receipt; on `Ok` its effects are in the view, on `Err` nothing changed.
	fn judge(&mut self, r: &Receipt) -> Result<Verdict, RejectReason> {
		ensure!(!self.seen.contains(&r.id), RejectReason::DuplicateReceipt);
		ensure!(
			r.timestamp >= self.now_ms.saturating_sub(T::ReceiptWindowMs::get()),
			RejectReason::ReceiptExpired
		);
		ensure!(
			r.timestamp <= self.now_ms.saturating_add(T::ClockSkewMs::get()),
			RejectReason::TimestampInFuture
		);
		let mut session = self.session(r.session).ok_or(RejectReason::UnknownSession)?;
		ensure!(session.gateway == self.gateway, RejectReason::WrongGateway);
		// A known id is a replay, unless it is the rollback of that id's charge.
		let existing = self.record(r.id);
		let rollback_of = match existing {
			Some(ReceiptRecord::Charged(charge)) if r.outcome == Outcome::RolledBack =>
				Some(charge),
			Some(_) => return Err(RejectReason::DuplicateReceipt),
			None => None,
		};
		ensure!(r.seq > session.last_seq, RejectReason::SequenceNotIncreasing);
		if let Some((_, closed_ms)) = session.closed {
			ensure!(r.timestamp <= closed_ms, RejectReason::SessionClosed);
		}
		ensure!(self.now < session.release_at, RejectReason::SessionExpired);
		if let Some(charge) = rollback_of {
			return self.roll_back(r, session, charge);
		}
		let terms = self.terms(r.capsule).ok_or(RejectReason::UnknownCapsule)?;

		if r.outcome != Outcome::Served {
			session.last_seq = r.seq;
			self.sessions.insert(r.session, Some(session));
			self.money.outcome(r.capsule, r.outcome);
			self.records.insert(r.id, (ReceiptRecord::NotCharged, r.timestamp));
			return Ok(Verdict::Recorded);
		}

		let units = r.input_units.saturating_add(r.output_units);
		ensure!(units > 0, RejectReason::ZeroUnits);
		ensure!(terms.active, RejectReason::CapsuleNotActive);
		let seeker = session.seeker.clone();
		ensure!(!terms.premium || T::Tiers::premium_lanes(&seeker), RejectReason::LaneNotAllowed);
		let used = self.money.used(&seeker).saturating_add(units);
		ensure!(used <= T::Tiers::usage_limit(&seeker), RejectReason::UsageCapExceeded);
		// A v1 receipt meters plain input and output only.
		let metered = Units::plain(r.input_units, r.output_units);
		let q = Pallet::<T>::price(&seeker, &terms, &metered, &session.asset)?;
		let spent = session.spent.checked_add(q.net).ok_or(RejectReason::OverCap)?;
		ensure!(spent <= session.cap, RejectReason::OverCap);
		let asset = session.asset.clone();
		let ledger = self.money.ledger(&seeker, &asset);
		// `committed` backs every session's unspent cap (try_state), so this cannot fail.
		ledger.committed = ledger.committed.checked_sub(q.net).ok_or(RejectReason::OverCap)?;

		// Accepted: apply to the view.
		session.spent = spent;
		session.last_seq = r.seq;
		self.sessions.insert(r.session, Some(session));
		self.money.set_used(seeker.clone(), used);
		self.money.book(&seeker, &terms.provider, &asset, 1, q.net_pricing, &q.legs);
		self.money.outcome(r.capsule, Outcome::Served);
		let charge = ReceiptRecord::Charged(Charge {
			session: r.session,
			seeker: seeker.clone(),
			gateway: self.gateway,
			capsule: r.capsule,
			provider: terms.provider.clone(),
			asset: asset.clone(),
			net: q.net,
			provider_amount: q.legs.provider,
			timestamp: r.timestamp,
			refunded: false,
			disputed: false,
		});
		self.records.insert(r.id, (charge, r.timestamp));
		Pallet::<T>::deposit_event(Event::ReceiptSettled {
			id: r.id,
			session: r.session,
			capsule: r.capsule,
			seeker,
			provider: terms.provider,
			asset,
			list: q.list,
			discount: q.discount,
			net: q.net,
			to_provider: q.legs.provider,
			to_treasury: q.legs.treasury,
			to_buyback: q.legs.buyback,
			to_validators: q.legs.validators,
			to_reserve: q.legs.reserve,
		});
		Ok(Verdict::Settled)
	}

	/// A rollback of an earlier charge: refund from the reserve into the seeker's free escrow,
	/// slash the capsule's bond for what the provider was paid.
	fn roll_back(
		&mut self,
		r: &Receipt,
		mut session: SessionOf<T>,
		mut charge: ChargeOf<T>,
	) -> Result<Verdict, RejectReason> {
		ensure!(charge.session == r.session, RejectReason::RollbackSessionMismatch);
		ensure!(!charge.refunded, RejectReason::AlreadyRefunded);
		ensure!(!charge.disputed, RejectReason::UnderDispute);
		// The refund comes from the reserve's balance as it is now (credits of this batch are
		// paid out at the end, so a refund never uses them), in full or not at all: when the
		// reserve is short the rollback is rejected and the charge stays refundable later.
		<T as Config>::Reserve::pay(&charge.asset, &Pallet::<T>::account_id(), charge.net)
			.map_err(|_| RejectReason::ReserveShortfall)?;
		let paid = charge.net;
		let ledger = self.money.ledger(&charge.seeker, &charge.asset);
		ledger.free = ledger.free.saturating_add(paid);
		let owed = Pallet::<T>::native_equivalent(&charge.asset, charge.provider_amount);
		// The bond covers what it can: a capsule with less bond (or since retired and gone)
		// yields less, and the refund above does not depend on it.
		let slashed =
			T::Capsules::slash_bond(charge.capsule, owed, &T::Destinations::reserve()).unwrap_or(0);
		charge.refunded = true;
		Pallet::<T>::note_refunded(&charge);
		let dated = charge.timestamp;
		session.last_seq = r.seq;
		self.sessions.insert(r.session, Some(session));
		self.money.outcome(charge.capsule, Outcome::RolledBack);
		self.records.insert(r.id, (ReceiptRecord::Charged(charge), dated));
		Pallet::<T>::deposit_event(Event::ReceiptRolledBack { id: r.id, refunded: paid, slashed });
		Ok(Verdict::RolledBack)
	}

	/// Writes the view back: the money side once per item, then sessions and records.
	fn apply(self) -> DispatchResult {
		self.money.apply()?;
		for (id, s) in self.sessions {
			if let Some(s) = s {
				Sessions::<T>::insert(id, s);
			}
		}
		let bucket_ms = T::ReceiptBucketMs::get().max(1);
		for (id, (record, dated)) in self.records {
			let is_new = !Receipts::<T>::contains_key(id);
			Receipts::<T>::insert(id, record);
			if is_new {
				let bucket = dated.checked_div(bucket_ms).unwrap_or(0);
				ReceiptExpiry::<T>::insert(bucket, id, ());
				// A receipt may be older than the pruning cursor (another in its batch, or an
				// earlier batch, set it to a later bucket), but never older than the window,
				// which the cursor never passes: the cursor moves back to it.
				Pallet::<T>::prune_from(bucket);
			}
		}
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// Verifies and settles a batch (see the pallet docs).
	pub(crate) fn do_submit_receipts(
		who: T::AccountId,
		gateway: GatewayId,
		receipts: Vec<Receipt>,
		signature: sr25519::Signature,
	) -> DispatchResult {
		let len = u32::try_from(receipts.len()).map_err(|_| Error::<T>::BatchTooLarge)?;
		ensure!(len > 0, Error::<T>::EmptyBatch);
		ensure!(len <= T::MaxBatch::get(), Error::<T>::BatchTooLarge);
		let g = Self::active_gateway_of(&who, gateway)?;
		let payload = Self::signing_payload(gateway, &receipts);
		ensure!(
			sp_io::crypto::sr25519_verify(&signature, &payload, &g.key),
			Error::<T>::BadSignature
		);

		let now = frame_system::Pallet::<T>::block_number();
		let mut batch = Batch::<T> {
			gateway,
			now,
			now_ms: Self::now_ms(),
			sessions: BTreeMap::new(),
			terms: BTreeMap::new(),
			money: Ledgers::new(now),
			records: BTreeMap::new(),
			seen: BTreeSet::new(),
		};
		let (mut settled, mut recorded, mut rejected) = (0u32, 0u32, 0u32);
		for r in &receipts {
			match batch.judge(r) {
				Ok(Verdict::Settled) => settled = settled.saturating_add(1),
				Ok(Verdict::Recorded) => {
					recorded = recorded.saturating_add(1);
					Self::deposit_event(Event::ReceiptRecorded {
						id: r.id,
						capsule: r.capsule,
						outcome: r.outcome,
					});
				},
				Ok(Verdict::RolledBack) => recorded = recorded.saturating_add(1),
				Err(reason) => {
					rejected = rejected.saturating_add(1);
					Self::deposit_event(Event::ReceiptRejected { id: r.id, reason });
				},
			}
			batch.seen.insert(r.id);
		}
		batch.apply()?;
		Self::deposit_event(Event::BatchProcessed { gateway, settled, recorded, rejected });
		Ok(())
	}
}
