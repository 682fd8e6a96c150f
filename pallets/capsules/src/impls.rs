//! The registry's logic: registration, release, prices in force, derived status, and the
//! traits settlement and the reserve call.

use crate::{
	pallet::{
		AliasesOf, BalanceOf, CapsuleOf, Capsules, Config, Error, Event, HoldReason, ModelAliases,
		NextCapsuleId, OfferingAliases, OfferingIdOf, Offerings, Pallet, ProviderCapsules, SpecOf,
	},
	runtime_api::{CapsuleFilter, CapsuleInfo, CapsulePage, MAX_PAGE, MAX_SCAN},
	CapsuleId, CapsuleStatus, Price,
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::traits::{
	CapsuleBondSlash, CapsuleHealth, CapsuleRegistry, CapsuleTerms, Outcome, ProviderReputation,
};
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Zero},
	PerThing, Permill,
};

impl<T: Config> Pallet<T> {
	/// Registers `spec` for `owner`; returns the new id.
	pub fn do_register(owner: T::AccountId, spec: SpecOf<T>) -> Result<CapsuleId, DispatchError> {
		ensure!(!spec.offering.is_empty(), Error::<T>::EmptyOffering);
		let permitted = Offerings::<T>::get(&spec.offering).ok_or(Error::<T>::UnknownOffering)?;
		ensure!(permitted, Error::<T>::ResaleNotPermitted);
		ensure!(!spec.price.has_zero(), Error::<T>::ZeroPrice);
		ensure!(spec.capacity > 0, Error::<T>::ZeroCapacity);
		ensure!(spec.concurrency > 0, Error::<T>::ZeroConcurrency);
		let id = NextCapsuleId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
		let mut owned = ProviderCapsules::<T>::get(&owner);
		owned.try_push(id).map_err(|_| Error::<T>::TooManyCapsules)?;
		let bond = T::CapsuleBond::get();
		// Metadata is bounded by `MaxMetadataLen` (a u32), so its length fits.
		let bytes = u32::try_from(spec.metadata.len()).map_err(|_| Error::<T>::Overflow)?;
		let deposit = T::DepositPerByte::get().saturating_mul(bytes.into());
		bond.checked_add(&deposit).ok_or(Error::<T>::Overflow)?;
		// Both holds or neither: the call is transactional, so a failed second hold reverts
		// the first.
		T::Currency::hold(&HoldReason::CapsuleBond.into(), &owner, bond)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		if !deposit.is_zero() {
			T::Currency::hold(&HoldReason::MetadataDeposit.into(), &owner, deposit)
				.map_err(|_| Error::<T>::InsufficientBalance)?;
		}
		Capsules::<T>::insert(
			id,
			CapsuleOf::<T> {
				owner: owner.clone(),
				spec,
				pending_price: None,
				status: CapsuleStatus::Active,
				bond,
				deposit,
				trust: Permill::one(),
				uptime: Permill::one(),
			},
		);
		ProviderCapsules::<T>::insert(&owner, owned);
		NextCapsuleId::<T>::put(next);
		Self::deposit_event(Event::Registered { id, owner, bond, deposit });
		Ok(id)
	}

	/// Applies `f` to capsule `id` if `who` owns it; writes it back only if `f` succeeds.
	pub(crate) fn mutate_owned(
		who: &T::AccountId,
		id: CapsuleId,
		f: impl FnOnce(&mut CapsuleOf<T>) -> DispatchResult,
	) -> DispatchResult {
		Capsules::<T>::try_mutate(id, |maybe| {
			let capsule = maybe.as_mut().ok_or(Error::<T>::UnknownCapsule)?;
			ensure!(&capsule.owner == who, Error::<T>::NotOwner);
			f(capsule)
		})
	}

