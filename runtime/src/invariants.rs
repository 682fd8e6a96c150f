//! Cross-pallet invariants of the composed runtime.
//!
//! Each pallet's `try_state` checks what that pallet alone can see. These checks need several
//! pallets at once, or `pallet_balances`' own storage, so they live here. They run:
//! - after every block of the runtime fuzzer (`fuzz/`), with every pallet's `try_state`;
//! - in every upgrade check (`TryRuntime_on_runtime_upgrade` with any checks), after every
//!   migration and every pallet's upgrade hook, and in `TryRuntime_execute_block` with try-state
//!   checks (`runtime/src/apis.rs`);
//! - in the runtime's own tests.
//!
//! What they assert:
//! 1. **Supply**: NXV's total issuance equals the sum of every account's free and reserved balance,
//!    and never exceeds the genesis issuance (`Buyback::InitialIssuance`).
//! 2. **Holds match the ledgers**: for every account, each of our pallets' hold reasons holds
//!    exactly what that pallet's ledger says: capsule bonds and metadata deposits (`Capsules`),
//!    seeker and provider stakes (`Tiers`), gateway bonds, session and dispute deposits
//!    (`Metering`), in both directions (no hold without a ledger entry, no ledger entry without its
//!    hold).
//! 3. **Freezes**: no account has a freeze (the runtime declares no freeze reason), and every
//!    account's `frozen` balance is exactly its largest lock (vesting, conviction voting).
//! 4. **Account references**: no account has consumers (holds, locks, asset accounts …) without a
//!    provider or a sufficient reference.
//! 5. **Pots hold their ledgers**: the metering escrow holds, per asset, the sum of the seekers'
//!    escrow ledgers, and the emissions pool `EMISSIONS_POOL − Released + DeferredTotal`, each plus
//!    an unowed surplus ([`pot_surpluses`]) that is never negative. The surplus is the seed
//!    (existential deposit) plus anything sent to the pot outright; the fuzzer also asserts it
//!    never falls, so a pot can never pay out what it does not owe.

#[cfg(any(test, feature = "try-runtime"))]
pub use checks::*;

/// The checks (compiled for tests and `try-runtime`).
#[cfg(any(test, feature = "try-runtime"))]
mod checks {
	use crate::{
		configs::assets::{AssetKind, NativeAndAssets, StableAsset},
		AccountId, Balance, Runtime, RuntimeHoldReason,
	};
	use alloc::{collections::BTreeMap, format, string::String, vec::Vec};
	use codec::{Decode, Encode};
	use frame_support::traits::{fungible::Inspect as _, fungibles::Inspect};
	use sp_runtime::TryRuntimeError;

	/// A group of the checks: what it finds broken (empty when all hold).
	pub type Check = fn() -> Vec<String>;

	/// The checks in groups, each a pure function of storage, by name: the runtime fuzzer runs a
	/// group only when something it read changed. One pass over the accounts serves checks 1, 3
	/// and 4.
	pub const CHECKS: [(&str, Check); 5] = [
		("accounts", accounts),
		("supply against genesis", || supply_against_genesis().err().into_iter().collect()),
		("holds", || holds_match_ledgers().err().into_iter().collect()),
		("freezes", || no_freezes().err().into_iter().collect()),
		("pots", pots),
	];

	/// Every broken invariant, each with what differs; empty when all hold.
	pub fn violations() -> Vec<String> {
		CHECKS.iter().flat_map(|(_, check)| check()).collect()
	}

	/// Check 5: no pot holds less than its ledger.
	fn pots() -> Vec<String> {
		pot_surpluses()
			.into_iter()
			.filter(|(_, surplus)| *surplus < 0)
			.map(|(pot, surplus)| {
				format!("{pot} holds {} less than its ledger", surplus.unsigned_abs())
			})
			.collect()
	}

	/// [`violations`] as a `try_state`-style check: the messages go to the log.
	pub fn check_all() -> Result<(), TryRuntimeError> {
		let broken = violations();
		for message in &broken {
			log::error!(target: "runtime::invariants", "{message}");
		}
		if broken.is_empty() {
			Ok(())
		} else {
			Err(TryRuntimeError::Other("a runtime invariant is broken (see the log)"))
		}
	}

