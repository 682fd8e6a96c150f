//! The pallet's logic: ledgers, tier lookup and table validation. The dispatchables in `lib.rs`
//! are thin shells over these functions, which trait implementations reuse.

use crate::{
	pallet::{
		BalanceOf, Config, Error, HoldReason, LedgerOf, NxvPayouts, Pallet, ProviderLedgers,
		SeekerLedgers, TierTable,
	},
	runtime_api::{ProviderBoost, SeekerTier},
	TierIndex, TierParams, UnlockChunk,
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::traits::ProviderReputation;
use sp_runtime::{
	traits::{CheckedAdd, CheckedSub, Saturating, UniqueSaturatedInto, Zero},
	FixedU128, Permill,
};

/// Which ledger an operation works on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum StakeKind {
	Seeker,
	Provider,
}

impl StakeKind {
	fn reason(self) -> HoldReason {
		match self {
			StakeKind::Seeker => HoldReason::SeekerStake,
			StakeKind::Provider => HoldReason::ProviderStake,
		}
	}
}

impl<T: Config> Pallet<T> {
	pub(crate) fn ledger(who: &T::AccountId, kind: StakeKind) -> Option<LedgerOf<T>> {
		match kind {
			StakeKind::Seeker => SeekerLedgers::<T>::get(who),
			StakeKind::Provider => ProviderLedgers::<T>::get(who),
		}
	}

	fn put_ledger(who: &T::AccountId, kind: StakeKind, ledger: Option<&LedgerOf<T>>) {
		match (kind, ledger) {
			(StakeKind::Seeker, Some(l)) => SeekerLedgers::<T>::insert(who, l),
			(StakeKind::Seeker, None) => SeekerLedgers::<T>::remove(who),
			(StakeKind::Provider, Some(l)) => ProviderLedgers::<T>::insert(who, l),
			(StakeKind::Provider, None) => ProviderLedgers::<T>::remove(who),
		}
	}

	/// Active stake must be zero or at least `MinStake`.
	fn ensure_min_stake(active: BalanceOf<T>) -> DispatchResult {
		ensure!(active.is_zero() || active >= T::MinStake::get(), Error::<T>::BelowMinStake);
		Ok(())
	}

	/// Holds `amount` and adds it to the active stake; returns the new active stake.
	pub(crate) fn do_stake(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		kind: StakeKind,
	) -> Result<BalanceOf<T>, DispatchError> {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Self::ledger(who, kind).unwrap_or_default();
		ledger.active = ledger.active.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		Self::ensure_min_stake(ledger.active)?;
		T::Currency::hold(&kind.reason().into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		Self::put_ledger(who, kind, Some(&ledger));
		Ok(ledger.active)
	}

	/// Moves `amount` from active to a new unlocking chunk; returns the new active stake and
	/// the chunk's unlock block.
	pub(crate) fn do_unstake(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		kind: StakeKind,
	) -> Result<(BalanceOf<T>, BlockNumberFor<T>), DispatchError> {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Self::ledger(who, kind).ok_or(Error::<T>::NotStaking)?;
		ledger.active =
			ledger.active.checked_sub(&amount).ok_or(Error::<T>::InsufficientActiveStake)?;
		Self::ensure_min_stake(ledger.active)?;
		// Saturating: at the last block number a release can only be later, never sooner.
		let unlock_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingDelay::get());
		match ledger.unlocking.last_mut() {
			// Two unstakes in one block unlock together: one chunk.
			Some(last) if last.unlock_at == unlock_at =>
				last.amount = last.amount.checked_add(&amount).ok_or(Error::<T>::Overflow)?,
			_ => ledger
				.unlocking
				.try_push(UnlockChunk { amount, unlock_at })
				.map_err(|_| Error::<T>::TooManyUnlockingChunks)?,
		}
		Self::put_ledger(who, kind, Some(&ledger));
		Ok((ledger.active, unlock_at))
	}

	/// Moves `amount` from unlocking (newest first) back to active; returns the new active
	/// stake.
	pub(crate) fn do_rebond(
		who: &T::AccountId,
		amount: BalanceOf<T>,
		kind: StakeKind,
	) -> Result<BalanceOf<T>, DispatchError> {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut ledger = Self::ledger(who, kind).ok_or(Error::<T>::NotStaking)?;
		let mut left = amount;
		while !left.is_zero() {
			let Some(last) = ledger.unlocking.last_mut() else {
				return Err(Error::<T>::InsufficientUnlocking.into());
			};
			if last.amount <= left {
				left = left.saturating_sub(last.amount); // last.amount <= left: exact
				ledger.unlocking.pop();
			} else {
				last.amount = last.amount.saturating_sub(left); // left < last.amount
				left = Zero::zero();
			}
		}
		ledger.active = ledger.active.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
		Self::ensure_min_stake(ledger.active)?;
		Self::put_ledger(who, kind, Some(&ledger));
		Ok(ledger.active)
	}