	/// Returns a retired capsule's bond and deposit once its delay has passed; removes it.
	pub(crate) fn do_release(id: CapsuleId, capsule: CapsuleOf<T>) -> DispatchResult {
		let CapsuleStatus::Retired { bond_release_at } = capsule.status else {
			return Err(Error::<T>::NotRetired.into());
		};
		ensure!(
			frame_system::Pallet::<T>::block_number() >= bond_release_at,
			Error::<T>::BondLocked
		);
		// Exact: the ledger says what is held (a slash lowers `bond` as it takes).
		T::Currency::release(
			&HoldReason::CapsuleBond.into(),
			&capsule.owner,
			capsule.bond,
			Precision::Exact,
		)?;
		T::Currency::release(
			&HoldReason::MetadataDeposit.into(),
			&capsule.owner,
			capsule.deposit,
			Precision::Exact,
		)?;
		ProviderCapsules::<T>::mutate(&capsule.owner, |ids| ids.retain(|c| *c != id));
		Capsules::<T>::remove(id);
		Self::deposit_event(Event::BondReleased {
			id,
			bond: capsule.bond,
			deposit: capsule.deposit,
		});
		Ok(())
	}

	/// The price in force at `now`: the announced one once its notice has passed.
	pub fn price_at(capsule: &CapsuleOf<T>, now: BlockNumberFor<T>) -> Price<BalanceOf<T>> {
		match capsule.pending_price {
			Some(p) if p.effective_at <= now => p.price,
			_ => capsule.spec.price,
		}
	}

	/// The status routing should use: stored status, except that an active or paused capsule
	/// on an offering that no longer permits resale counts as suspended.
	pub fn effective_status(capsule: &CapsuleOf<T>) -> CapsuleStatus<BlockNumberFor<T>> {
		match capsule.status {
			CapsuleStatus::Active | CapsuleStatus::Paused
				if !Offerings::<T>::get(&capsule.spec.offering).unwrap_or(false) =>
				CapsuleStatus::Suspended,
			s => s,
		}
	}