	/// Era rewards the reward pot burned at era ends that validators have not claimed yet: they are
	/// minted again when claimed, so `issuance + outstanding` is what may only fall.
	pub fn outstanding_era_rewards() -> Balance {
		pallet_reward_pot::TotalCommitted::<Runtime>::get()
			.saturating_sub(pallet_reward_pot::TotalClaimed::<Runtime>::get())
	}

	/// Checks 1, 3 and 4 over every account at once: total issuance against what the accounts
	/// hold; `frozen` exactly the largest lock; consumers only with a provider or a sufficient
	/// reference. Returns what is broken (the first account for each check).
	fn accounts() -> Vec<String> {
		let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
		let mut sum: Balance = 0;
		let (mut frozen, mut references) = (None, None);
		for (who, info) in frame_system::Account::<Runtime>::iter() {
			sum = sum.saturating_add(info.data.free).saturating_add(info.data.reserved);
			if frozen.is_none() {
				let largest = pallet_balances::Locks::<Runtime>::get(&who)
					.iter()
					.map(|l| l.amount)
					.max()
					.unwrap_or_default();
				if info.data.frozen != largest {
					frozen = Some(format!(
						"{who:?}: frozen {} but its largest lock is {largest}",
						info.data.frozen
					));
				}
			}
			if references.is_none() &&
				info.consumers > 0 &&
				info.providers == 0 &&
				info.sufficients == 0
			{
				references =
					Some(format!("{who:?} has {} consumers and no provider", info.consumers));
			}
		}
		let supply = (sum != issuance)
			.then(|| format!("total issuance {issuance} but the accounts hold {sum}"));
		[supply, frozen, references].into_iter().flatten().collect()
	}

	/// Check 1, the other half: total issuance never above genesis.
	fn supply_against_genesis() -> Result<(), String> {
		let issuance = pallet_balances::TotalIssuance::<Runtime>::get();
		let genesis = pallet_buyback::InitialIssuance::<Runtime>::get();
		if issuance > genesis {
			return Err(format!("total issuance {issuance} above genesis {genesis}"));
		}
		Ok(())
	}

	/// Check 3, the other half: no freezes (the runtime declares no freeze reason).
	fn no_freezes() -> Result<(), String> {
		if let Some((who, _)) =
			pallet_balances::Freezes::<Runtime>::iter().find(|(_, f)| !f.is_empty())
		{
			return Err(format!("{who:?} has a freeze, but the runtime declares no freeze reason"));
		}
		Ok(())
	}

	/// Everything a tiers ledger holds: its active stake and every unlocking chunk.
	fn stake<C: frame_support::traits::Get<u32>>(
		ledger: &pallet_tiers::StakeLedger<Balance, crate::BlockNumber, C>,
	) -> Balance {
		ledger.unlocking.iter().fold(ledger.active, |t, c| t.saturating_add(c.amount))
	}

	/// What is held, by account and hold reason (SCALE-encoded, as `RuntimeHoldReason` has no
	/// order).
	type Holds = BTreeMap<(AccountId, Vec<u8>), Balance>;

	fn add(map: &mut Holds, who: &AccountId, reason: RuntimeHoldReason, amount: Balance) {
		if amount > 0 {
			let e = map.entry((who.clone(), reason.encode())).or_default();
			*e = e.saturating_add(amount);
		}
	}

	/// A hold reason, named, for messages.
	fn named(reason: &[u8]) -> String {
		match RuntimeHoldReason::decode(&mut &reason[..]) {
			Ok(r) => format!("{r:?}"),
			Err(_) => format!("0x{}", hex_of(reason)),
		}
	}

	fn hex_of(bytes: &[u8]) -> String {
		bytes.iter().map(|b| format!("{b:02x}")).collect()
	}

	fn ours(reason: &RuntimeHoldReason) -> bool {
		matches!(
			reason,
			RuntimeHoldReason::Capsules(_) |
				RuntimeHoldReason::Tiers(_) |
				RuntimeHoldReason::Metering(_)
		)
	}

