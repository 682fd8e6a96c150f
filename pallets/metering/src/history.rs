//! Usage history: what the served receipts of each day paid, per payment asset, tier discount
//! and fee regime (the block the fee parameters in force were enacted at), kept for
//! [`Config::UsageHistoryDays`] days; and the replay of a window of it under
//! proposed fee parameters, through the function settlement prices with.
//!
//! A token holder voting on fees asks what the change would have done to the fee stream. The
//! list price a receipt was charged is fixed by the capsule's prices at the time; fee parameters
//! act on it through the discount (NXV discount and discount cap), the conversion and the
//! split. So each day keeps, per (asset, tier discount, regime), the receipts, their units, the sum
//! of their list prices and what they actually paid with every leg, and a replay applies
//! [`price_list`] — the second half of [`nexus_primitives::settlement::price_request`], which
//! settles every receipt — to each line under the proposal. A line is re-priced as one sum:
//! it differs from re-pricing its receipts one by one by the rounding of each (at most one
//! smallest unit of the pricing unit or asset per receipt and leg), which is why a replay
//! under the parameters in force is shown beside what was actually charged. A line in a token
//! (NXV) converts at the day's own rate, the one its receipts paid at on average
//! (`net / net_pricing`). The regime splits a day at a fee change, so what the days before a
//! change were predicted to pay under it can be set beside what the days after paid.
//!
//! Bounds: one storage entry per day with at most [`Config::MaxUsageLines`] lines; receipts a
//! full day cannot file are counted in [`UsageUnbooked`] (with 32 lines, two payment assets and at
//! most one fee change a day, that takes a tier table changed several times in one day). The day
//! index keeps at most [`Config::UsageHistoryDays`] days; the first batch of a new day drops the
//! days that left the window. A batch books its lines with one read and one write of the day.

use crate::{
	pallet::{Config, Pallet, UsageDayIndex, UsageDays, UsageUnbooked},
	Replay, ReplayDay, ReplayError, ReplayTotals, ReplayedLine, UsageLine, DAY_MS,
};
use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::{ensure, pallet_prelude::Get};
use nexus_primitives::settlement::{price_list, FeeParams, Priced, Rate};
use sp_runtime::Permill;

/// A batch's usage lines, by asset, tier discount and fee regime.
pub(crate) type DayBook<A> = BTreeMap<(A, Permill, u32), UsageLine<A>>;

impl<T: Config> Pallet<T> {
	/// The day `ms` of chain time falls in.
	pub fn day_of(ms: u64) -> u32 {
		u32::try_from(ms.checked_div(DAY_MS).unwrap_or(0)).unwrap_or(u32::MAX)
	}

	/// Books a batch's usage `lines` into `day`: the day's lines grow by them, and the first
	/// batch of a new day drops the days that left the window. A day earlier than the last
	/// one kept (chain time never runs backwards; defensive) is booked only if it is kept.
	/// Returns how many days were dropped (`None`: nothing to book), for the call's weight
	/// ([`Pallet::history_weight`]).
	pub(crate) fn book_day(day: u32, lines: DayBook<T::AssetKind>) -> Option<u32> {
		if lines.is_empty() {
			return None;
		}
		let history = T::UsageHistoryDays::get();
		let mut dropped = 0u32;
		let kept = UsageDayIndex::<T>::mutate(|days| match days.last().copied() {
			Some(last) if last == day => true,
			Some(last) if last > day => days.contains(&day),
			_ => {
				let keep_from = day.saturating_sub(history.saturating_sub(1));
				while let Some(first) = days.first().copied() {
					if first >= keep_from && !days.is_full() {
						break;
					}
					days.remove(0);
					UsageDays::<T>::remove(first);
					UsageUnbooked::<T>::remove(first);
					dropped = dropped.saturating_add(1);
				}
				days.try_push(day).is_ok()
			},
		});
		if !kept {
			return Some(dropped);
		}
		let mut unbooked = 0u64;
		UsageDays::<T>::mutate(day, |stored| {
			for ((asset, tier, regime), line) in lines {
				let same = |l: &&mut UsageLine<_>| {
					l.asset == asset && l.tier_discount == tier && l.regime == regime
				};
				match stored.iter_mut().find(same) {
					Some(l) => l.merge(&line),
					None =>
						if let Err(line) = stored.try_push(line) {
							unbooked = unbooked.saturating_add(line.receipts);
						},
				}
			}
		});
		if unbooked > 0 {
			UsageUnbooked::<T>::mutate(day, |u| *u = u.saturating_add(unbooked));
		}
		Some(dropped)
	}

