//! Epoch closes, the rebate pass, the buyback, claims and the usage tally.

use crate::{
	pallet::{
		ActiveProgramme, Claimable, Closings, Config, CurrentEpoch, EpochStart, Error, Event, Owed,
		Pallet, ProgrammeTotals, Spend, Tallies,
	},
	Amounts, Closing, Programme,
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible, fungibles,
		tokens::{Fortitude, Precision, Preservation},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	economics::buyback,
	settlement::cumulative_share,
	traits::{StableForNative, UsageObserver},
};
use sp_runtime::Permill;

use crate::WeightInfo;

/// The most of `max` an epoch swaps out of `reserves` (stable, native) within `slippage`, on the
/// exchange's own output function: [`buyback::max_within_slippage`], the rule the projection
/// engine steps too.
pub(crate) fn max_within_slippage<T: Config>(
	max: u128,
	reserves: (u128, u128),
	slippage: Permill,
) -> u128 {
	buyback::max_within_slippage(max, reserves, slippage, |x| T::Exchange::amount_out(x, reserves))
}

impl<T: Config> Pallet<T> {
	/// One block's work: close the epoch if it is over and nothing is closing, else advance
	/// the open pass.
	pub(crate) fn on_block(n: BlockNumberFor<T>) -> Weight {
		let mut weight = T::DbWeight::get().reads(1);
		if Closings::<T>::exists() {
			return weight.saturating_add(Self::advance_pass(T::FinalizePerBlock::get()));
		}
		weight = weight.saturating_add(T::DbWeight::get().reads(2));
		if n >= Self::epoch_end() {
			weight = weight.saturating_add(Self::close_epoch(n));
		}
		weight
	}

	/// Closes the current epoch at block `n` and runs the programme.
	pub(crate) fn close_epoch(n: BlockNumberFor<T>) -> Weight {
		let epoch = CurrentEpoch::<T>::get();
		CurrentEpoch::<T>::put(epoch.saturating_add(1));
		EpochStart::<T>::put(n);
		let tally = Tallies::<T>::take(epoch);
		let programme = ActiveProgramme::<T>::get();
		let available = Self::available();
		ProgrammeTotals::<T>::mutate(|t| t.epochs = t.epochs.saturating_add(1));
		Self::deposit_event(Event::EpochClosed {
			epoch,
			programme,
			spend: tally.spend,
			seekers: tally.seekers,
			available,
		});
		let (shared, weight) = match programme {
			Programme::Rebates if tally.spend > 0 && !available.is_zero() => {
				Owed::<T>::mutate(|o| *o = o.saturating_add(available));
				(available, T::WeightInfo::close_epoch_rebates())
			},
			Programme::Rebates => (Amounts::default(), T::WeightInfo::close_epoch_rebates()),
			Programme::Buyback { max_slippage } => {
				Self::buy_back(epoch, available, max_slippage);
				(Amounts::default(), T::WeightInfo::close_epoch_buyback())
			},
		};
		if tally.seekers > 0 {
			Closings::<T>::put(Closing {
				epoch,
				spend: tally.spend,
				amounts: shared,
				visited_spend: 0,
				paid: Amounts::default(),
				seekers: tally.seekers,
				remaining: tally.seekers,
			});
		}
		weight
	}

	/// Swaps what the slippage bound allows of `available.stable` for NXV and burns all the
	/// available NXV with what was bought.
	fn buy_back(epoch: u32, available: Amounts, max_slippage: Permill) {
		let pot = Self::account_id();
		let mut stable_in = 0u128;
		let mut native_out = 0u128;
		if available.stable > 0 {
			if let Some(reserves) = T::Exchange::reserves() {
				let x = max_within_slippage::<T>(available.stable, reserves, max_slippage);
				let min_out = buyback::min_out(x, reserves, max_slippage);
				if x > 0 {
					// The swap is atomic: on failure nothing moved and the stable asset carries.
					if let Ok(out) = T::Exchange::swap(&pot, x, min_out) {
						stable_in = x;
						native_out = out;
					}
				}
			}
		}
		let to_burn = available.native.saturating_add(native_out);
		let burned = if to_burn > 0 {
			<T::Currency as fungible::Mutate<T::AccountId>>::burn_from(
				&pot,
				to_burn,
				Preservation::Preserve,
				Precision::BestEffort,
				Fortitude::Polite,
			)
			.unwrap_or(0)
		} else {
			0
		};
		ProgrammeTotals::<T>::mutate(|t| {
			t.swapped_stable = t.swapped_stable.saturating_add(stable_in);
			t.bought_native = t.bought_native.saturating_add(native_out);
			t.burned = t.burned.saturating_add(burned);
		});
		Self::deposit_event(Event::BoughtBack {
			epoch,
			stable_in,
			native_out,
			burned,
			stable_carried: available.stable.saturating_sub(stable_in),
		});
	}