	/// Releases every matured chunk; returns the amount released.
	pub(crate) fn do_withdraw(
		who: &T::AccountId,
		kind: StakeKind,
	) -> Result<BalanceOf<T>, DispatchError> {
		let mut ledger = Self::ledger(who, kind).ok_or(Error::<T>::NotStaking)?;
		let now = frame_system::Pallet::<T>::block_number();
		let mut released = BalanceOf::<T>::zero();
		let mut overflow = false;
		ledger.unlocking.retain(|chunk| {
			if chunk.unlock_at <= now {
				match released.checked_add(&chunk.amount) {
					Some(r) => released = r,
					None => overflow = true,
				}
				false
			} else {
				true
			}
		});
		ensure!(!overflow, Error::<T>::Overflow);
		ensure!(!released.is_zero(), Error::<T>::NothingToWithdraw);
		T::Currency::release(&kind.reason().into(), who, released, Precision::Exact)?;
		let empty = ledger.active.is_zero() && ledger.unlocking.is_empty();
		Self::put_ledger(who, kind, if empty { None } else { Some(&ledger) });
		Ok(released)
	}

	/// Checks a tier table against the rules of `set_tier_table`.
	pub fn validate_table(table: &[TierParams<BalanceOf<T>>]) -> Result<(), Error<T>> {
		ensure!(table.len() <= T::MaxTiers::get() as usize, Error::<T>::TooManyTiers);
		let first = table.first().ok_or(Error::<T>::EmptyTierTable)?;
		ensure!(first.threshold.is_zero(), Error::<T>::FirstTierNotFree);
		for t in table {
			ensure!(
				t.commitment_discount <= T::MaxCommitmentDiscount::get(),
				Error::<T>::DiscountTooHigh
			);
		}
		for pair in table.windows(2) {
			let [lower, higher] = pair else { continue };
			ensure!(higher.threshold > lower.threshold, Error::<T>::ThresholdsNotIncreasing);
			ensure!(
				higher.rate_limit >= lower.rate_limit &&
					(higher.premium_lanes || !lower.premium_lanes) &&
					higher.failover_priority >= lower.failover_priority &&
					higher.commitment_discount >= lower.commitment_discount,
				Error::<T>::TierNotMonotonic
			);
		}
		Ok(())
	}

	/// The tier an active stake reaches in `table`: the last entry whose threshold it reaches
	/// (entry 0, threshold 0, for any stake).
	pub fn tier_in(table: &[TierParams<BalanceOf<T>>], active: BalanceOf<T>) -> TierIndex {
		let reached = table.iter().take_while(|t| t.threshold <= active).count();
		// A table has at most `HardMaxTiers` (16) entries, so the index always fits a `u8`.
		TierIndex::try_from(reached.saturating_sub(1)).unwrap_or(TierIndex::MAX)
	}

	/// The tier an active stake reaches under the current table.
	pub fn tier_for(active: BalanceOf<T>) -> TierIndex {
		Self::tier_in(&TierTable::<T>::get(), active)
	}

	/// A seeker's tier index and its parameters (the entry tier for non-stakers).
	pub fn seeker_tier(who: &T::AccountId) -> (TierIndex, Option<TierParams<BalanceOf<T>>>) {
		let active = SeekerLedgers::<T>::get(who).map(|l| l.active).unwrap_or_default();
		let table = TierTable::<T>::get();
		let index = Self::tier_in(&table, active);
		(index, table.get(usize::from(index)).copied())
	}

	/// A seeker's full standing, for the runtime API.
	pub fn seeker_standing(who: &T::AccountId) -> SeekerTier<BalanceOf<T>, BlockNumberFor<T>> {
		let ledger = SeekerLedgers::<T>::get(who).unwrap_or_default();
		let table = TierTable::<T>::get();
		let tier = Self::tier_in(&table, ledger.active);
		let next = usize::from(tier).saturating_add(1);
		SeekerTier {
			tier,
			// The stored table is never empty (`validate_table`), so the entry tier exists; a
			// tier granting nothing is the safe reading if it ever did not.
			params: table
				.get(usize::from(tier))
				.copied()
				.unwrap_or_else(TierParams::grants_nothing),
			active: ledger.active,
			unlocking: ledger.unlocking.into_inner(),
			next_threshold: table.get(next).map(|t| t.threshold),
		}
	}

