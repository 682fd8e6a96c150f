//! The fees pallet's logic: validated parameter changes, conversion, and the flow ledger.

use crate::{
	pallet::{
		Buckets, Config, Error, Event, LastChange, NxvPrice, Pallet, Params, ParamsHistory, Totals,
	},
	FeeStatus, FeeStep, FlowTotals, ParamsChange, PriceStatus,
};
use alloc::vec::Vec;
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use nexus_primitives::{
	fee_path::{steps_towards, within_step, PathError},
	settlement::{bounds, pricing_to_token, token_to_pricing, FeeParams, Legs, ParamsError, Rate},
	traits::{ConversionError, FeePolicy},
};
use sp_runtime::{
	traits::{CheckedDiv, Saturating, UniqueSaturatedInto, Zero},
	Perbill,
};

impl<T: Config> From<ParamsError> for Error<T> {
	fn from(e: ParamsError) -> Self {
		match e {
			ParamsError::SharesDoNotSumToOne => Error::<T>::SharesDoNotSumToOne,
			ParamsError::TakeRateTooHigh => Error::<T>::TakeRateTooHigh,
			ParamsError::DiscountCapTooHigh => Error::<T>::DiscountCapTooHigh,
			ParamsError::AssetDiscountAboveCap => Error::<T>::AssetDiscountAboveCap,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Validates `new` against the hard and pace bounds and puts it in force.
	pub fn do_set_params(new: FeeParams) -> DispatchResult {
		new.validate().map_err(Error::<T>::from)?;
		let old = Params::<T>::get();
		ensure!(new != old, Error::<T>::Unchanged);
		ensure!(within_step(&old, &new, T::MaxStep::get()), Error::<T>::StepTooLarge);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now >= Self::next_change_at(), Error::<T>::TooSoon);
		Params::<T>::put(new);
		LastChange::<T>::put(now);
		ParamsHistory::<T>::mutate(|h| {
			if h.is_full() {
				h.remove(0);
			}
			// Room was made above (and the bound is positive: `integrity_test`).
			let _ = h.try_push(ParamsChange { at: now, old, new });
		});
		Self::deposit_event(Event::ParamsChanged { old, new });
		Ok(())
	}

	/// The first block at which the next parameter change may be enacted.
	pub fn next_change_at() -> BlockNumberFor<T> {
		LastChange::<T>::get()
			.map(|at| at.saturating_add(T::ChangeCooldown::get()))
			.unwrap_or_else(Zero::zero)
	}

	/// The sequence of changes that reaches `target` from the parameters in force, each within
	/// the pace bound, with the first block each may be enacted at (a cooldown after the one
	/// before; the first at [`Self::next_change_at`] or now): the referenda a proposal beyond
	/// one step needs (runtime API).
	pub fn fee_path(target: FeeParams) -> Result<Vec<FeeStep<BlockNumberFor<T>>>, PathError> {
		let steps = steps_towards(&Params::<T>::get(), &target, T::MaxStep::get())?;
		let now = frame_system::Pallet::<T>::block_number();
		let mut at = Self::next_change_at().max(now);
		Ok(steps
			.into_iter()
			.map(|params| {
				let step = FeeStep { params, enactable_from: at };
				at = at.saturating_add(T::ChangeCooldown::get());
				step
			})
			.collect())
	}

	/// The parameters with their bounds (runtime API).
	pub fn fee_status() -> FeeStatus<BlockNumberFor<T>> {
		FeeStatus {
			params: Params::<T>::get(),
			max_take_rate: bounds::MAX_TAKE_RATE,
			max_combined_discount: bounds::MAX_COMBINED_DISCOUNT,
			max_step: T::MaxStep::get(),
			change_cooldown: T::ChangeCooldown::get(),
			next_change_at: Self::next_change_at(),
		}
	}

	/// The NXV price and whether it is stale (runtime API).
	pub fn price_status() -> PriceStatus<BlockNumberFor<T>> {
		let now = frame_system::Pallet::<T>::block_number();
		match NxvPrice::<T>::get() {
			None => PriceStatus { price: None, set_at: None, stale_at: None, stale: true },
			Some(p) => {
				let stale_at = p.set_at.saturating_add(T::MaxPriceAge::get());
				PriceStatus {
					price: Some(p.price),
					set_at: Some(p.set_at),
					stale_at: Some(stale_at),
					stale: now > stale_at,
				}
			},
		}
	}

	/// The flow bucket that block `n` falls in.
	pub fn bucket_of(n: BlockNumberFor<T>) -> u32 {
		let len = T::FlowBucketLength::get();
		// `integrity_test` ensures a positive length; zero maps everything to bucket 0.
		let b: BlockNumberFor<T> = n.checked_div(&len).unwrap_or_else(Zero::zero);
		b.unique_saturated_into()
	}

	fn slot_of(bucket: u32) -> u32 {
		bucket.checked_rem(T::FlowHistory::get()).unwrap_or(0)
	}

	/// Applies `f` to `asset`'s totals and to its current bucket.
	fn book(asset: &T::AssetKind, f: impl Fn(&mut FlowTotals)) {
		Totals::<T>::mutate(asset, |t| f(t));
		let bucket = Self::bucket_of(frame_system::Pallet::<T>::block_number());
		Buckets::<T>::mutate(Self::slot_of(bucket), asset, |slot| {
			let mut entry = match slot.take() {
				Some((b, totals)) if b == bucket => totals,
				// An older bucket in the ring's slot: it is out of the history, start afresh.
				_ => FlowTotals::default(),
			};
			f(&mut entry);
			*slot = Some((bucket, entry));
		});
	}

	/// `asset`'s flows in `bucket`, if still in the ring.
	fn bucket_totals(asset: &T::AssetKind, bucket: u32) -> Option<FlowTotals> {
		match Buckets::<T>::get(Self::slot_of(bucket), asset) {
			Some((b, totals)) if b == bucket => Some(totals),
			_ => None,
		}
	}

	/// The buckets from the one containing `since` to the current one, clamped to the ring.
	fn buckets_since(since: BlockNumberFor<T>) -> core::ops::RangeInclusive<u32> {
		let now = Self::bucket_of(frame_system::Pallet::<T>::block_number());
		let oldest = now.saturating_sub(T::FlowHistory::get().saturating_sub(1));
		Self::bucket_of(since).max(oldest)..=now
	}

	/// Flows per payment asset from the start of the bucket containing `since` (at most
	/// `FlowHistory` buckets back) up to now (runtime API).
	pub fn flows_since(since: BlockNumberFor<T>) -> Vec<(T::AssetKind, FlowTotals)> {
		[T::NativeAsset::get(), T::StableAsset::get()]
			.into_iter()
			.map(|asset| {
				let mut sum = FlowTotals::default();
				for b in Self::buckets_since(since) {
					if let Some(t) = Self::bucket_totals(&asset, b) {
						sum.merge(&t);
					}
				}
				(asset, sum)
			})
			.collect()
	}

	/// Lifetime flows per payment asset (runtime API).
	pub fn lifetime_totals() -> Vec<(T::AssetKind, FlowTotals)> {
		[T::NativeAsset::get(), T::StableAsset::get()]
			.into_iter()
			.map(|asset| {
				let t = Totals::<T>::get(&asset);
				(asset, t)
			})
			.collect()
	}

	/// Invariants:
	/// 1. the fee parameters satisfy the hard bounds;
	/// 2. in the lifetime totals and in every bucket, the legs sum to `net`;
	/// 3. each bucket's slot is the bucket modulo `FlowHistory`, and no bucket is ahead of now.
	#[cfg(any(feature = "try-runtime", test))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		ensure!(Params::<T>::get().validate().is_ok(), "fee parameters out of bounds");
		for (_, t) in Totals::<T>::iter() {
			ensure!(t.is_balanced(), "lifetime legs do not sum to net");
		}
		let history = ParamsHistory::<T>::get();
		ensure!(
			history
				.iter()
				.zip(history.iter().skip(1))
				.all(|(a, b)| a.at < b.at && a.new == b.old),
			"fee parameter history out of order or not chained"
		);
		if let Some(last) = history.last() {
			ensure!(last.new == Params::<T>::get(), "the last change is not in force");
			ensure!(LastChange::<T>::get() == Some(last.at), "the last change's block differs");
		}
		let now = Self::bucket_of(frame_system::Pallet::<T>::block_number());
		for (slot, _, (bucket, t)) in Buckets::<T>::iter() {
			ensure!(t.is_balanced(), "bucket legs do not sum to net");
			ensure!(Self::slot_of(bucket) == slot, "bucket in the wrong slot");
			ensure!(bucket <= now, "bucket ahead of now");
		}
		Ok(())
	}
}