	/// Visits up to `limit` seekers of the closing epoch: assigns each its share (when the
	/// epoch shares anything) and clears its tally. Finishes the close after the last.
	pub(crate) fn advance_pass(limit: u32) -> Weight {
		let Some(mut c) = Closings::<T>::get() else { return Weight::zero() };
		let mut visited = 0u32;
		let sharing = !c.amounts.is_zero();
		for (who, spend) in Spend::<T>::drain_prefix(c.epoch) {
			let before = c.visited_spend;
			c.visited_spend = c.visited_spend.saturating_add(spend);
			if sharing {
				let part = Amounts {
					native: cumulative_share(c.amounts.native, before, spend, c.spend),
					stable: cumulative_share(c.amounts.stable, before, spend, c.spend),
				};
				if !part.is_zero() {
					Claimable::<T>::mutate(&who, |a| *a = a.saturating_add(part));
					c.paid = c.paid.saturating_add(part);
				}
			}
			c.remaining = c.remaining.saturating_sub(1);
			visited = visited.saturating_add(1);
			if visited >= limit {
				break;
			}
		}
		if c.remaining == 0 {
			// Cumulative shares telescope: the last seeker brings `visited_spend` to `spend`
			// and `paid` to exactly `amounts`. Should a tally ever be off, what was not shared
			// stops being owed (it returns to the pot) rather than stay locked.
			if c.paid != c.amounts {
				frame_support::defensive!("rebate shares do not sum to the epoch's amounts");
				Owed::<T>::mutate(|o| *o = o.saturating_sub(c.amounts.saturating_sub(c.paid)));
			}
			if sharing {
				ProgrammeTotals::<T>::mutate(|t| t.rebated = t.rebated.saturating_add(c.paid));
				Self::deposit_event(Event::RebatesAssigned {
					epoch: c.epoch,
					amounts: c.paid,
					seekers: c.seekers,
				});
			}
			Closings::<T>::kill();
		} else {
			Closings::<T>::put(c);
		}
		T::WeightInfo::advance_pass(visited)
	}

	/// Pays `who` everything owed to them.
	pub(crate) fn do_claim(who: &T::AccountId) -> DispatchResult {
		let owed = Claimable::<T>::get(who);
		ensure!(!owed.is_zero(), Error::<T>::NothingToClaim);
		let pot = Self::account_id();
		frame_support::storage::with_storage_layer(|| -> DispatchResult {
			for (asset, amount) in
				[(T::NativeAsset::get(), owed.native), (T::StableAsset::get(), owed.stable)]
			{
				if amount > 0 {
					<T::Assets as fungibles::Mutate<T::AccountId>>::transfer(
						asset,
						&pot,
						who,
						amount,
						Preservation::Preserve,
					)
					.map_err(|_| Error::<T>::PotShort)?;
				}
			}
			Ok(())
		})?;
		Claimable::<T>::remove(who);
		Owed::<T>::mutate(|o| *o = o.saturating_sub(owed));
		ProgrammeTotals::<T>::mutate(|t| t.claimed = t.claimed.saturating_add(owed));
		Self::deposit_event(Event::RebatesClaimed { who: who.clone(), amounts: owed });
		Ok(())
	}