	/// A capsule as the runtime API shows it at block `now`.
	pub fn info(
		id: CapsuleId,
		capsule: CapsuleOf<T>,
		now: BlockNumberFor<T>,
	) -> CapsuleInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		let price = Self::price_at(&capsule, now);
		let status = Self::effective_status(&capsule);
		let pending_price = capsule.pending_price.filter(|p| p.effective_at > now);
		let CapsuleOf::<T> { owner, spec, bond, deposit, trust, uptime, .. } = capsule;
		CapsuleInfo {
			id,
			owner,
			offering: spec.offering.into_inner(),
			lane: spec.lane,
			price,
			pending_price,
			capacity: spec.capacity,
			window: spec.window,
			concurrency: spec.concurrency,
			region: spec.region.into_inner(),
			endpoint_commitment: spec.endpoint_commitment,
			metadata: spec.metadata.into_inner(),
			status,
			bond,
			deposit,
			trust,
			uptime,
		}
	}

	/// Capsule `id` as the runtime API shows it now.
	pub fn capsule_info(
		id: CapsuleId,
	) -> Option<CapsuleInfo<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		let now = frame_system::Pallet::<T>::block_number();
		Capsules::<T>::get(id).map(|c| Self::info(id, c, now))
	}

	/// One page of capsules matching `filter`, from id `from`: at most `min(limit, MAX_PAGE)`
	/// capsules, looking at most `MAX_SCAN` ids (see [`crate::runtime_api`]).
	pub fn capsules_page(
		filter: CapsuleFilter<T::AccountId>,
		from: CapsuleId,
		limit: u32,
	) -> CapsulePage<T::AccountId, BalanceOf<T>, BlockNumberFor<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		let end = NextCapsuleId::<T>::get();
		let scan_end = from.saturating_add(MAX_SCAN).min(end);
		let want = usize::try_from(limit.min(MAX_PAGE)).unwrap_or(0);
		let mut capsules = alloc::vec::Vec::new();
		let mut id = from;
		while id < scan_end && capsules.len() < want {
			if let Some(c) = Capsules::<T>::get(id) {
				let info = Self::info(id, c, now);
				if filter.matches(&info) {
					capsules.push(info);
				}
			}
			// `id < scan_end <= u64::MAX`, so this cannot saturate.
			id = id.saturating_add(1);
		}
		CapsulePage { capsules, next: (id < end).then_some(id) }
	}

	/// Folds `sample` (1 = good, 0 = bad) into `trust` with weight `TrustSmoothing`.
	pub fn ewma(trust: Permill, sample: Permill) -> Permill {
		let alpha = T::TrustSmoothing::get();
		// (1 - α)·trust + α·sample never exceeds one (the weights sum to one); rounding down
		// both terms keeps it so.
		let keep = alpha.left_from_one().mul_floor(trust.deconstruct());
		let add = alpha.mul_floor(sample.deconstruct());
		Permill::from_parts(keep.saturating_add(add))
	}

	/// Replaces `offering`'s model aliases with `aliases` (checked: see
	/// [`Pallet::set_model_aliases`]); returns how many it had.
	pub(crate) fn do_set_aliases(
		offering: OfferingIdOf<T>,
		aliases: AliasesOf<T>,
	) -> Result<u32, DispatchError> {
		ensure!(Offerings::<T>::contains_key(&offering), Error::<T>::UnknownOffering);
		for (i, alias) in aliases.iter().enumerate() {
			ensure!(!alias.is_empty(), Error::<T>::EmptyAlias);
			ensure!(!Offerings::<T>::contains_key(alias), Error::<T>::AliasIsOffering);
			ensure!(!aliases.iter().take(i).any(|a| a == alias), Error::<T>::DuplicateAlias);
			ensure!(
				ModelAliases::<T>::get(alias).is_none_or(|o| o == offering),
				Error::<T>::AliasTaken
			);
		}
		let old = OfferingAliases::<T>::take(&offering);
		for alias in old.iter() {
			ModelAliases::<T>::remove(alias);
		}
		for alias in aliases.iter() {
			ModelAliases::<T>::insert(alias, &offering);
		}
		if !aliases.is_empty() {
			OfferingAliases::<T>::insert(&offering, &aliases);
		}
		Self::deposit_event(Event::ModelAliasesSet { offering, aliases });
		Ok(old.len() as u32)
	}

	/// Every listed offering with its aliases, in id order (the runtime API's `offerings`).
	pub fn offerings() -> alloc::vec::Vec<crate::runtime_api::OfferingInfo> {
		let mut list: alloc::vec::Vec<_> = Offerings::<T>::iter()
			.map(|(id, resale_permitted)| crate::runtime_api::OfferingInfo {
				aliases: OfferingAliases::<T>::get(&id)
					.into_iter()
					.map(|a| a.into_inner())
					.collect(),
				id: id.into_inner(),
				resale_permitted,
			})
			.collect();
		list.sort_by(|a, b| a.id.cmp(&b.id));
		list
	}

	/// The offering a model id names: itself when it is an offering, else the offering it is
	/// an alias of.
	pub fn offering_of(model: &[u8]) -> Option<OfferingIdOf<T>> {
		let id = OfferingIdOf::<T>::try_from(model.to_vec()).ok()?;
		if Offerings::<T>::contains_key(&id) {
			return Some(id);
		}
		ModelAliases::<T>::get(&id)
	}

	/// Invariants:
	/// 1. every capsule is listed under its owner, and every listed id exists and is owned;
	/// 2. `NextCapsuleId` is above every id;
	/// 3. each provider's held bond and deposit equal the sums over its capsules;
	/// 4. every model alias names a listed offering, is not an offering id, and is in that
	///    offering's alias list; every listed alias names its offering back.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		let next = NextCapsuleId::<T>::get();
		for (id, c) in Capsules::<T>::iter() {
			ensure!(id < next, "capsule id not below NextCapsuleId");
			ensure!(
				ProviderCapsules::<T>::get(&c.owner).contains(&id),
				"capsule missing from its owner's list"
			);
		}
		for (owner, ids) in ProviderCapsules::<T>::iter() {
			let (mut bond, mut deposit) = (BalanceOf::<T>::zero(), BalanceOf::<T>::zero());
			for id in ids.iter() {
				let c = Capsules::<T>::get(id).ok_or("listed capsule does not exist")?;
				ensure!(c.owner == owner, "listed capsule owned by someone else");
				bond = bond.checked_add(&c.bond).ok_or("bond sum overflows")?;
				deposit = deposit.checked_add(&c.deposit).ok_or("deposit sum overflows")?;
			}
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::CapsuleBond.into(), &owner) == bond,
				"held bond differs from the capsules' bonds"
			);
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::MetadataDeposit.into(), &owner) ==
					deposit,
				"held deposit differs from the capsules' deposits"
			);
		}
		for (alias, offering) in ModelAliases::<T>::iter() {
			ensure!(Offerings::<T>::contains_key(&offering), "an alias names no offering");
			ensure!(!Offerings::<T>::contains_key(&alias), "an alias is an offering id");
			ensure!(
				OfferingAliases::<T>::get(&offering).contains(&alias),
				"an alias missing from its offering's list"
			);
		}
		for (offering, aliases) in OfferingAliases::<T>::iter() {
			ensure!(!aliases.is_empty(), "an empty alias list is stored");
			for alias in aliases.iter() {
				ensure!(
					ModelAliases::<T>::get(alias).as_ref() == Some(&offering),
					"a listed alias does not name its offering"
				);
			}
		}
		Ok(())
	}
}

