//! Gateways, escrow, sessions, releases, pruning, disputes, pricing and invariants.

use crate::{
	pallet::{
		ApiKeys, ChargeOf, Config, Disputes, Error, Escrow, Event, GatewayOf, Gateways, HoldReason,
		NextGatewayId, NextSessionId, Pallet, PruneCursor, ReceiptExpiry, Receipts, ReleaseCursor,
		ReleaseQueue, SeekerSessions, SessionKeys, SessionOf, Sessions,
	},
	weights::WeightInfo,
	Dispute, Gateway, GatewayId, GatewayStatus, QuoteBreakdown, ReceiptId, ReceiptRecord,
	RejectReason, Ruling, SessionId, SimulatedLine, SimulatedTotals, Simulation, SimulationError,
	WorkloadLine, MAX_WORKLOAD_LINES, RECEIPTS_CONTEXT,
};
use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		fungibles::Mutate,
		tokens::{Fortitude, Precision, Preservation, Restriction},
		UnixTime,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	receipts::Units,
	settlement::{combined_discount, price_request, FeeParams, PriceError},
	traits::{
		CapsuleTerms, ConversionError, FeePolicy, GatewayBondSlash, ReserveFund, TierProvider,
		UsageObserver,
	},
};
use sp_core::sr25519;
use sp_runtime::{
	traits::{AccountIdConversion, One, Saturating, Zero},
	Perbill, Permill,
};

impl<T: Config> Pallet<T> {
	/// The escrow account: holds every seeker's escrow.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// Chain time in milliseconds.
	pub(crate) fn now_ms() -> u64 {
		u64::try_from(T::Time::now().as_millis()).unwrap_or(u64::MAX)
	}

	/// The payload a gateway signs for a batch: `blake2_256(RECEIPTS_CONTEXT ‖ genesis hash ‖
	/// gateway id ‖ SCALE(receipts))`.
	pub fn signing_payload(gateway: GatewayId, receipts: &[crate::Receipt]) -> [u8; 32] {
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let mut data = Vec::from(RECEIPTS_CONTEXT);
		genesis.encode_to(&mut data);
		gateway.encode_to(&mut data);
		receipts.encode_to(&mut data);
		sp_io::hashing::blake2_256(&data)
	}

	// ---- gateways ----

	/// Registers a gateway, holding its bond from the operator.
	pub fn do_register_gateway(
		operator: T::AccountId,
		key: sr25519::Public,
		bond: u128,
	) -> Result<GatewayId, DispatchError> {
		ensure!(bond >= T::MinGatewayBond::get(), Error::<T>::BondTooLow);
		ensure!(!GatewayOf::<T>::contains_key(&operator), Error::<T>::OperatorAlreadyRegistered);
		let id = NextGatewayId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		T::Currency::hold(&HoldReason::GatewayBond.into(), &operator, bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Gateways::<T>::insert(
			id,
			Gateway {
				operator: operator.clone(),
				key,
				bond,
				status: GatewayStatus::Active,
				open_sessions: 0,
			},
		);
		GatewayOf::<T>::insert(&operator, id);
		NextGatewayId::<T>::put(next);
		Self::deposit_event(Event::GatewayRegistered { id, operator, key, bond });
		Ok(id)
	}

	pub(crate) fn set_gateway_status(id: GatewayId, status: GatewayStatus) -> DispatchResult {
		Gateways::<T>::try_mutate(id, |g| {
			let g = g.as_mut().ok_or(Error::<T>::UnknownGateway)?;
			g.status = status;
			Ok(())
		})
	}

	pub(crate) fn do_remove_gateway(id: GatewayId) -> DispatchResult {
		let g = Gateways::<T>::get(id).ok_or(Error::<T>::UnknownGateway)?;
		ensure!(g.open_sessions == 0, Error::<T>::GatewayBusy);
		T::Currency::release(
			&HoldReason::GatewayBond.into(),
			&g.operator,
			g.bond,
			Precision::Exact,
		)?;
		Gateways::<T>::remove(id);
		GatewayOf::<T>::remove(&g.operator);
		Self::deposit_event(Event::GatewayRemoved { id, bond: g.bond });
		Ok(())
	}

	/// `gateway` if `who` operates it and it is active.
	pub(crate) fn active_gateway_of(
		who: &T::AccountId,
		gateway: GatewayId,
	) -> Result<Gateway<T::AccountId>, DispatchError> {
		let g = Gateways::<T>::get(gateway).ok_or(Error::<T>::UnknownGateway)?;
		ensure!(&g.operator == who, Error::<T>::NotOperator);
		ensure!(g.status == GatewayStatus::Active, Error::<T>::GatewaySuspended);
		Ok(g)
	}

	// ---- escrow ----

	pub(crate) fn do_deposit(
		who: T::AccountId,
		asset: T::AssetKind,
		amount: u128,
	) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(T::Policy::is_payment_asset(&asset), Error::<T>::UnsupportedAsset);
		let mut ledger = Escrow::<T>::get(&who, &asset);
		ledger.free = ledger.free.checked_add(amount).ok_or(Error::<T>::Overflow)?;
		T::Assets::transfer(
			asset.clone(),
			&who,
			&Self::account_id(),
			amount,
			Preservation::Preserve,
		)
		.map_err(|_| Error::<T>::InsufficientBalance)?;
		Escrow::<T>::insert(&who, &asset, ledger);
		Self::deposit_event(Event::Deposited { who, asset, amount });
		Ok(())
	}