	/// Check 2: what the ledgers of capsules, tiers and metering say each account has on hold,
	/// against what `pallet_balances` holds.
	fn holds_match_ledgers() -> Result<(), String> {
		use pallet_capsules::HoldReason as C;
		use pallet_metering::HoldReason as M;
		use pallet_tiers::HoldReason as T;
		let mut expected = Holds::new();
		for (_, capsule) in pallet_capsules::Capsules::<Runtime>::iter() {
			add(&mut expected, &capsule.owner, C::CapsuleBond.into(), capsule.bond);
			add(&mut expected, &capsule.owner, C::MetadataDeposit.into(), capsule.deposit);
		}
		for (who, ledger) in pallet_tiers::SeekerLedgers::<Runtime>::iter() {
			add(&mut expected, &who, T::SeekerStake.into(), stake(&ledger));
		}
		for (who, ledger) in pallet_tiers::ProviderLedgers::<Runtime>::iter() {
			add(&mut expected, &who, T::ProviderStake.into(), stake(&ledger));
		}
		for (_, gateway) in pallet_metering::Gateways::<Runtime>::iter() {
			add(&mut expected, &gateway.operator, M::GatewayBond.into(), gateway.bond);
		}
		for (_, session) in pallet_metering::Sessions::<Runtime>::iter() {
			add(&mut expected, &session.seeker, M::SessionDeposit.into(), session.deposit);
		}
		// Open disputes: those of receipts (by batch and leaf) and those opened under version 1.
		let disputes = pallet_metering::ReceiptDisputes::<Runtime>::iter_values()
			.chain(pallet_metering::Disputes::<Runtime>::iter_values());
		for dispute in disputes {
			add(&mut expected, &dispute.charge.seeker, M::DisputeDeposit.into(), dispute.deposit);
		}
		let mut actual = Holds::new();
		for (who, holds) in pallet_balances::Holds::<Runtime>::iter() {
			for hold in holds.iter().filter(|h| ours(&h.id)) {
				add(&mut actual, &who, hold.id, hold.amount);
			}
		}
		if expected != actual {
			let differs: Vec<_> = expected
				.iter()
				.filter(|(k, v)| actual.get(*k) != Some(*v))
				.map(|((who, reason), v)| {
					(who, named(reason), *v, actual.get(&(who.clone(), reason.clone())).copied())
				})
				.chain(
					actual
						.iter()
						.filter(|(k, _)| !expected.contains_key(*k))
						.map(|((who, reason), v)| (who, named(reason), 0, Some(*v))),
				)
				.collect();
			return Err(format!(
				"holds differ from the ledgers (who, reason, ledger, held): {differs:?}"
			));
		}
		Ok(())
	}

	/// Check 5: each pot's balance minus what its ledger says it holds, by pot and asset: never
	/// negative; the seed plus gifts.
	pub fn pot_surpluses() -> Vec<(&'static str, i128)> {
		let signed = |b: Balance| i128::try_from(b).unwrap_or(i128::MAX);
		let escrow = pallet_metering::Pallet::<Runtime>::account_id();
		let mut ledgers: BTreeMap<AssetKind, Balance> = BTreeMap::new();
		for (_, asset, ledger) in pallet_metering::Escrow::<Runtime>::iter() {
			let t = ledgers.entry(asset).or_default();
			*t = t.saturating_add(ledger.free).saturating_add(ledger.committed);
		}
		let escrow_surplus = |asset: AssetKind| {
			let owed = ledgers.get(&asset).copied().unwrap_or_default();
			signed(NativeAndAssets::balance(asset, &escrow)).saturating_sub(signed(owed))
		};
		let pool = pallet_emissions::Pallet::<Runtime>::account_id();
		let pool_ledger = crate::genesis_config_presets::EMISSIONS_POOL
			.saturating_sub(pallet_emissions::Released::<Runtime>::get())
			.saturating_add(pallet_emissions::DeferredTotal::<Runtime>::get());
		alloc::vec![
			("the escrow (NXV)", escrow_surplus(AssetKind::Native)),
			("the escrow (USDN)", escrow_surplus(StableAsset::get())),
			(
				"the emissions pool",
				signed(pallet_balances::Pallet::<Runtime>::total_balance(&pool))
					.saturating_sub(signed(pool_ledger)),
			),
		]
	}
}