	/// The `replay` runtime API: the usage of the last `days` days (today included) as settled
	/// and re-priced under proposed fee parameters `params`, per day, per line and per asset,
	/// each with every leg. Refuses invalid parameters (the bounds every change is held to) and
	/// a window that is empty or longer than the history kept.
	pub fn replay(params: FeeParams, days: u32) -> Result<Replay<T::AssetKind>, ReplayError> {
		params.validate().map_err(ReplayError::InvalidParams)?;
		ensure!(days >= 1 && days <= T::UsageHistoryDays::get(), ReplayError::WindowOutOfRange);
		let today = Self::day_of(Self::now_ms());
		let from = today.saturating_sub(days.saturating_sub(1));
		let days = UsageDayIndex::<T>::get()
			.into_iter()
			.filter(|d| (from..=today).contains(d))
			.map(|day| Self::replay_day(&params, day))
			.collect::<Result<Vec<_>, _>>()?;
		let mut total: Vec<ReplayTotals<T::AssetKind>> = Vec::new();
		for d in &days {
			for t in &d.per_asset {
				Self::add_totals(&mut total, t.clone(), d.day)?;
			}
		}
		Ok(Replay { today, from, days, total })
	}

	/// Adds `t` to its asset's entry of `totals` (a new entry for a new asset).
	fn add_totals(
		totals: &mut Vec<ReplayTotals<T::AssetKind>>,
		t: ReplayTotals<T::AssetKind>,
		day: u32,
	) -> Result<(), ReplayError> {
		let overflow = ReplayError::Overflow { day };
		match totals.iter_mut().find(|x| x.asset == t.asset) {
			Some(x) => {
				x.receipts = x.receipts.checked_add(t.receipts).ok_or(overflow)?;
				x.actual = x.actual.checked_add(&t.actual).ok_or(overflow)?;
				x.replayed = x.replayed.checked_add(&t.replayed).ok_or(overflow)?;
			},
			None => totals.push(t),
		}
		Ok(())
	}

	fn replay_day(params: &FeeParams, day: u32) -> Result<ReplayDay<T::AssetKind>, ReplayError> {
		let mut lines = Vec::new();
		let mut per_asset: Vec<ReplayTotals<T::AssetKind>> = Vec::new();
		for line in UsageDays::<T>::get(day) {
			let (_, _, discount) = Self::discounts(params, line.tier_discount, &line.asset);
			let replayed =
				Self::replay_line(params, &line, discount).ok_or(ReplayError::Overflow { day })?;
			let t = ReplayTotals {
				asset: line.asset.clone(),
				receipts: line.receipts,
				actual: line.actual(),
				replayed,
			};
			Self::add_totals(&mut per_asset, t, day)?;
			lines.push(ReplayedLine { line, discount, replayed });
		}
		Ok(ReplayDay { day, unbooked: UsageUnbooked::<T>::get(day), lines, per_asset })
	}

	/// `line` re-priced under `params` with `discount`: [`price_list`] on its list price, in its
	/// asset at the day's own rate (the pricing unit's asset one for one).
	fn replay_line(
		params: &FeeParams,
		line: &UsageLine<T::AssetKind>,
		discount: sp_runtime::Perbill,
	) -> Option<Priced> {
		if line.list == 0 {
			return Some(Priced::default());
		}
		let rate = if line.asset == T::NativeAsset::get() {
			// `net_pricing` pricing units bought `net` NXV that day; a list above zero nets
			// above zero (every discount is below 100 %).
			Rate::Token { price: line.net_pricing, one: line.net }
		} else {
			// The stable asset is the pricing unit's.
			Rate::Par
		};
		price_list(line.list, discount, &rate, params).ok()
	}
}