	/// A provider's reward multiplier with its inputs: see
	/// [`crate::multiplier::provider_multiplier`].
	pub fn provider_boost(who: &T::AccountId) -> ProviderBoost<BalanceOf<T>> {
		let stake = ProviderLedgers::<T>::get(who).map(|l| l.active).unwrap_or_default();
		let (trust, uptime) = T::Reputation::reputation(who);
		let nxv_payouts = NxvPayouts::<T>::contains_key(who);
		let multiplier = crate::multiplier::provider_multiplier(
			stake.unique_saturated_into(),
			T::ProviderStakeForFullBoost::get().unique_saturated_into(),
			trust,
			uptime,
			nxv_payouts,
			crate::multiplier::MultiplierParams {
				max_stake_boost: T::MaxStakeBoost::get(),
				nxv_payout_bonus: T::NxvPayoutBonus::get(),
				max_multiplier: T::MaxMultiplier::get(),
			},
		);
		ProviderBoost { stake, trust, uptime, nxv_payouts, multiplier }
	}

	/// A provider's reward multiplier: see [`crate::multiplier::provider_multiplier`].
	pub fn provider_multiplier(who: &T::AccountId) -> FixedU128 {
		Self::provider_boost(who).multiplier
	}

	/// Invariants, checked after every test and by `try-runtime`:
	/// 1. the tier table is valid;
	/// 2. every ledger's total (active + unlocking) equals what is held under its reason;
	/// 3. no ledger is empty, and every active stake is zero or at least `MinStake`.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		Self::validate_table(&TierTable::<T>::get()).map_err(|_| "tier table is invalid")?;
		for (kind, iter) in [
			(StakeKind::Seeker, SeekerLedgers::<T>::iter().collect::<alloc::vec::Vec<_>>()),
			(StakeKind::Provider, ProviderLedgers::<T>::iter().collect()),
		] {
			for (who, ledger) in iter {
				let mut total = ledger.active;
				for c in &ledger.unlocking {
					total = total.checked_add(&c.amount).ok_or("ledger total overflows")?;
				}
				ensure!(!total.is_zero(), "empty ledger kept in storage");
				ensure!(
					T::Currency::balance_on_hold(&kind.reason().into(), &who) == total,
					"held balance differs from the ledger"
				);
				Self::ensure_min_stake(ledger.active).map_err(|_| "active stake below MinStake")?;
			}
		}
		Ok(())
	}
}

impl<T: Config> nexus_primitives::traits::TierProvider<T::AccountId> for Pallet<T> {
	fn commitment_discount(who: &T::AccountId) -> Permill {
		Self::seeker_tier(who).1.map(|t| t.commitment_discount).unwrap_or_default()
	}
	fn tier_index(who: &T::AccountId) -> u8 {
		Self::seeker_tier(who).0
	}
	fn usage_limit(who: &T::AccountId) -> u64 {
		Self::seeker_tier(who).1.map(|t| t.rate_limit).unwrap_or_default()
	}
	fn premium_lanes(who: &T::AccountId) -> bool {
		Self::seeker_tier(who).1.is_some_and(|t| t.premium_lanes)
	}
	fn seeker_terms(who: &T::AccountId) -> nexus_primitives::traits::SeekerTerms {
		let tier = Self::seeker_tier(who).1;
		nexus_primitives::traits::SeekerTerms {
			commitment_discount: tier.as_ref().map(|t| t.commitment_discount).unwrap_or_default(),
			usage_limit: tier.as_ref().map(|t| t.rate_limit).unwrap_or_default(),
			premium_lanes: tier.as_ref().is_some_and(|t| t.premium_lanes),
		}
	}
	fn tier_terms(index: u8) -> Option<nexus_primitives::traits::TierTerms> {
		TierTable::<T>::get()
			.get(usize::from(index))
			.map(|t| nexus_primitives::traits::TierTerms {
				commitment_discount: t.commitment_discount,
				premium_lanes: t.premium_lanes,
			})
	}
}

impl<T: Config> nexus_primitives::traits::ProviderMultiplier<T::AccountId> for Pallet<T> {
	fn multiplier(who: &T::AccountId) -> FixedU128 {
		Self::provider_multiplier(who)
	}
}
