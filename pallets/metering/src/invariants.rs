//! The pallet's invariants, checked by `try_state` (and by the tests after every call).

use crate::*;
#[cfg(any(feature = "try-runtime", test))]
use frame_support::{ensure, traits::Get};

impl<T: Config> Pallet<T> {
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
	/// 7. retired version-1 receipt ids are left only while [`LegacyReceiptsLeft`] says so (and the
	///    retired pruning cursor is gone), so `on_idle` deletes every one;
	/// 8. commitments lie between the pruning cursor and the next batch id and have leaves; markers
	///    exist only for kept commitments' leaves; an open dispute's receipt is marked disputed
	///    while its commitment is kept;
	/// 9. the usage history's days are ascending within a window of `UsageHistoryDays`, each day
	///    kept has an entry and no other day has one, and every line's legs sum to its `net`, with
	///    one line per (asset, tier discount, fee regime).
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
		// Retired version-1 receipt ids: only while on_idle is told to delete them.
		if !LegacyReceiptsLeft::<T>::get() {
			for prefix in crate::migrations::v2::retired_maps::<T>() {
				ensure!(
					crate::migrations::v2::keys_under(&prefix) == 0,
					"retired receipt ids are left but LegacyReceiptsLeft is not set"
				);
			}
		}
		ensure!(
			frame_support::storage::unhashed::get_raw(
				&crate::migrations::v2::retired_cursor::<T>()
			)
			.is_none() || frame_support::traits::StorageVersion::get::<Pallet<T>>() < 2,
			"the retired pruning cursor is still set"
		);
		Self::usage_history_is_consistent()?;
		Ok(())
	}

	/// Invariant 9 (above).
	#[cfg(any(feature = "try-runtime", test))]
	fn usage_history_is_consistent() -> Result<(), sp_runtime::TryRuntimeError> {
		let days = UsageDayIndex::<T>::get();
		ensure!(
			days.iter().zip(days.iter().skip(1)).all(|(a, b)| a < b),
			"usage days not ascending"
		);
		if let (Some(first), Some(last)) = (days.first(), days.last()) {
			ensure!(
				last.saturating_sub(*first) < T::UsageHistoryDays::get(),
				"usage history longer than UsageHistoryDays"
			);
		}
		for (day, lines) in UsageDays::<T>::iter() {
			ensure!(days.contains(&day), "usage day kept outside the index");
			for (i, l) in lines.iter().enumerate() {
				ensure!(l.actual().legs.total() == l.net, "usage line's legs differ from its net");
				ensure!(
					!lines.iter().skip(i.saturating_add(1)).any(|o| o.asset == l.asset &&
						o.tier_discount == l.tier_discount &&
						o.regime == l.regime),
					"two usage lines of one asset, tier discount and regime"
				);
			}
		}
		for day in days.iter() {
			ensure!(UsageDays::<T>::contains_key(day), "an indexed usage day has no entry");
		}
		for (day, _) in UsageUnbooked::<T>::iter() {
			ensure!(days.contains(&day), "unbooked receipts of a day outside the index");
		}
		Ok(())
	}
}
