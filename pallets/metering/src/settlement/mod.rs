//! Settlement of a version-2 receipt batch (`submit_batch`; the wire format, its signing payload,
//! the leaves and the commitment are [`nexus_primitives::receipts`]).
//!
//! One pass over the batch: the capsule table's terms, each group's session, each seeker's tier
//! terms, each asset's rate and the fee parameters are read once; every receipt is judged in
//! memory (checks, [`price_request`], the split) and its legs booked per destination; then each
//! item is written once ([`Ledgers::apply`], the sessions, the commitment) and one event
//! reports the batch, with enough to rebuild every leaf ([`Settlement::leaves`]).

use crate::{
	history::DayBook,
	pallet::{BatchOf, Commitments, Config, Error, NextBatchId, Pallet, SessionOf, Sessions},
	BatchId, Commitment, GatewayId, UsageLine,
};
use alloc::{collections::BTreeMap, vec::Vec};
use codec::{Decode, Encode};
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use ledgers::Ledgers;
use nexus_primitives::{
	receipts::{
		commitment_root, leaf_hash, signing_payload, AssetSettled, BatchError, CapsuleSettled,
		GroupRefusal, GroupSettled, Leaf, ReceiptOutcome, Rejection, ResolvedReceipt, Settlement,
		Verdict,
	},
	settlement::{price_request, FeeParams, Legs, PriceError, Rate},
	traits::{
		CapsuleRegistry, CapsuleTerms, ConversionError, FeePolicy, Outcome, SeekerTerms,
		TierProvider,
	},
};
use sp_core::{sr25519, H256};
use sp_runtime::{traits::Zero, Permill};

mod ledgers;

/// A settled batch: what its event reports, and what it cost.
pub struct SettledBatch<T: Config> {
	/// The batch's id (`None` when nothing was judged).
	pub id: Option<BatchId>,
	/// The commitment's root.
	pub root: H256,
	/// Receipts judged.
	pub leaves: u32,
	/// What the event reports beyond the batch.
	pub settlement: Settlement<T::AccountId, T::AssetKind>,
	/// The batch's shape, for its actual weight.
	pub shape: BatchShape,
}

/// What a batch cost, for its actual weight.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BatchShape {
	/// Receipts judged (those of accepted groups).
	pub receipts: u32,
	/// Session groups read (accepted or refused).
	pub sessions: u32,
	/// Capsules in the batch's table.
	pub capsules: u32,
	/// Days of usage history that left the window (`None`: no usage was booked).
	pub days_dropped: Option<u32>,
}

/// What the receipts of one accepted group are judged under, and what they have done so far.
/// A group has one seeker and one asset, so its seeker's usage and escrow are taken from the
/// batch's view when the group opens and put back when it closes; its charges are summed per
/// capsule (from each receipt's exact legs) and booked once per capsule.
struct GroupTerms<T: Config> {
	session: SessionOf<T>,
	premium_lanes: bool,
	/// The seeker's tier discount, the usage history's key with the asset.
	tier_discount: Permill,
	usage_limit: u64,
	/// The asset's rate, or why it has none (every charge of the group is then rejected).
	rate: Result<Rate, ConversionError>,
	/// The seeker's units used in the current window, this group's receipts included.
	used: u64,
	/// The seeker's escrow committed to open sessions in the group's asset, net of this group's
	/// charges.
	committed: u128,
	/// Per capsule: receipts settled, their volume in the pricing unit, and their legs.
	charged: BTreeMap<u64, (u32, u128, Legs)>,
	/// The group as the event reports it (its `spent` is filled in once it is judged).
	settled: GroupSettled<T::AccountId, T::AssetKind>,
}

/// A batch's in-memory view.
struct View<T: Config> {
	now: BlockNumberFor<T>,
	now_ms: u64,
	params: FeeParams,
	/// Terms of the batch's capsules (`None`: no such capsule).
	terms: BTreeMap<u64, Option<CapsuleTerms<T::AccountId>>>,
	rates: BTreeMap<T::AssetKind, Result<Rate, ConversionError>>,
	/// What each seeker's tier grants, read once per seeker.
	seekers: BTreeMap<T::AccountId, SeekerTerms>,
	money: Ledgers<T>,
	/// Per asset charged in: its rate, receipts, net in the pricing unit, legs.
	assets: BTreeMap<T::AssetKind, (Rate, u32, u128, Legs)>,
	/// The batch's lines of usage history.
	usage: DayBook<T::AssetKind>,
	/// The fee regime: the block the parameters in force were enacted at.
	regime: u32,
}

/// What one receipt was judged: its verdict, its charge and the provider's part of it.
struct Judged {
	verdict: Verdict,
	charge: u128,
	provider_amount: u128,
}

