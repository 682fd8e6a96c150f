//! Escrow: what seekers deposit per payment asset, held in this pallet's account; `free` is
//! withdrawn or committed to sessions, `committed` backs sessions' unspent caps. Refunds of
//! disputed or rolled-back charges come back here from the reserve.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{fungibles::Mutate, tokens::Preservation},
};
use nexus_primitives::traits::{FeePolicy, ReserveFund, UsageObserver};
use sp_runtime::traits::AccountIdConversion;

impl<T: Config> Pallet<T> {
	/// The escrow account: holds every seeker's escrow.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

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

	/// A seeker's escrow in every asset it holds (runtime API).
	pub fn escrow_of(who: &T::AccountId) -> Vec<(T::AssetKind, crate::EscrowLedger)> {
		Escrow::<T>::iter_prefix(who).collect()
	}
}
