//! Gateways: registered by governance with an NXV bond held from the operator; suspended,
//! resumed and removed (once no session names them); slashed when a dispute rules against them.

use crate::*;
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use nexus_primitives::traits::GatewayBondSlash;
use sp_core::sr25519;

impl<T: Config> Pallet<T> {
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