	/// Invariants:
	/// 1. NXV issuance + burned + outstanding elsewhere == issuance at genesis (nothing mints);
	/// 2. the pot holds at least what it owes;
	/// 3. what is owed is the claimable rebates plus what the open pass has yet to assign;
	/// 4. each open tally's spend and seekers match its entries.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use crate::{pallet::InitialIssuance, EpochTally};
		let issuance = <T::Currency as fungible::Inspect<T::AccountId>>::total_issuance();
		let accounted = issuance
			.saturating_add(ProgrammeTotals::<T>::get().burned)
			.saturating_add(T::IssuanceOutstanding::get());
		ensure!(accounted == InitialIssuance::<T>::get(), "NXV issuance moved other than by burns");
		let owed = Owed::<T>::get();
		let held = Self::holdings();
		ensure!(held.native >= owed.native && held.stable >= owed.stable, "the pot is short");
		let claimable =
			Claimable::<T>::iter_values().fold(Amounts::default(), |a, b| a.saturating_add(b));
		let pending = Closings::<T>::get()
			.map(|c| c.amounts.saturating_sub(c.paid))
			.unwrap_or_default();
		ensure!(claimable.saturating_add(pending) == owed, "owed != claimable + pending");
		let mut epochs = alloc::vec![CurrentEpoch::<T>::get()];
		if let Some(c) = Closings::<T>::get() {
			let (spend, seekers) = Spend::<T>::iter_prefix(c.epoch)
				.fold((0u128, 0u32), |(s, n), (_, v)| (s.saturating_add(v), n.saturating_add(1)));
			ensure!(seekers == c.remaining, "closing seekers out of step");
			ensure!(spend.saturating_add(c.visited_spend) == c.spend, "closing spend out of step");
		}
		for epoch in epochs.drain(..) {
			let tally = Tallies::<T>::get(epoch);
			let (spend, seekers) = Spend::<T>::iter_prefix(epoch)
				.fold((0u128, 0u32), |(s, n), (_, v)| (s.saturating_add(v), n.saturating_add(1)));
			ensure!(tally == EpochTally { spend, seekers }, "tally out of step");
		}
		Ok(())
	}
}

impl<T: Config> UsageObserver<T::AccountId> for Pallet<T> {
	/// Adds each seeker's spend to its tally in the current epoch (the epoch's tally is read
	/// and written once).
	fn on_settled_batch(seekers: &[(T::AccountId, u128)], _providers: &[(T::AccountId, u128)]) {
		let epoch = CurrentEpoch::<T>::get();
		let before = Tallies::<T>::get(epoch);
		let mut tally = before;
		for (seeker, volume) in seekers {
			if *volume == 0 {
				continue;
			}
			if !Spend::<T>::contains_key(epoch, seeker) {
				if tally.seekers >= T::MaxSeekersPerEpoch::get() {
					Self::deposit_event(Event::SpendNotTallied {
						epoch,
						who: seeker.clone(),
						spend: *volume,
					});
					continue;
				}
				tally.seekers = tally.seekers.saturating_add(1);
			}
			Spend::<T>::mutate(epoch, seeker, |s| *s = s.saturating_add(*volume));
			tally.spend = tally.spend.saturating_add(*volume);
		}
		if tally != before {
			Tallies::<T>::insert(epoch, tally);
		}
	}

	/// Takes a refunded charge back out of the seeker's tally in the current epoch (as far as
	/// it goes: a charge of an earlier epoch was already rewarded, and the refund lowers this
	/// epoch's share instead).
	fn on_refunded(seeker: &T::AccountId, _provider: &T::AccountId, volume: u128) {
		let epoch = CurrentEpoch::<T>::get();
		let current = Spend::<T>::get(epoch, seeker);
		if current == 0 {
			return;
		}
		let removed = current.min(volume);
		let mut tally = Tallies::<T>::get(epoch);
		tally.spend = tally.spend.saturating_sub(removed);
		if removed == current {
			Spend::<T>::remove(epoch, seeker);
			tally.seekers = tally.seekers.saturating_sub(1);
		} else {
			Spend::<T>::insert(epoch, seeker, current.saturating_sub(removed));
		}
		Tallies::<T>::insert(epoch, tally);
	}
}
