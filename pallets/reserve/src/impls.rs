//! The reserve's logic: payments, valuation, coverage and sweeps.

use crate::{
	pallet::{Config, Error, Event, Paid, Pallet, Swept},
	runtime_api::ReserveStatus,
};
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungibles::{Inspect, Mutate},
		tokens::{Fortitude, Preservation},
	},
};
use nexus_primitives::{
	economics::reserve,
	settlement::Rate,
	traits::{FeePolicy, ReserveFund},
};
use sp_core::H256;
use sp_runtime::traits::AccountIdConversion;

impl<T: Config> Pallet<T> {
	/// The reserve's account.
	pub fn account_id() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// The payment assets, stable first (the sweep order).
	fn assets() -> [T::AssetKind; 2] {
		[T::StableAsset::get(), T::NativeAsset::get()]
	}

	/// What the reserve can pay of `asset` without going below its minimum balance.
	pub fn available(asset: &T::AssetKind) -> u128 {
		T::Assets::reducible_balance(
			asset.clone(),
			&Self::account_id(),
			Preservation::Preserve,
			Fortitude::Polite,
		)
	}

	/// The reserve's holdings and their value in the pricing unit (NXV at the last price;
	/// without a price NXV counts as zero).
	pub fn holdings() -> (Vec<(T::AssetKind, u128)>, u128) {
		let account = Self::account_id();
		let mut value = 0u128;
		let holdings = Self::assets()
			.into_iter()
			.map(|asset| {
				let balance = T::Assets::balance(asset.clone(), &account);
				value = value.saturating_add(T::Policy::to_pricing(&asset, balance).unwrap_or(0));
				(asset, balance)
			})
			.collect();
		(holdings, value)
	}

	/// The target value: `max(MinReserve, TargetCoverage × trailing volume)`
	/// ([`reserve::target`]).
	pub fn target_value() -> u128 {
		reserve::target(
			T::Policy::trailing_volume(),
			T::TargetCoverage::get(),
			T::MinReserve::get(),
		)
	}

	/// The reserve's state, for the runtime API.
	pub fn status() -> ReserveStatus<T::AccountId, T::AssetKind> {
		let (holdings, value) = Self::holdings();
		let trailing_volume = T::Policy::trailing_volume();
		let target = Self::target_value();
		// Parts per million; `None` without volume (coverage is then unbounded).
		let coverage_ppm = reserve::coverage_ppm(value, trailing_volume);
		ReserveStatus {
			account: Self::account_id(),
			holdings,
			value,
			trailing_volume,
			coverage_ppm,
			target_coverage: T::TargetCoverage::get(),
			min_reserve: T::MinReserve::get(),
			target_value: target,
			overflow: reserve::overflow(value, target),
			paid: Self::assets().into_iter().map(|a| (a.clone(), Paid::<T>::get(a))).collect(),
			swept: Self::assets().into_iter().map(|a| (a.clone(), Swept::<T>::get(a))).collect(),
		}
	}

	/// Pays `amount` of `asset` to `to`, in full or not at all.
	pub fn do_pay_claim(
		asset: T::AssetKind,
		to: T::AccountId,
		amount: u128,
		reason: H256,
	) -> DispatchResult {
		ensure!(amount > 0, Error::<T>::ZeroAmount);
		ensure!(T::Policy::is_payment_asset(&asset), Error::<T>::UnsupportedAsset);
		ensure!(Self::available(&asset) >= amount, Error::<T>::InsufficientReserve);
		T::Assets::transfer(
			asset.clone(),
			&Self::account_id(),
			&to,
			amount,
			Preservation::Preserve,
		)?;
		Paid::<T>::mutate(&asset, |p| *p = p.saturating_add(amount));
		Self::deposit_event(Event::ClaimPaid { asset, to, amount, reason });
		Ok(())
	}

	/// Moves the value above the target to the treasury, stable asset first, then NXV at a
	/// fresh price ([`reserve::sweep`]).
	pub fn do_sweep() -> DispatchResult {
		let (_, value) = Self::holdings();
		let target = Self::target_value();
		let overflow = reserve::overflow(value, target);
		ensure!(overflow > 0, Error::<T>::NoOverflow);
		let [stable, native] = Self::assets();
		// NXV is swept only at a fresh price (a stale one refuses NXV conversions).
		let price = match T::Policy::rate(&native) {
			Ok(Rate::Token { price, one }) => Some((price, one)),
			_ => None,
		};
		let amounts =
			reserve::sweep(overflow, Self::available(&stable), Self::available(&native), price);
		let mut moved_any = false;
		for (asset, amount) in [(stable, amounts.0), (native, amounts.1)] {
			if amount == 0 {
				continue;
			}
			T::Assets::transfer(
				asset.clone(),
				&Self::account_id(),
				&T::Treasury::get(),
				amount,
				Preservation::Preserve,
			)?;
			Swept::<T>::mutate(&asset, |s| *s = s.saturating_add(amount));
			Self::deposit_event(Event::OverflowSwept { asset, amount, target });
			moved_any = true;
		}
		ensure!(moved_any, Error::<T>::NoOverflow);
		Ok(())
	}

	/// Invariants:
	/// 1. the reserve account exists (it is never reaped);
	/// 2. after any sweep the reserve is not below its target because of the sweep: the value above
	///    the target is what a sweep may take, which `do_sweep` bounds (checked in tests).
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(
			frame_system::Pallet::<T>::account_exists(&Self::account_id()),
			"reserve account does not exist"
		);
		Ok(())
	}
}

impl<T: Config> ReserveFund<T::AccountId, T::AssetKind> for Pallet<T> {
	fn pay(asset: &T::AssetKind, to: &T::AccountId, amount: u128) -> DispatchResult {
		if amount == 0 {
			return Ok(());
		}
		ensure!(amount <= Self::available(asset), Error::<T>::InsufficientReserve);
		T::Assets::transfer(
			asset.clone(),
			&Self::account_id(),
			to,
			amount,
			Preservation::Preserve,
		)?;
		Paid::<T>::mutate(asset, |p| *p = p.saturating_add(amount));
		T::Policy::note_refund(asset, amount);
		Self::deposit_event(Event::RefundPaid { asset: asset.clone(), to: to.clone(), amount });
		Ok(())
	}
}