impl<T: Config> View<T> {
	/// Opens a group of `session`: the terms its receipts are judged under.
	fn open_group(&mut self, id: u64, first_seq: u64, session: SessionOf<T>) -> GroupTerms<T> {
		let seeker = *self
			.seekers
			.entry(session.seeker.clone())
			.or_insert_with(|| T::Tiers::seeker_terms(&session.seeker));
		let (_, _, discount) =
			Pallet::<T>::discounts(&self.params, seeker.commitment_discount, &session.asset);
		let rate = *self
			.rates
			.entry(session.asset.clone())
			.or_insert_with(|| T::Policy::rate(&session.asset));
		GroupTerms {
			premium_lanes: seeker.premium_lanes,
			tier_discount: seeker.commitment_discount,
			usage_limit: seeker.usage_limit,
			rate,
			used: self.money.used(&session.seeker),
			committed: self.money.ledger(&session.seeker, &session.asset).committed,
			charged: BTreeMap::new(),
			settled: GroupSettled {
				session: id,
				first_seq,
				receipts: 0,
				seeker: session.seeker.clone(),
				asset: session.asset.clone(),
				discount,
				spent: 0,
			},
			session,
		}
	}

	/// Judges one receipt of an accepted group: settled (its charge is then in the group),
	/// recorded (failed upstream), or rejected (nothing changed).
	fn judge(&mut self, g: &mut GroupTerms<T>, r: &ResolvedReceipt) -> Result<Judged, Rejection> {
		let window = T::ReceiptWindowMs::get();
		ensure!(r.time_ms >= self.now_ms.saturating_sub(window), Rejection::Expired);
		ensure!(
			r.time_ms <= self.now_ms.saturating_add(T::ClockSkewMs::get()),
			Rejection::InFuture
		);
		if let Some((_, closed_ms)) = g.session.closed {
			ensure!(r.time_ms <= closed_ms, Rejection::SessionClosed);
		}
		ensure!(self.now < g.session.release_at, Rejection::SessionExpired);
		let terms = self
			.terms
			.get(&r.capsule)
			.and_then(Option::as_ref)
			.ok_or(Rejection::UnknownCapsule)?;
		if r.outcome == ReceiptOutcome::Failed {
			self.money.outcome(r.capsule, Outcome::Failed);
			return Ok(Judged { verdict: Verdict::Recorded, charge: 0, provider_amount: 0 });
		}
		ensure!(!r.units.is_zero(), Rejection::ZeroUnits);
		// The tier's usage cap counts what loads the upstream as its own rate limits do: input,
		// output and cache writes. Cache reads do not count (Anthropic's input-token limits
		// leave them out too), or an agent resending a large cached prefix every turn would
		// exhaust its tier on reads that cost the upstream a tenth of input.
		let units =
			r.units.input.saturating_add(r.units.output).saturating_add(r.units.cache_write);
		ensure!(terms.active, Rejection::CapsuleNotActive);
		ensure!(!terms.premium || g.premium_lanes, Rejection::LaneNotAllowed);
		let used = g.used.saturating_add(units);
		ensure!(used <= g.usage_limit, Rejection::UsageCapExceeded);
		let rate = g.rate.map_err(Rejection::Conversion)?;
		let p = price_request(&r.units, &terms.prices, g.settled.discount, &rate, &self.params)
			.map_err(|e| match e {
				PriceError::Overflow => Rejection::PriceOverflow,
				PriceError::Conversion => Rejection::Conversion(ConversionError::Overflow),
			})?;
		let spent = g.session.spent.checked_add(p.net).ok_or(Rejection::OverCap)?;
		ensure!(spent <= g.session.cap, Rejection::OverCap);
		// `committed` backs every session's unspent cap (try_state), so this cannot fail.
		let committed = g.committed.checked_sub(p.net).ok_or(Rejection::InsufficientEscrow)?;

		// Accepted: apply to the group.
		g.session.spent = spent;
		g.used = used;
		g.committed = committed;
		let line = g.charged.entry(r.capsule).or_default();
		line.0 = line.0.saturating_add(1);
		line.1 = line.1.saturating_add(p.net_pricing);
		line.2.accrue(&p.legs);
		let asset = &g.session.asset;
		let regime = self.regime;
		self.usage
			.entry((asset.clone(), g.tier_discount, regime))
			.or_insert_with(|| UsageLine::new(asset.clone(), g.tier_discount, regime))
			.add(&r.units, &p);
		self.money.outcome(r.capsule, Outcome::Served);
		Ok(Judged { verdict: Verdict::Settled, charge: p.net, provider_amount: p.legs.provider })
	}