impl<T: Config> CapsuleHealth<CapsuleId> for Pallet<T> {
	fn record_outcome(capsule: CapsuleId, outcome: Outcome) -> Result<(), &'static str> {
		Self::record_outcomes(capsule, &[outcome])
	}

	fn record_outcomes(capsule: CapsuleId, outcomes: &[Outcome]) -> Result<(), &'static str> {
		Capsules::<T>::try_mutate(capsule, |c| {
			let c = c.as_mut().ok_or("unknown capsule")?;
			for outcome in outcomes {
				let sample = match outcome {
					Outcome::Served => Permill::one(),
					Outcome::Failed | Outcome::RolledBack => Permill::zero(),
				};
				c.trust = Self::ewma(c.trust, sample);
			}
			Ok(())
		})
	}

	fn record_uptime(capsule: CapsuleId, uptime: Permill) -> Result<(), &'static str> {
		Capsules::<T>::try_mutate(capsule, |c| {
			let c = c.as_mut().ok_or("unknown capsule")?;
			c.uptime = uptime;
			Ok(())
		})
	}
}

impl<T: Config> CapsuleRegistry<T::AccountId> for Pallet<T>
where
	BalanceOf<T>: Into<u128>,
{
	fn terms(capsule: u64) -> Option<CapsuleTerms<T::AccountId>> {
		let c = Capsules::<T>::get(capsule)?;
		let now = frame_system::Pallet::<T>::block_number();
		let price = Self::price_at(&c, now);
		let active = matches!(Self::effective_status(&c), CapsuleStatus::Active);
		Some(CapsuleTerms {
			provider: c.owner,
			prices: price.unit_prices(),
			premium: matches!(c.spec.lane, crate::Lane::Premium),
			active,
		})
	}
}

impl<T: Config> ProviderReputation<T::AccountId> for Pallet<T> {
	/// The averages of trust and uptime over the provider's capsules that are not retired
	/// (zero for a provider without any).
	fn reputation(who: &T::AccountId) -> (Permill, Permill) {
		let (mut trust, mut uptime, mut n) = (0u64, 0u64, 0u64);
		for id in ProviderCapsules::<T>::get(who) {
			let Some(c) = Capsules::<T>::get(id) else { continue };
			if matches!(c.status, CapsuleStatus::Retired { .. }) {
				continue;
			}
			trust = trust.saturating_add(u64::from(c.trust.deconstruct()));
			uptime = uptime.saturating_add(u64::from(c.uptime.deconstruct()));
			n = n.saturating_add(1);
		}
		let avg = |sum: u64| {
			Permill::from_parts(sum.checked_div(n).and_then(|v| u32::try_from(v).ok()).unwrap_or(0))
		};
		(avg(trust), avg(uptime))
	}
}

impl<T: Config> CapsuleBondSlash<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn slash_bond(
		capsule: u64,
		amount: BalanceOf<T>,
		dest: &T::AccountId,
	) -> Result<BalanceOf<T>, DispatchError> {
		Capsules::<T>::try_mutate(capsule, |c| {
			let c = c.as_mut().ok_or(Error::<T>::UnknownCapsule)?;
			let take = amount.min(c.bond);
			if take.is_zero() {
				return Ok(take);
			}
			let moved = T::Currency::transfer_on_hold(
				&HoldReason::CapsuleBond.into(),
				&c.owner,
				dest,
				take,
				Precision::Exact,
				Restriction::Free,
				Fortitude::Force,
			)?;
			c.bond = c.bond.saturating_sub(moved); // moved <= take <= bond
			Ok(moved)
		})
	}
}
