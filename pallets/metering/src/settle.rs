//! Settlement of a receipt batch: verdicts computed against an in-memory view of the touched
//! state, then written once per item (session, ledger, usage counter, capsule, destination).

use crate::{
	pallet::{
		ChargeOf, Config, Error, Escrow, Event, Pallet, ReceiptExpiry, Receipts, RecordOf,
		SessionOf, Sessions, Usage,
	},
	Charge, EscrowLedger, GatewayId, Receipt, ReceiptId, ReceiptRecord, RejectReason, SessionId,
};
use alloc::{
	collections::{BTreeMap, BTreeSet},
	vec::Vec,
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungibles::Mutate, tokens::Preservation},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	settlement::Legs,
	traits::{
		CapsuleBondSlash, CapsuleHealth, CapsuleRegistry, CapsuleTerms, FeeDestinations, FeePolicy,
		Outcome, ReserveFund, TierProvider, UsageObserver,
	},
};
use sp_core::sr25519;
use sp_runtime::traits::{CheckedDiv, Saturating, Zero};

/// The state a batch touches, loaded once and written once.
struct Batch<T: Config> {
	gateway: GatewayId,
	now: BlockNumberFor<T>,
	now_ms: u64,
	window: BlockNumberFor<T>,
	sessions: BTreeMap<SessionId, Option<SessionOf<T>>>,
	escrow: BTreeMap<(T::AccountId, T::AssetKind), EscrowLedger>,
	usage: BTreeMap<T::AccountId, (BlockNumberFor<T>, u64)>,
	terms: BTreeMap<u64, Option<CapsuleTerms<T::AccountId>>>,
	outcomes: BTreeMap<u64, Vec<Outcome>>,
	credits: BTreeMap<(T::AssetKind, T::AccountId), u128>,
	flows: BTreeMap<T::AssetKind, (u32, u128, Legs)>,
	/// Settled volume (pricing unit) per (seeker, provider), for the usage programmes.
	served: BTreeMap<(T::AccountId, T::AccountId), u128>,
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

	fn ledger(&mut self, who: &T::AccountId, asset: &T::AssetKind) -> &mut EscrowLedger {
		self.escrow
			.entry((who.clone(), asset.clone()))
			.or_insert_with(|| Escrow::<T>::get(who, asset))
	}

	fn used(&mut self, who: &T::AccountId) -> u64 {
		let window = self.window;
		let (w, units) = *self.usage.entry(who.clone()).or_insert_with(|| Usage::<T>::get(who));
		if w == window {
			units
		} else {
			0
		}
	}

	fn credit(&mut self, asset: &T::AssetKind, to: T::AccountId, amount: u128) {
		if amount > 0 {
			let c = self.credits.entry((asset.clone(), to)).or_default();
			*c = c.saturating_add(amount);
		}
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
			self.outcomes.entry(r.capsule).or_default().push(r.outcome);
			self.records.insert(r.id, (ReceiptRecord::NotCharged, r.timestamp));
			return Ok(Verdict::Recorded);
		}

		let units = r.input_units.saturating_add(r.output_units);
		ensure!(units > 0, RejectReason::ZeroUnits);
		ensure!(terms.active, RejectReason::CapsuleNotActive);
		let seeker = session.seeker.clone();
		ensure!(!terms.premium || T::Tiers::premium_lanes(&seeker), RejectReason::LaneNotAllowed);
		let used = self.used(&seeker).saturating_add(units);
		ensure!(used <= T::Tiers::usage_limit(&seeker), RejectReason::UsageCapExceeded);
		let q = Pallet::<T>::price(&seeker, &terms, r.input_units, r.output_units, &session.asset)?;
		let spent = session.spent.checked_add(q.net).ok_or(RejectReason::OverCap)?;
		ensure!(spent <= session.cap, RejectReason::OverCap);
		let asset = session.asset.clone();
		let ledger = self.ledger(&seeker, &asset);
		// `committed` backs every session's unspent cap (try_state), so this cannot fail.
		ledger.committed = ledger.committed.checked_sub(q.net).ok_or(RejectReason::OverCap)?;

		// Accepted: apply to the view.
		session.spent = spent;
		session.last_seq = r.seq;
		self.sessions.insert(r.session, Some(session));
		self.usage.insert(seeker.clone(), (self.window, used));
		self.credit(&asset, terms.provider.clone(), q.legs.provider);
		self.credit(&asset, T::Destinations::treasury(), q.legs.treasury);
		self.credit(&asset, T::Destinations::buyback(), q.legs.buyback);
		self.credit(&asset, T::Destinations::validators(), q.legs.validators);
		self.credit(&asset, T::Destinations::reserve(), q.legs.reserve);
		let flow = self.flows.entry(asset.clone()).or_default();
		flow.0 = flow.0.saturating_add(1);
		flow.1 = flow.1.saturating_add(q.net_pricing);
		flow.2.accrue(&q.legs);
		let served = self.served.entry((seeker.clone(), terms.provider.clone())).or_default();
		*served = served.saturating_add(q.net_pricing);
		self.outcomes.entry(r.capsule).or_default().push(Outcome::Served);
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
		let ledger = self.ledger(&charge.seeker, &charge.asset);
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
		self.outcomes.entry(charge.capsule).or_default().push(Outcome::RolledBack);
		self.records.insert(r.id, (ReceiptRecord::Charged(charge), dated));
		Pallet::<T>::deposit_event(Event::ReceiptRolledBack { id: r.id, refunded: paid, slashed });
		Ok(Verdict::RolledBack)
	}

	/// Writes the view back: transfers once per destination, then state once per item.
	fn apply(self) -> DispatchResult {
		let escrow = Pallet::<T>::account_id();
		for ((asset, to), amount) in &self.credits {
			T::Assets::transfer(asset.clone(), &escrow, to, *amount, Preservation::Preserve)?;
		}
		for (id, s) in self.sessions {
			if let Some(s) = s {
				Sessions::<T>::insert(id, s);
			}
		}
		for ((who, asset), l) in self.escrow {
			Pallet::<T>::write_escrow(&who, &asset, l);
		}
		for (who, u) in self.usage {
			Usage::<T>::insert(who, u);
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
		for (capsule, outcomes) in self.outcomes {
			// The capsule was read in this batch; it cannot have vanished since.
			let _ = T::Capsules::record_outcomes(capsule, &outcomes);
		}
		for (asset, (count, volume, legs)) in self.flows {
			T::Policy::note_settled(&asset, count, volume, &legs);
		}
		for ((seeker, provider), volume) in self.served {
			T::Usage::on_settled(&seeker, &provider, volume);
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
		let window_len = T::UsageWindow::get();
		let window = now.checked_div(&window_len).unwrap_or_else(Zero::zero);
		let mut batch = Batch::<T> {
			gateway,
			now,
			now_ms: Self::now_ms(),
			window: window.saturating_mul(window_len),
			sessions: BTreeMap::new(),
			escrow: BTreeMap::new(),
			usage: BTreeMap::new(),
			terms: BTreeMap::new(),
			outcomes: BTreeMap::new(),
			credits: BTreeMap::new(),
			flows: BTreeMap::new(),
			served: BTreeMap::new(),
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