impl<T: Config> FeePolicy<T::AssetKind> for Pallet<T> {
	fn params() -> FeeParams {
		Params::<T>::get()
	}

	fn params_since() -> u32 {
		LastChange::<T>::get().map(|b| b.unique_saturated_into()).unwrap_or(0)
	}

	fn is_payment_asset(asset: &T::AssetKind) -> bool {
		*asset == T::NativeAsset::get() || *asset == T::StableAsset::get()
	}

	fn asset_discount_under(params: &FeeParams, asset: &T::AssetKind) -> Perbill {
		if *asset == T::NativeAsset::get() {
			params.nxv_discount
		} else {
			Perbill::zero()
		}
	}

	fn rate(asset: &T::AssetKind) -> Result<Rate, ConversionError> {
		if *asset == T::StableAsset::get() {
			return Ok(Rate::Par);
		}
		if *asset != T::NativeAsset::get() {
			return Err(ConversionError::UnsupportedAsset);
		}
		let status = Self::price_status();
		let price = status.price.ok_or(ConversionError::NoPrice)?;
		ensure!(!status.stale, ConversionError::StalePrice);
		// A zero price is refused by `set_nxv_price`; `to_asset` reports it as an overflow.
		Ok(Rate::Token { price, one: T::NativeUnit::get() })
	}

	fn to_pricing(asset: &T::AssetKind, amount: u128) -> Option<u128> {
		if *asset == T::StableAsset::get() {
			return Some(amount);
		}
		if *asset != T::NativeAsset::get() {
			return None;
		}
		token_to_pricing(amount, NxvPrice::<T>::get()?.price, T::NativeUnit::get())
	}

	fn to_native(pricing: u128) -> Option<u128> {
		pricing_to_token(pricing, NxvPrice::<T>::get()?.price, T::NativeUnit::get())
	}

	fn note_settled(asset: &T::AssetKind, receipts: u32, volume: u128, legs: &Legs) {
		Self::book(asset, |t| t.add_settled(receipts, volume, legs));
	}

	fn note_refund(asset: &T::AssetKind, amount: u128) {
		Self::book(asset, |t| t.refunded = t.refunded.saturating_add(amount));
	}

	fn trailing_volume() -> u128 {
		let now = Self::bucket_of(frame_system::Pallet::<T>::block_number());
		let from = now.saturating_sub(T::CoverageBuckets::get().saturating_sub(1));
		let mut volume = 0u128;
		for asset in [T::NativeAsset::get(), T::StableAsset::get()] {
			for b in from..=now {
				if let Some(t) = Self::bucket_totals(&asset, b) {
					volume = volume.saturating_add(t.volume);
				}
			}
		}
		volume
	}
}
