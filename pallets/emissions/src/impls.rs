//! Milestone checks, the release pass, vesting, and the usage that feeds them.

use crate::{
	pallet::{
		Config, CurrentRound, Deferred, DeferredTotal, Error, Event, MetricsProgress, Milestones,
		Pallet, Released, Releasing, Rounds, SeenProviders, SeenSeekers, Weights,
	},
	runtime_api::{EmissionsStatus, MilestoneStatus},
	Metric, Milestone, Release, WeightInfo,
};
use frame_support::{
	ensure,
	pallet_prelude::*,
	traits::{
		fungible,
		tokens::{Fortitude, Preservation},
		VestingSchedule,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	economics::emissions,
	settlement::cumulative_share,
	traits::{ProviderMultiplier, UsageObserver},
};
use sp_runtime::{traits::UniqueSaturatedInto, FixedPointNumber};

impl<T: Config> Pallet<T> {
	/// The pool's NXV above its existential deposit.
	pub fn pool_balance() -> u128 {
		<T::Currency as fungible::Inspect<T::AccountId>>::reducible_balance(
			&Self::account_id(),
			Preservation::Preserve,
			Fortitude::Polite,
		)
	}

	/// Tranches of milestones not yet reached.
	pub fn committed() -> u128 {
		Milestones::<T>::get()
			.iter()
			.filter(|m| m.released_at.is_none())
			.fold(0u128, |a, m| a.saturating_add(m.tranche))
	}

	/// What the pool must keep: unreleased tranches, the rest of a running release and
	/// deferred shares.
	pub fn encumbered() -> u128 {
		let releasing =
			Releasing::<T>::get().map(|r| r.tranche.saturating_sub(r.paid)).unwrap_or(0);
		Self::committed()
			.saturating_add(releasing)
			.saturating_add(DeferredTotal::<T>::get())
	}

	pub(crate) fn do_add_milestone(
		metric: Metric,
		threshold: u128,
		tranche: u128,
	) -> DispatchResult {
		ensure!(tranche > 0, Error::<T>::ZeroTranche);
		ensure!(threshold > MetricsProgress::<T>::get().of(metric), Error::<T>::NotInFuture);
		let mut milestones = Milestones::<T>::get();
		ensure!(
			milestones
				.iter()
				.filter(|m| m.metric == metric)
				.all(|m| m.threshold < threshold),
			Error::<T>::NotAscending
		);
		ensure!(
			Self::encumbered().saturating_add(tranche) <= Self::pool_balance(),
			Error::<T>::TrancheExceedsPool
		);
		let index = u32::try_from(milestones.len()).map_err(|_| Error::<T>::TooManyMilestones)?;
		milestones
			.try_push(Milestone { metric, threshold, tranche, released_at: None })
			.map_err(|_| Error::<T>::TooManyMilestones)?;
		Milestones::<T>::put(milestones);
		Self::deposit_event(Event::MilestoneAdded { index, metric, threshold, tranche });
		Ok(())
	}

	/// One block's work: advance a running release, or start one for a reached milestone.
	pub(crate) fn on_block(n: BlockNumberFor<T>) -> Weight {
		let mut weight = T::DbWeight::get().reads(1);
		if Releasing::<T>::exists() {
			return weight.saturating_add(Self::advance_release(T::DistributePerBlock::get()));
		}
		weight = weight.saturating_add(T::WeightInfo::check_milestones());
		let _ = Self::start_release(n);
		weight
	}

	/// Starts the release of the first reached milestone, if the round has weight to share it.
	pub(crate) fn start_release(n: BlockNumberFor<T>) -> Option<u32> {
		let progress = MetricsProgress::<T>::get();
		let mut milestones = Milestones::<T>::get();
		let index = emissions::next_release(
			milestones
				.iter()
				.map(|m| (m.released_at.is_some(), progress.of(m.metric), m.threshold)),
		)?;
		let m = milestones.get_mut(index)?;
		let round = CurrentRound::<T>::get();
		let tally = Rounds::<T>::get(round);
		if tally.weight == 0 || tally.providers == 0 {
			// Nobody to share it with yet: it waits for the first provider to serve.
			return None;
		}
		let index = u32::try_from(index).ok()?;
		m.released_at = Some(n);
		let (metric, tranche) = (m.metric, m.tranche);
		Milestones::<T>::put(milestones);
		CurrentRound::<T>::put(round.saturating_add(1));
		Rounds::<T>::remove(round);
		Releasing::<T>::put(Release {
			milestone: index,
			round,
			tranche,
			weight: tally.weight,
			visited_weight: 0,
			paid: 0,
			providers: tally.providers,
			remaining: tally.providers,
		});
		Self::deposit_event(Event::MilestoneReached {
			index,
			metric,
			value: progress.of(metric),
			tranche,
			round,
			providers: tally.providers,
		});
		Some(index)
	}

	/// Visits up to `limit` providers of the releasing round: each gets its cumulative share,
	/// vested (or deferred). Completes the release after the last.
	pub(crate) fn advance_release(limit: u32) -> Weight {
		let Some(mut r) = Releasing::<T>::get() else { return Weight::zero() };
		let mut visited = 0u32;
		for (who, w) in Weights::<T>::drain_prefix(r.round) {
			let before = r.visited_weight;
			r.visited_weight = r.visited_weight.saturating_add(w);
			let amount = cumulative_share(r.tranche, before, w, r.weight);
			if amount > 0 {
				match Self::vest(&who, amount) {
					Ok(per_block) =>
						Self::deposit_event(Event::TrancheVested { who, amount, per_block }),
					Err(_) => {
						Deferred::<T>::mutate(&who, |d| *d = d.saturating_add(amount));
						DeferredTotal::<T>::mutate(|t| *t = t.saturating_add(amount));
						Self::deposit_event(Event::TrancheDeferred { who, amount });
					},
				}
				r.paid = r.paid.saturating_add(amount);
				Released::<T>::mutate(|t| *t = t.saturating_add(amount));
			}
			r.remaining = r.remaining.saturating_sub(1);
			visited = visited.saturating_add(1);
			if visited >= limit {
				break;
			}
		}
		if r.remaining == 0 {
			if r.paid != r.tranche {
				// Cumulative shares telescope to the tranche; should a tally ever be off, the
				// rest simply stays in the pool (uncommitted).
				frame_support::defensive!("tranche shares do not sum to the tranche");
			}
			Self::deposit_event(Event::ReleaseCompleted {
				index: r.milestone,
				paid: r.paid,
				providers: r.providers,
			});
			Releasing::<T>::kill();
		} else {
			Releasing::<T>::put(r);
		}
		T::WeightInfo::advance_release(visited)
	}

	/// Transfers `amount` from the pool to `who` and locks it in a schedule vesting linearly
	/// over [`Config::VestingPeriod`] from now; all or nothing. Returns the per-block unlock.
	pub(crate) fn vest(who: &T::AccountId, amount: u128) -> Result<u128, DispatchError> {
		let period: u128 = T::VestingPeriod::get().unique_saturated_into();
		let per_block = emissions::per_block(amount, period);
		let start = frame_system::Pallet::<T>::block_number();
		frame_support::storage::with_storage_layer(|| {
			T::Vesting::can_add_vesting_schedule(who, amount, per_block, start)?;
			<T::Currency as fungible::Mutate<T::AccountId>>::transfer(
				&Self::account_id(),
				who,
				amount,
				Preservation::Preserve,
			)?;
			T::Vesting::add_vesting_schedule(who, amount, per_block, start)?;
			Ok(per_block)
		})
	}

	/// The state [`crate::runtime_api::EmissionsApi::emissions_status`] returns.
	pub fn status() -> EmissionsStatus<T::AccountId, BlockNumberFor<T>> {
		let progress = MetricsProgress::<T>::get();
		let round = CurrentRound::<T>::get();
		let tally = Rounds::<T>::get(round);
		let pool = Self::pool_balance();
		EmissionsStatus {
			account: Self::account_id(),
			pool,
			progress,
			milestones: Milestones::<T>::get()
				.iter()
				.enumerate()
				.map(|(i, m)| MilestoneStatus {
					index: u32::try_from(i).unwrap_or(u32::MAX),
					metric: m.metric,
					threshold: m.threshold,
					tranche: m.tranche,
					progress: progress.of(m.metric),
					released_at: m.released_at,
				})
				.collect(),
			released: Released::<T>::get(),
			committed: Self::committed(),
			deferred: DeferredTotal::<T>::get(),
			uncommitted: pool.saturating_sub(Self::encumbered()),
			round,
			round_weight: tally.weight,
			round_providers: tally.providers,
			releasing: Releasing::<T>::get().map(|r| r.milestone),
		}
	}

	/// Invariants:
	/// 1. the pool holds every unreleased tranche, the rest of a running release and every deferred
	///    share;
	/// 2. thresholds ascend per metric, and every released milestone's threshold was reached;
	/// 3. the open round's tally matches its entries, and a running release's remaining providers
	///    and weight match the entries left;
	/// 4. deferred shares sum to their total.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(
			Self::pool_balance() >= Self::encumbered(),
			"the pool cannot cover its commitments"
		);
		let progress = MetricsProgress::<T>::get();
		let milestones = Milestones::<T>::get();
		for (i, m) in milestones.iter().enumerate() {
			for later in milestones.iter().skip(i.saturating_add(1)) {
				ensure!(
					later.metric != m.metric || later.threshold > m.threshold,
					"thresholds do not ascend"
				);
			}
			if m.released_at.is_some() {
				ensure!(
					progress.of(m.metric) >= m.threshold || m.metric == Metric::SettledVolume,
					"a milestone was released before it was reached"
				);
			}
		}
		let sum = |round: u32| {
			Weights::<T>::iter_prefix(round)
				.fold((0u128, 0u32), |(w, n), (_, v)| (w.saturating_add(v), n.saturating_add(1)))
		};
		let (w, n) = sum(CurrentRound::<T>::get());
		let tally = Rounds::<T>::get(CurrentRound::<T>::get());
		ensure!((w, n) == (tally.weight, tally.providers), "round tally out of step");
		if let Some(r) = Releasing::<T>::get() {
			let (w, n) = sum(r.round);
			ensure!(n == r.remaining, "release providers out of step");
			ensure!(w.saturating_add(r.visited_weight) == r.weight, "release weight out of step");
		}
		let deferred = Deferred::<T>::iter_values().fold(0u128, |a, v| a.saturating_add(v));
		ensure!(deferred == DeferredTotal::<T>::get(), "deferred total out of step");
		Ok(())
	}
}

