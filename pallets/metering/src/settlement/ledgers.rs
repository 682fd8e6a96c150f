//! The money side of settling a batch: every escrow ledger, usage
//! counter, destination account, flow-ledger line, usage-programme volume and capsule trust a
//! batch touches is read once and written once, however many receipts touch it. Receipts are
//! judged against this in-memory view; [`Ledgers::apply`] writes it back.

use crate::{
	pallet::{Config, Escrow, Pallet, Usage},
	EscrowLedger,
};
use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::{
	pallet_prelude::*,
	traits::{fungibles::Mutate, tokens::Preservation},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	settlement::Legs,
	traits::{CapsuleHealth, FeeDestinations, FeePolicy, Outcome, UsageObserver},
};
use sp_runtime::traits::{CheckedDiv, Saturating, Zero};

/// A batch's view of the ledgers it touches.
pub(crate) struct Ledgers<T: Config> {
	/// The first block of the current usage window.
	window: BlockNumberFor<T>,
	escrow: BTreeMap<(T::AccountId, T::AssetKind), EscrowLedger>,
	usage: BTreeMap<T::AccountId, (BlockNumberFor<T>, u64)>,
	/// Session outcomes per capsule, in order, for its trust.
	outcomes: BTreeMap<u64, Vec<Outcome>>,
	/// What each destination receives, per asset.
	credits: BTreeMap<(T::AssetKind, T::AccountId), u128>,
	/// Per asset: receipts settled, volume (pricing unit) and legs, for the flow ledger.
	flows: BTreeMap<T::AssetKind, (u32, u128, Legs)>,
	/// Settled volume (pricing unit) per seeker and per provider, for the usage programmes.
	spent: BTreeMap<T::AccountId, u128>,
	served: BTreeMap<T::AccountId, u128>,
}

impl<T: Config> Ledgers<T> {
	/// An empty view at block `now`.
	pub(crate) fn new(now: BlockNumberFor<T>) -> Self {
		let len = T::UsageWindow::get();
		let index = now.checked_div(&len).unwrap_or_else(Zero::zero);
		Self {
			window: index.saturating_mul(len),
			escrow: BTreeMap::new(),
			usage: BTreeMap::new(),
			outcomes: BTreeMap::new(),
			credits: BTreeMap::new(),
			flows: BTreeMap::new(),
			spent: BTreeMap::new(),
			served: BTreeMap::new(),
		}
	}

	/// `who`'s escrow in `asset`, read on first use.
	pub(crate) fn ledger(&mut self, who: &T::AccountId, asset: &T::AssetKind) -> &mut EscrowLedger {
		self.escrow
			.entry((who.clone(), asset.clone()))
			.or_insert_with(|| Escrow::<T>::get(who, asset))
	}

	/// The units `who` has used in the current window.
	pub(crate) fn used(&mut self, who: &T::AccountId) -> u64 {
		let window = self.window;
		let (w, units) = *self.usage.entry(who.clone()).or_insert_with(|| Usage::<T>::get(who));
		if w == window {
			units
		} else {
			0
		}
	}

	/// Sets the units `who` has used in the current window.
	pub(crate) fn set_used(&mut self, who: T::AccountId, units: u64) {
		self.usage.insert(who, (self.window, units));
	}

	/// Records a session outcome for `capsule`'s trust.
	pub(crate) fn outcome(&mut self, capsule: u64, outcome: Outcome) {
		self.outcomes.entry(capsule).or_default().push(outcome);
	}

	/// Books `count` settled charges of `asset` from `seeker` to `provider`, of `net_pricing` in
	/// the pricing unit and `legs` in all (the sums of each charge's exact legs): each leg to its
	/// destination (the provider's to `provider`), the flow ledger, and the usage programmes'
	/// volume.
	pub(crate) fn book(
		&mut self,
		seeker: &T::AccountId,
		provider: &T::AccountId,
		asset: &T::AssetKind,
		count: u32,
		net_pricing: u128,
		legs: &Legs,
	) {
		self.credit(asset, provider.clone(), legs.provider);
		self.credit(asset, T::Destinations::treasury(), legs.treasury);
		self.credit(asset, T::Destinations::buyback(), legs.buyback);
		self.credit(asset, T::Destinations::validators(), legs.validators);
		self.credit(asset, T::Destinations::reserve(), legs.reserve);
		let flow = self.flows.entry(asset.clone()).or_default();
		flow.0 = flow.0.saturating_add(count);
		flow.1 = flow.1.saturating_add(net_pricing);
		flow.2.accrue(legs);
		let spent = self.spent.entry(seeker.clone()).or_default();
		*spent = spent.saturating_add(net_pricing);
		let served = self.served.entry(provider.clone()).or_default();
		*served = served.saturating_add(net_pricing);
	}

	fn credit(&mut self, asset: &T::AssetKind, to: T::AccountId, amount: u128) {
		if amount > 0 {
			let c = self.credits.entry((asset.clone(), to)).or_default();
			*c = c.saturating_add(amount);
		}
	}

	/// Writes the view back: one transfer per destination and asset, then each ledger, usage
	/// counter, capsule, flow line and usage-programme pair once.
	pub(crate) fn apply(self) -> DispatchResult {
		let escrow = Pallet::<T>::account_id();
		for ((asset, to), amount) in &self.credits {
			T::Assets::transfer(asset.clone(), &escrow, to, *amount, Preservation::Preserve)?;
		}
		for ((who, asset), l) in self.escrow {
			Pallet::<T>::write_escrow(&who, &asset, l);
		}
		for (who, u) in self.usage {
			Usage::<T>::insert(who, u);
		}
		for (capsule, outcomes) in self.outcomes {
			// The capsule was read in this batch; it cannot have vanished since.
			let _ = T::Capsules::record_outcomes(capsule, &outcomes);
		}
		for (asset, (count, volume, legs)) in self.flows {
			T::Policy::note_settled(&asset, count, volume, &legs);
		}
		if !self.spent.is_empty() {
			let spent: Vec<_> = self.spent.into_iter().collect();
			let served: Vec<_> = self.served.into_iter().collect();
			T::Usage::on_settled_batch(&spent, &served);
		}
		Ok(())
	}
}