	pub(crate) fn do_withdraw(
		who: T::AccountId,
		asset: T::AssetKind,
		amount: u128,
	) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		let now = frame_system::Pallet::<T>::block_number();
		for id in SeekerSessions::<T>::get(&who) {
			if let Some(s) = Sessions::<T>::get(id) {
				if now >= s.release_at {
					Self::do_release(id, s)?;
				}
			}
		}
		let mut ledger = Escrow::<T>::get(&who, &asset);
		ensure!(ledger.free >= amount, Error::<T>::InsufficientEscrow);
		ledger.free = ledger.free.saturating_sub(amount); // checked just above
		T::Assets::transfer(
			asset.clone(),
			&Self::account_id(),
			&who,
			amount,
			Preservation::Preserve,
		)?;
		Self::write_escrow(&who, &asset, ledger);
		Self::deposit_event(Event::Withdrawn { who, asset, amount });
		Ok(())
	}

	/// Writes a ledger, removing it when empty.
	pub(crate) fn write_escrow(who: &T::AccountId, asset: &T::AssetKind, l: crate::EscrowLedger) {
		if l.free == 0 && l.committed == 0 {
			Escrow::<T>::remove(who, asset);
		} else {
			Escrow::<T>::insert(who, asset, l);
		}
	}

	// ---- sessions ----

	pub(crate) fn do_open_session(
		who: T::AccountId,
		gateway: GatewayId,
		asset: T::AssetKind,
		cap: u128,
		expires_at: BlockNumberFor<T>,
	) -> Result<SessionId, DispatchError> {
		ensure!(cap > 0, Error::<T>::ZeroCap);
		ensure!(T::Policy::is_payment_asset(&asset), Error::<T>::UnsupportedAsset);
		let mut g = Gateways::<T>::get(gateway).ok_or(Error::<T>::UnknownGateway)?;
		ensure!(g.status == GatewayStatus::Active, Error::<T>::GatewaySuspended);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			expires_at > now && expires_at <= now.saturating_add(T::MaxSessionDuration::get()),
			Error::<T>::BadExpiry
		);
		let mut ledger = Escrow::<T>::get(&who, &asset);
		ensure!(ledger.free >= cap, Error::<T>::InsufficientEscrow);
		let mut mine = SeekerSessions::<T>::get(&who);
		let id = NextSessionId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		mine.try_push(id).map_err(|_| Error::<T>::TooManySessions)?;
		g.open_sessions = g.open_sessions.checked_add(1).ok_or(Error::<T>::Overflow)?;
		ledger.free = ledger.free.saturating_sub(cap); // checked above
		ledger.committed = ledger.committed.checked_add(cap).ok_or(Error::<T>::Overflow)?;
		let deposit = T::SessionDeposit::get();
		T::Currency::hold(&HoldReason::SessionDeposit.into(), &who, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		let release_at = expires_at.saturating_add(T::SettlementGrace::get());
		Sessions::<T>::insert(
			id,
			SessionOf::<T> {
				seeker: who.clone(),
				gateway,
				asset: asset.clone(),
				cap,
				spent: 0,
				expires_at,
				closed: None,
				release_at,
				last_seq: 0,
				deposit,
			},
		);
		ReleaseQueue::<T>::insert(release_at, id, ());
		SeekerSessions::<T>::insert(&who, mine);
		Escrow::<T>::insert(&who, &asset, ledger);
		Gateways::<T>::insert(gateway, g);
		NextSessionId::<T>::put(next);
		Self::deposit_event(Event::SessionOpened {
			id,
			seeker: who,
			gateway,
			asset,
			cap,
			expires_at,
			deposit,
		});
		Ok(id)
	}

	pub(crate) fn do_bind_api_key(
		who: T::AccountId,
		id: SessionId,
		key_hash: sp_core::H256,
	) -> DispatchResult {
		let s = Sessions::<T>::get(id).ok_or(Error::<T>::UnknownSession)?;
		ensure!(s.seeker == who, Error::<T>::NotSessionOwner);
		ensure!(s.closed.is_none(), Error::<T>::AlreadyClosed);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= s.expires_at, Error::<T>::SessionExpired);
		ensure!(!ApiKeys::<T>::contains_key(key_hash), Error::<T>::ApiKeyInUse);
		Self::unbind_key(id);
		SessionKeys::<T>::insert(id, key_hash);
		ApiKeys::<T>::insert(key_hash, id);
		Self::deposit_event(Event::ApiKeyBound { session: id, key_hash });
		Ok(())
	}

	/// Removes a session's API-key binding, if any; returns the key hash.
	pub(crate) fn unbind_key(id: SessionId) -> Option<sp_core::H256> {
		let key_hash = SessionKeys::<T>::take(id)?;
		ApiKeys::<T>::remove(key_hash);
		Self::deposit_event(Event::ApiKeyUnbound { session: id, key_hash });
		Some(key_hash)
	}

	pub(crate) fn do_close_session(who: T::AccountId, id: SessionId) -> DispatchResult {
		let mut s = Sessions::<T>::get(id).ok_or(Error::<T>::UnknownSession)?;
		ensure!(s.seeker == who, Error::<T>::NotSessionOwner);
		ensure!(s.closed.is_none(), Error::<T>::AlreadyClosed);
		let now = frame_system::Pallet::<T>::block_number();
		s.closed = Some((now, Self::now_ms()));
		let release_at = now.saturating_add(T::SettlementGrace::get()).min(s.release_at);
		if release_at != s.release_at {
			ReleaseQueue::<T>::remove(s.release_at, id);
			ReleaseQueue::<T>::insert(release_at, id, ());
			s.release_at = release_at;
		}
		Sessions::<T>::insert(id, s);
		// A closed session takes no new requests: its key stops working now.
		Self::unbind_key(id);
		Self::deposit_event(Event::SessionClosed { id, release_at });
		Ok(())
	}

	/// Returns a session's unspent cap to free escrow and its deposit; removes it.
	pub(crate) fn do_release(id: SessionId, s: SessionOf<T>) -> DispatchResult {
		let returned = s.cap.saturating_sub(s.spent); // spent <= cap (try_state)
		let mut ledger = Escrow::<T>::get(&s.seeker, &s.asset);
		ledger.committed = ledger.committed.checked_sub(returned).ok_or(Error::<T>::Overflow)?;
		ledger.free = ledger.free.checked_add(returned).ok_or(Error::<T>::Overflow)?;
		T::Currency::release(
			&HoldReason::SessionDeposit.into(),
			&s.seeker,
			s.deposit,
			Precision::BestEffort,
		)?;
		Self::write_escrow(&s.seeker, &s.asset, ledger);
		SeekerSessions::<T>::mutate(&s.seeker, |ids| ids.retain(|x| *x != id));
		Gateways::<T>::mutate(s.gateway, |g| {
			if let Some(g) = g {
				g.open_sessions = g.open_sessions.saturating_sub(1);
			}
		});
		ReleaseQueue::<T>::remove(s.release_at, id);
		Sessions::<T>::remove(id);
		Self::unbind_key(id);
		Self::deposit_event(Event::SessionReleased {
			id,
			seeker: s.seeker,
			spent: s.spent,
			returned,
		});
		Ok(())
	}

	/// Releases due sessions within `limit` weight; returns the weight used.
	pub(crate) fn release_due(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let per_release = T::WeightInfo::release_session();
		let per_step = T::DbWeight::get().reads_writes(1, 1);
		let mut used = Weight::zero();
		let mut cursor = ReleaseCursor::<T>::get();
		// One step per block since the cursor: on-idle keeps pace with the chain (one empty
		// block costs one read), and a backlog is worked off within each block's weight.
		while cursor <= now {
			if used.saturating_add(per_release).saturating_add(per_step).any_gt(limit) {
				break;
			}
			used.saturating_accrue(per_step);
			match ReleaseQueue::<T>::iter_key_prefix(cursor).next() {
				Some(id) => {
					ReleaseQueue::<T>::remove(cursor, id);
					if let Some(s) = Sessions::<T>::get(id) {
						// Failure leaves the session for `release_session`; nothing is lost.
						let _ = Self::do_release(id, s);
					}
					used.saturating_accrue(per_release);
				},
				None => cursor = cursor.saturating_add(One::one()),
			}
		}
		ReleaseCursor::<T>::put(cursor);
		used
	}

	/// Makes sure pruning will reach `bucket`: pruning walks up from [`PruneCursor`] and never
	/// back, so a receipt id remembered in an older bucket moves the cursor back to it (0 means
	/// nothing recorded yet). Returns whether the cursor moved.
	pub(crate) fn prune_from(bucket: u64) -> bool {
		let cursor = PruneCursor::<T>::get();
		let moves = cursor == 0 || bucket < cursor;
		if moves {
			PruneCursor::<T>::put(bucket);
		}
		moves
	}

	/// Forgets receipt ids whose gateway time left the window, within `limit` weight.
	pub(crate) fn prune_receipts(limit: Weight) -> Weight {
		let per_id = T::DbWeight::get().reads_writes(1, 2);
		let per_step = T::DbWeight::get().reads_writes(1, 1);
		let bucket_ms = T::ReceiptBucketMs::get().max(1);
		// A bucket can go once every time in it is older than the window.
		let horizon = Self::now_ms()
			.saturating_sub(T::ReceiptWindowMs::get())
			.checked_div(bucket_ms)
			.unwrap_or(0);
		let mut used = Weight::zero();
		let mut cursor = PruneCursor::<T>::get();
		if cursor == 0 {
			// No receipt recorded yet (the first one sets the cursor to its bucket).
			return Weight::zero();
		}
		while cursor < horizon {
			if used.saturating_add(per_id).saturating_add(per_step).any_gt(limit) {
				break;
			}
			used.saturating_accrue(per_step);
			match ReceiptExpiry::<T>::iter_key_prefix(cursor).next() {
				Some(id) => {
					ReceiptExpiry::<T>::remove(cursor, id);
					Receipts::<T>::remove(id);
					used.saturating_accrue(per_id);
				},
				None => cursor = cursor.saturating_add(1),
			}
		}
		PruneCursor::<T>::put(cursor);
		used
	}

	// ---- disputes ----

	pub(crate) fn do_dispute(who: T::AccountId, id: ReceiptId) -> DispatchResult {
		let record = Receipts::<T>::get(id).ok_or(Error::<T>::UnknownReceipt)?;
		let ReceiptRecord::Charged(mut charge) = record else {
			return Err(Error::<T>::NotCharged.into());
		};
		ensure!(charge.seeker == who, Error::<T>::NotYourReceipt);
		ensure!(
			Self::now_ms() <= charge.timestamp.saturating_add(T::DisputeWindowMs::get()),
			Error::<T>::DisputeWindowClosed
		);
		ensure!(!charge.refunded, Error::<T>::AlreadyRefunded);
		ensure!(!charge.disputed, Error::<T>::AlreadyDisputed);
		let deposit = T::DisputeDeposit::get();
		T::Currency::hold(&HoldReason::DisputeDeposit.into(), &who, deposit)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		charge.disputed = true;
		Receipts::<T>::insert(id, ReceiptRecord::Charged(charge.clone()));
		Disputes::<T>::insert(id, Dispute { charge, deposit });
		Self::deposit_event(Event::DisputeOpened { id, seeker: who, deposit });
		Ok(())
	}

	pub(crate) fn do_resolve_dispute(id: ReceiptId, ruling: Ruling) -> DispatchResult {
		let d = Disputes::<T>::take(id).ok_or(Error::<T>::UnknownDispute)?;
		let (refunded, slashed) = Self::rule(&d, ruling)?;
		if let Some(ReceiptRecord::Charged(mut c)) = Receipts::<T>::get(id) {
			c.disputed = false;
			c.refunded = c.refunded || ruling != Ruling::Rejected;
			Receipts::<T>::insert(id, ReceiptRecord::Charged(c));
		}
		Self::deposit_event(Event::DisputeResolved { id, ruling, refunded, slashed });
		Ok(())
	}

	/// Refunds a charge's net from the reserve into the seeker's free escrow, in full (or fails
	/// when the reserve holds less); returns the amount refunded.
	pub(crate) fn refund(charge: &ChargeOf<T>) -> Result<u128, DispatchError> {
		T::Reserve::pay(&charge.asset, &Self::account_id(), charge.net)?;
		Escrow::<T>::try_mutate(&charge.seeker, &charge.asset, |l| {
			l.free = l.free.checked_add(charge.net).ok_or(Error::<T>::Overflow)?;
			Ok::<_, DispatchError>(())
		})?;
		Self::note_refunded(charge);
		Ok(charge.net)
	}

	/// Tells the usage programmes a charge no longer counts as settled usage.
	pub(crate) fn note_refunded(charge: &ChargeOf<T>) {
		let volume = T::Policy::to_pricing(&charge.asset, charge.net).unwrap_or(0);
		T::Usage::on_refunded(&charge.seeker, &charge.provider, volume);
	}

	/// `amount` of `asset` in NXV at the last NXV price (for slashes); zero without a price.
	pub(crate) fn native_equivalent(asset: &T::AssetKind, amount: u128) -> u128 {
		if *asset == T::NativeAsset::get() {
			return amount;
		}
		T::Policy::to_pricing(asset, amount).and_then(T::Policy::to_native).unwrap_or(0)
	}

	// ---- pricing ----

	/// The price of `units` on a capsule with `terms` for `seeker` paying in `asset`: what
	/// `quote` shows and what settlement charges.
	pub fn price(
		seeker: &T::AccountId,
		terms: &CapsuleTerms<T::AccountId>,
		units: &Units,
		asset: &T::AssetKind,
	) -> Result<QuoteBreakdown, RejectReason> {
		let tier = T::Tiers::commitment_discount(seeker);
		Self::price_under(&T::Policy::params(), tier, terms, units, asset)
	}

	/// The discounts a seeker whose tier gives commitment discount `tier` gets when paying in
	/// `asset` under `params`: (asset discount, tier discount, combined and capped). The one
	/// place settlement (both batch formats), `quote` and `simulate` take them from.
	pub(crate) fn discounts(
		params: &FeeParams,
		tier: Permill,
		asset: &T::AssetKind,
	) -> (Perbill, Perbill, Perbill) {
		let asset_discount = T::Policy::asset_discount_under(params, asset);
		let tier_discount = Perbill::from_parts(tier.deconstruct().saturating_mul(1_000));
		(
			asset_discount,
			tier_discount,
			combined_discount(asset_discount, tier_discount, params.max_discount),
		)
	}

	/// The price under fee parameters `params` for a seeker whose tier gives commitment
	/// discount `tier`: the one pricing function behind settlement, `quote` and `simulate`.
	pub fn price_under(
		params: &FeeParams,
		tier: Permill,
		terms: &CapsuleTerms<T::AccountId>,
		units: &Units,
		asset: &T::AssetKind,
	) -> Result<QuoteBreakdown, RejectReason> {
		let (asset_discount, tier_discount, discount) = Self::discounts(params, tier, asset);
		let rate = T::Policy::rate(asset).map_err(RejectReason::Conversion)?;
		let p =
			price_request(units, &terms.prices, discount, &rate, params).map_err(|e| match e {
				PriceError::Overflow => RejectReason::PriceOverflow,
				PriceError::Conversion => RejectReason::Conversion(ConversionError::Overflow),
			})?;
		Ok(QuoteBreakdown {
			list: p.list,
			asset_discount,
			tier_discount,
			discount,
			net_pricing: p.net_pricing,
			net: p.net,
			legs: p.legs,
		})
	}

	/// The `quote` runtime API: the price of a request of `units` on `capsule` for `seeker` in
	/// `asset`.
	pub fn quote(
		seeker: T::AccountId,
		capsule: u64,
		units: Units,
		asset: T::AssetKind,
	) -> Result<QuoteBreakdown, RejectReason> {
		let terms = Self::quotable(capsule, &asset)?;
		Self::price(&seeker, &terms, &units, &asset)
	}

	/// The terms of `capsule` if it exists and `asset` may pay.
	fn quotable(
		capsule: u64,
		asset: &T::AssetKind,
	) -> Result<CapsuleTerms<T::AccountId>, RejectReason> {
		use nexus_primitives::traits::CapsuleRegistry;
		let terms = T::Capsules::terms(capsule).ok_or(RejectReason::UnknownCapsule)?;
		if !T::Policy::is_payment_asset(asset) {
			return Err(RejectReason::Conversion(ConversionError::UnsupportedAsset));
		}
		Ok(terms)
	}

	/// The `simulate` runtime API: prices a what-if `workload` under proposed fee parameters
	/// `params`, through the same function settlement charges with, at today's capsule prices,
	/// tier table and NXV price. Each line is one request quoted for its tier, times the
	/// line's request count (exactly what settling the requests one by one would give).
	/// Refuses invalid parameters (the bounds `set_fee_parameters` enforces), an empty or
	/// oversized workload, unknown tiers, and lines settlement would refuse to price (unknown
	/// capsule, unsupported asset, a premium capsule for a tier without premium lanes, no or
	/// stale NXV price, overflow). Usage caps, session caps and capsule status aside, like
	/// `quote`.
	pub fn simulate(
		params: FeeParams,
		workload: Vec<WorkloadLine<T::AssetKind>>,
	) -> Result<Simulation<T::AssetKind>, SimulationError> {
		params.validate().map_err(SimulationError::InvalidParams)?;
		ensure!(!workload.is_empty(), SimulationError::EmptyWorkload);
		ensure!(workload.len() <= MAX_WORKLOAD_LINES as usize, SimulationError::TooManyLines);
		let mut lines = Vec::with_capacity(workload.len());
		let mut per_asset: Vec<(T::AssetKind, SimulatedTotals)> = Vec::new();
		for (index, w) in workload.into_iter().enumerate() {
			// At most MAX_WORKLOAD_LINES lines, so the index fits.
			let line = u32::try_from(index).unwrap_or(u32::MAX);
			let fail = |reason| SimulationError::Line { line, reason };
			let tier = T::Tiers::tier_terms(w.tier).ok_or(SimulationError::UnknownTier { line })?;
			let terms = Self::quotable(w.capsule, &w.asset).map_err(fail)?;
			ensure!(!terms.premium || tier.premium_lanes, fail(RejectReason::LaneNotAllowed));
			let one = Self::price_under(
				&params,
				tier.commitment_discount,
				&terms,
				// What-if lines meter plain input and output (prompt-cache units: `quote`).
				&Units::plain(w.in_units, w.out_units),
				&w.asset,
			)
			.map_err(fail)?;
			let n = u128::from(w.requests);
			let overflow = fail(RejectReason::PriceOverflow);
			let total = SimulatedTotals {
				requests: u64::from(w.requests),
				list: one.list.checked_mul(n).ok_or(overflow)?,
				net_pricing: one.net_pricing.checked_mul(n).ok_or(overflow)?,
				net: one.net.checked_mul(n).ok_or(overflow)?,
				legs: one.legs.checked_mul(n).ok_or(overflow)?,
			};
			match per_asset.iter_mut().find(|(a, _)| *a == w.asset) {
				Some((_, sum)) => *sum = sum.checked_add(&total).ok_or(overflow)?,
				None => per_asset.push((w.asset, total)),
			}
			lines.push(SimulatedLine { per_request: one, total });
		}
		Ok(Simulation { lines, per_asset })
	}

	/// A seeker's escrow in every asset it holds (runtime API).
	pub fn escrow_of(who: &T::AccountId) -> Vec<(T::AssetKind, crate::EscrowLedger)> {
		Escrow::<T>::iter_prefix(who).collect()
	}

	/// A seeker's sessions (runtime API; at most `MaxSessionsPerSeeker`).
	pub fn sessions_of(who: &T::AccountId) -> Vec<(SessionId, SessionOf<T>)> {
		SeekerSessions::<T>::get(who)
			.into_iter()
			.filter_map(|id| Sessions::<T>::get(id).map(|s| (id, s)))
			.collect()
	}

	/// Invariants:
	/// 1. every session's `spent` is at most its `cap`, it is listed under its seeker, queued for
	///    release at its `release_at`, and below `NextSessionId`;
	/// 2. per seeker and asset, `committed` equals the sum of its sessions' unspent caps;
	/// 3. per asset, the escrow account holds at least the sum of all ledgers (above its minimum
	///    balance): escrow is never short;
	/// 4. each gateway's `open_sessions` is the number of sessions naming it, its bond is held from
	///    its operator, and it is indexed under its operator;
	/// 5. every disputed receipt has its deposit held (sum per seeker);
	/// 6. API keys are bound one-to-one to open sessions (`SessionKeys` and `ApiKeys` agree);
	/// 7. every remembered receipt id has exactly one expiry entry, in a bucket at or past a set
	///    pruning cursor, and every expiry entry has its receipt: every id is forgotten in time;
	/// 8. version-2 commitments lie between the pruning cursor and the next batch id and have
	///    leaves; markers exist only for kept commitments' leaves; an open dispute's receipt is
	///    marked disputed while its commitment is kept.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::BTreeMap;
		use frame_support::traits::{fungible::InspectHold, fungibles::Inspect};
		let next = NextSessionId::<T>::get();
		let mut committed: BTreeMap<(T::AccountId, T::AssetKind), u128> = BTreeMap::new();
		let mut per_gateway: BTreeMap<GatewayId, u32> = BTreeMap::new();
		let mut deposits: BTreeMap<T::AccountId, u128> = BTreeMap::new();
		for (id, s) in Sessions::<T>::iter() {
			ensure!(id < next, "session id not below NextSessionId");
			ensure!(s.spent <= s.cap, "session spent over its cap");
			ensure!(SeekerSessions::<T>::get(&s.seeker).contains(&id), "session not listed");
			ensure!(ReleaseQueue::<T>::contains_key(s.release_at, id), "session not queued");
			let c = committed.entry((s.seeker.clone(), s.asset.clone())).or_default();
			*c = c.checked_add(s.cap.saturating_sub(s.spent)).ok_or("committed overflows")?;
			let g = per_gateway.entry(s.gateway).or_default();
			*g = g.saturating_add(1);
			let d = deposits.entry(s.seeker.clone()).or_default();
			*d = d.saturating_add(s.deposit);
		}
		let mut totals: BTreeMap<T::AssetKind, u128> = BTreeMap::new();
		for (who, asset, l) in Escrow::<T>::iter() {
			ensure!(
				committed.get(&(who, asset.clone())).copied().unwrap_or(0) == l.committed,
				"committed escrow differs from the sessions' unspent caps"
			);
			let t = totals.entry(asset).or_default();
			*t = t.saturating_add(l.free).saturating_add(l.committed);
		}
		for ((who, asset), c) in committed {
			ensure!(
				c == 0 || Escrow::<T>::contains_key(&who, &asset),
				"a session's escrow ledger is missing"
			);
		}
		let account = Self::account_id();
		for (asset, total) in totals {
			let held = T::Assets::balance(asset.clone(), &account)
				.saturating_sub(T::Assets::minimum_balance(asset));
			ensure!(held >= total, "escrow account holds less than the ledgers");
		}
		for (id, g) in Gateways::<T>::iter() {
			ensure!(
				per_gateway.get(&id).copied().unwrap_or(0) == g.open_sessions,
				"gateway open_sessions differs from its sessions"
			);
			ensure!(GatewayOf::<T>::get(&g.operator) == Some(id), "gateway not indexed");
		}
		let mut bound = 0usize;
		for (id, key_hash) in SessionKeys::<T>::iter() {
			let s = Sessions::<T>::get(id).ok_or("an API key is bound to a released session")?;
			ensure!(s.closed.is_none(), "an API key is bound to a closed session");
			ensure!(ApiKeys::<T>::get(key_hash) == Some(id), "ApiKeys does not point back");
			bound = bound.saturating_add(1);
		}
		ensure!(ApiKeys::<T>::iter().count() == bound, "ApiKeys has entries SessionKeys lacks");
		for d in
			Disputes::<T>::iter_values().chain(crate::pallet::ReceiptDisputes::<T>::iter_values())
		{
			let x = deposits.entry(d.charge.seeker.clone()).or_default();
			*x = x.saturating_add(d.deposit);
		}
		// Version-2 commitments: every id in [cursor, next) not yet pruned, each with leaves;
		// markers only for kept commitments' leaves; an open dispute's leaf is marked disputed
		// while its commitment is kept.
		let (cursor, next_batch) =
			(crate::pallet::CommitmentCursor::<T>::get(), crate::pallet::NextBatchId::<T>::get());
		ensure!(cursor <= next_batch, "the commitment cursor is past the next batch id");
		for (id, c) in crate::pallet::Commitments::<T>::iter() {
			ensure!(id >= cursor && id < next_batch, "a commitment outside [cursor, next)");
			ensure!(c.leaves > 0, "a commitment without leaves");
		}
		for (id, index, _) in crate::pallet::Marks::<T>::iter() {
			let c = crate::pallet::Commitments::<T>::get(id)
				.ok_or("a marker of a pruned commitment")?;
			ensure!(index < c.leaves, "a marker past its commitment's leaves");
		}
		for (id, index, _) in crate::pallet::ReceiptDisputes::<T>::iter() {
			if crate::pallet::Commitments::<T>::contains_key(id) {
				ensure!(
					crate::pallet::Marks::<T>::get(id, index) == Some(crate::Mark::Disputed),
					"an open dispute's receipt is not marked disputed"
				);
			}
		}
		for (who, total) in deposits {
			let held = T::Currency::balance_on_hold(&HoldReason::SessionDeposit.into(), &who)
				.saturating_add(T::Currency::balance_on_hold(
					&HoldReason::DisputeDeposit.into(),
					&who,
				));
			ensure!(held == total, "held deposits differ from sessions and disputes");
		}
		for (_, g) in Gateways::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::GatewayBond.into(), &g.operator) ==
					g.bond,
				"held gateway bond differs from the gateway's bond"
			);
		}
		// Every remembered receipt id has exactly one expiry entry, in a bucket the pruning
		// cursor has not passed (and a cursor that is set: pruning skips a cursor of 0), so that
		// every id is forgotten once its window ends.
		let cursor = PruneCursor::<T>::get();
		let mut dated = alloc::collections::BTreeSet::new();
		for (bucket, id) in ReceiptExpiry::<T>::iter_keys() {
			ensure!(Receipts::<T>::contains_key(id), "an expiry entry without its receipt");
			ensure!(cursor != 0, "receipt ids are remembered but the pruning cursor is unset");
			ensure!(bucket >= cursor, "a receipt behind the pruning cursor is never pruned");
			ensure!(dated.insert(id), "a receipt id with two expiry entries");
		}
		ensure!(
			Receipts::<T>::iter_keys().all(|id| dated.contains(&id)),
			"a receipt without an expiry entry"
		);
		Ok(())
	}
}

impl<T: Config> GatewayBondSlash<T::AccountId> for Pallet<T> {
	fn slash_gateway(
		gateway: GatewayId,
		amount: u128,
		dest: &T::AccountId,
	) -> Result<u128, DispatchError> {
		Gateways::<T>::try_mutate(gateway, |g| {
			let Some(g) = g.as_mut() else { return Ok(0) };
			let take = amount.min(g.bond);
			if take == 0 {
				return Ok(0);
			}
			let moved = T::Currency::transfer_on_hold(
				&HoldReason::GatewayBond.into(),
				&g.operator,
				dest,
				take,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?;
			g.bond = g.bond.saturating_sub(moved); // moved <= take <= bond
			Ok(moved)
		})
	}
}