	/// Closes a judged group: its seeker's usage and escrow go back into the view, and its
	/// charges are booked once per capsule.
	fn close_group(&mut self, g: &mut GroupTerms<T>) {
		let seeker = &g.session.seeker;
		let asset = &g.session.asset;
		self.money.set_used(seeker.clone(), g.used);
		self.money.ledger(seeker, asset).committed = g.committed;
		let Ok(rate) = g.rate else { return };
		for (capsule, (count, net_pricing, legs)) in core::mem::take(&mut g.charged) {
			// Only receipts on a known capsule are charged.
			let Some(Some(terms)) = self.terms.get(&capsule) else { continue };
			self.money.book(seeker, &terms.provider, asset, count, net_pricing, &legs);
			let line = self.assets.entry(asset.clone()).or_insert((rate, 0, 0, Legs::default()));
			line.1 = line.1.saturating_add(count);
			line.2 = line.2.saturating_add(net_pricing);
			line.3.accrue(&legs);
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Chain time in milliseconds.
	pub(crate) fn now_ms() -> u64 {
		use frame_support::traits::UnixTime;
		u64::try_from(T::Time::now().as_millis()).unwrap_or(u64::MAX)
	}

	/// This chain's genesis hash, which every batch signature is bound to.
	pub fn genesis_hash() -> H256 {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		H256::decode(&mut &hash.encode()[..]).unwrap_or_default()
	}

	/// Verifies and settles a version-2 batch (see the pallet docs); returns what its event
	/// reports and what it cost.
	pub(crate) fn do_submit_batch(
		who: T::AccountId,
		batch: &BatchOf<T>,
		signature: sr25519::Signature,
	) -> Result<SettledBatch<T>, DispatchError> {
		let gateway = batch.gateway;
		let g = Self::active_gateway_of(&who, gateway)?;
		let receipts = batch.resolve(T::MaxBatchReceipts::get()).map_err(batch_error::<T>)?;
		let payload = signing_payload(&Self::genesis_hash(), batch);
		ensure!(
			sp_io::crypto::sr25519_verify(&signature, &payload, &g.key),
			Error::<T>::BadSignature
		);

		let now = frame_system::Pallet::<T>::block_number();
		let now_ms = Self::now_ms();
		let mut view = View::<T> {
			now,
			now_ms,
			params: T::Policy::params(),
			terms: batch.capsules.iter().map(|c| (*c, T::Capsules::terms(*c))).collect(),
			rates: BTreeMap::new(),
			seekers: BTreeMap::new(),
			money: Ledgers::new(now),
			assets: BTreeMap::new(),
			usage: BTreeMap::new(),
			regime: T::Policy::params_since(),
		};
		let capsules: Vec<CapsuleSettled<T::AccountId>> = view
			.terms
			.iter()
			.filter_map(|(c, t)| {
				t.as_ref().map(|t| CapsuleSettled {
					capsule: *c,
					provider: t.provider.clone(),
					prices: t.prices,
				})
			})
			.collect();

		let mut leaves: Vec<H256> = Vec::with_capacity(receipts.len());
		let mut groups = Vec::new();
		let mut refused = Vec::new();
		let mut rejected = Vec::new();
		let mut sessions: Vec<SessionOf<T>> = Vec::new();
		// `resolve` lists the receipts group by group, in batch order.
		let mut rest = receipts.as_slice();
		for (group, sg) in (0u32..).zip(batch.groups.iter()) {
			let (mine, later) = rest.split_at(sg.receipts.len().min(rest.len()));
			rest = later;
			let session = match Self::accept_group(gateway, sg.session, sg.first_seq) {
				Ok(s) => s,
				Err(why) => {
					refused.push((group, why));
					continue;
				},
			};
			let mut g = view.open_group(sg.session, sg.first_seq, session);
			let spent_before = g.session.spent;
			for r in mine {
				let j = view.judge(&mut g, r).unwrap_or_else(|why| {
					let leaf = u32::try_from(leaves.len()).unwrap_or(u32::MAX);
					rejected.push((leaf, why));
					Judged { verdict: Verdict::Rejected(why), charge: 0, provider_amount: 0 }
				});
				// `capsules` is sorted by id (it was built from a `BTreeMap`).
				let capsule = capsules
					.binary_search_by_key(&r.capsule, |c| c.capsule)
					.ok()
					.and_then(|i| capsules.get(i));
				let leaf =
					Leaf::new(&g.settled, capsule, r, j.verdict, j.charge, j.provider_amount);
				leaves.push(leaf_hash(&leaf));
			}
			view.close_group(&mut g);
			let count = u32::try_from(mine.len()).map_err(|_| Error::<T>::BatchTooLarge)?;
			// Dense: the group consumed `first_seq ..= first_seq + count - 1` (`resolve`
			// checked that this does not overflow, and a group is never empty).
			g.session.last_seq = sg.first_seq.saturating_add(u64::from(count)).saturating_sub(1);
			g.settled.receipts = count;
			g.settled.spent = g.session.spent.saturating_sub(spent_before);
			groups.push(g.settled);
			sessions.push(g.session);
		}

		let View { money, assets, params, usage, .. } = view;
		money.apply()?;
		let days_dropped = Self::book_day(Self::day_of(now_ms), usage);
		for (g, s) in groups.iter().zip(sessions) {
			Sessions::<T>::insert(g.session, s);
		}
		let judged = u32::try_from(leaves.len()).map_err(|_| Error::<T>::BatchTooLarge)?;
		let root = commitment_root(&leaves);
		let id: Option<BatchId> = if judged > 0 {
			let id = NextBatchId::<T>::get();
			NextBatchId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
			let expires_ms = now_ms
				.saturating_add(T::DisputeWindowMs::get())
				.saturating_add(T::ClockSkewMs::get());
			Commitments::<T>::insert(id, Commitment { gateway, root, leaves: judged, expires_ms });
			Some(id)
		} else {
			None
		};
		let assets = assets
			.into_iter()
			.map(|(asset, (rate, settled, net_pricing, legs))| AssetSettled {
				asset,
				rate,
				settled,
				net_pricing,
				legs,
			})
			.collect();
		Ok(SettledBatch {
			id,
			root,
			leaves: judged,
			settlement: Settlement { params, capsules, groups, assets, rejected, refused },
			shape: BatchShape {
				receipts: judged,
				sessions: u32::try_from(batch.groups.len()).unwrap_or(u32::MAX),
				capsules: u32::try_from(batch.capsules.len()).unwrap_or(u32::MAX),
				days_dropped,
			},
		})
	}

	/// The weight of a batch of `receipts` receipts on `sessions` sessions and `capsules`
	/// capsules. The benchmark's `r` counts the receipts beyond one per session and one per
	/// capsule, so that each component varies on its own, and its session and capsule slopes
	/// carry one receipt each; this takes those receipts back out (a batch judges fewer
	/// receipts than that when groups are refused or a receipt uses two capsules' worth of the
	/// table), so the weight is linear in the receipts judged: base + receipts × the receipt
	/// slope + the sessions' and capsules' own costs.
	pub fn batch_weight(receipts: u32, sessions: u32, capsules: u32) -> Weight {
		use crate::weights::WeightInfo;
		let per_receipt = T::WeightInfo::submit_batch(1, 0, 0)
			.saturating_sub(T::WeightInfo::submit_batch(0, 0, 0));
		T::WeightInfo::submit_batch(receipts, sessions, capsules).saturating_sub(
			per_receipt.saturating_mul(u64::from(sessions.saturating_add(capsules))),
		)
	}

	/// The weight of booking a batch's usage history (`book_day`, benchmarked as
	/// `book_usage_day`): the day index, the day's lines and its unbooked count read and
	/// written, and two entries removed for each day that left the window (`dropped`; `None`:
	/// nothing was booked). The call declares the worst case, every kept day dropped (the first
	/// batch after a long pause), and is charged what happened.
	pub fn history_weight(dropped: Option<u32>) -> Weight {
		use crate::weights::WeightInfo;
		dropped.map_or(Weight::zero(), T::WeightInfo::book_usage_day)
	}

	/// The session of a group of `gateway` starting at `first_seq`, if the group is accepted:
	/// the session exists and is `gateway`'s, and `first_seq` is its last number + 1.
	fn accept_group(
		gateway: GatewayId,
		session: u64,
		first_seq: u64,
	) -> Result<SessionOf<T>, GroupRefusal> {
		let s = Sessions::<T>::get(session).ok_or(GroupRefusal::UnknownSession)?;
		ensure!(s.gateway == gateway, GroupRefusal::WrongGateway);
		let last_seq = s.last_seq;
		ensure!(first_seq > last_seq, GroupRefusal::Replayed { last_seq });
		ensure!(first_seq == last_seq.saturating_add(1), GroupRefusal::SequenceGap { last_seq });
		Ok(s)
	}
}

/// The pallet error of a malformed batch.
fn batch_error<T: Config>(e: BatchError) -> Error<T> {
	match e {
		BatchError::EmptyBatch => Error::<T>::EmptyBatch,
		BatchError::TooManyReceipts => Error::<T>::BatchTooLarge,
		BatchError::EmptyGroup => Error::<T>::EmptyGroup,
		BatchError::DuplicateSession => Error::<T>::DuplicateSession,
		BatchError::UnknownCapsuleIndex => Error::<T>::UnknownCapsuleIndex,
		BatchError::UnusedOrRepeatedCapsule => Error::<T>::UnusedOrRepeatedCapsule,
		BatchError::SequenceOverflow => Error::<T>::SequenceOverflow,
		BatchError::TimeUnderflow => Error::<T>::TimeUnderflow,
	}
}