impl<T: Config> UsageObserver<T::AccountId> for Pallet<T> {
	/// Counts the volume, the seekers and the providers, and accrues each provider's weight
	/// (its volume × its multiplier now) in the current round; the progress and the round's
	/// tally are read and written once.
	fn on_settled_batch(seekers: &[(T::AccountId, u128)], providers: &[(T::AccountId, u128)]) {
		let mut progress = MetricsProgress::<T>::get();
		let before = progress;
		for (seeker, volume) in seekers {
			if *volume == 0 {
				continue;
			}
			progress.settled_volume = progress.settled_volume.saturating_add(*volume);
			if !SeenSeekers::<T>::contains_key(seeker) {
				SeenSeekers::<T>::insert(seeker, ());
				progress.seekers = progress.seekers.saturating_add(1);
			}
		}
		let round = CurrentRound::<T>::get();
		let mut tally = Rounds::<T>::get(round);
		let tally_before = tally;
		for (provider, volume) in providers {
			if *volume == 0 {
				continue;
			}
			if !SeenProviders::<T>::contains_key(provider) {
				SeenProviders::<T>::insert(provider, ());
				progress.providers = progress.providers.saturating_add(1);
			}
			let weight = T::Multiplier::multiplier(provider).saturating_mul_int(*volume);
			if weight == 0 {
				continue;
			}
			if !Weights::<T>::contains_key(round, provider) {
				tally.providers = tally.providers.saturating_add(1);
			}
			Weights::<T>::mutate(round, provider, |w| *w = w.saturating_add(weight));
			tally.weight = tally.weight.saturating_add(weight);
		}
		if progress != before {
			MetricsProgress::<T>::put(progress);
		}
		if tally != tally_before {
			Rounds::<T>::insert(round, tally);
		}
	}

	/// Takes the refunded volume back out of the settled volume and out of the provider's
	/// weight in the current round (as far as it goes).
	fn on_refunded(_seeker: &T::AccountId, provider: &T::AccountId, volume: u128) {
		MetricsProgress::<T>::mutate(|p| {
			p.settled_volume = p.settled_volume.saturating_sub(volume)
		});
		let round = CurrentRound::<T>::get();
		let current = Weights::<T>::get(round, provider);
		if current == 0 {
			return;
		}
		let removed = current.min(T::Multiplier::multiplier(provider).saturating_mul_int(volume));
		let mut tally = Rounds::<T>::get(round);
		tally.weight = tally.weight.saturating_sub(removed);
		if removed == current {
			Weights::<T>::remove(round, provider);
			tally.providers = tally.providers.saturating_sub(1);
		} else {
			Weights::<T>::insert(round, provider, current.saturating_sub(removed));
		}
		Rounds::<T>::insert(round, tally);
	}
}

impl<T: Config> Pallet<T> {
	/// `who`'s deferred share and its weight in the current round.
	pub fn provider_emissions(who: &T::AccountId) -> (u128, u128) {
		(Deferred::<T>::get(who), Weights::<T>::get(CurrentRound::<T>::get(), who))
	}
}
