//! Sessions: what a seeker lets one gateway charge (asset, spend cap, expiry), their API keys,
//! and their release back to free escrow after the grace period (by call, by `withdraw`, or by
//! themselves in `on_idle`).

use crate::{weights::WeightInfo, *};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::traits::FeePolicy;
use sp_runtime::traits::{One, Saturating};

impl<T: Config> Pallet<T> {
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

	/// A seeker's sessions (runtime API; at most `MaxSessionsPerSeeker`).
	pub fn sessions_of(who: &T::AccountId) -> Vec<(SessionId, SessionOf<T>)> {
		SeekerSessions::<T>::get(who)
			.into_iter()
			.filter_map(|id| Sessions::<T>::get(id).map(|s| (id, s)))
			.collect()
	}
}
