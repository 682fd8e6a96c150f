//! The supply breakdown: where the fixed 1,000,000,000 NXV are.
//!
//! `total` is the total issuance (it only falls, by burns). The pots are single accounts; the
//! rest is summed over the ledgers that hold or lock NXV, so one call reads every staking
//! ledger, vesting schedule, tier ledger and capsule once. That is fine for an off-chain
//! runtime-API call (it never runs in a block); RPC layers that expose it should cache it per
//! block.

use alloc::vec::Vec;
use codec::{Decode, Encode};
use frame_support::traits::{fungible::Inspect, VestingSchedule};
use scale_info::TypeInfo;

use crate::{
	configs::{
		accounts::{BuybackAccount, EmissionsPoolAccount, LiquidityAccount, TreasuryAccount},
		exchange::PoolLocator,
	},
	AccountId, Balance, Balances, Metering, Reserve, RewardPot, Runtime, Vesting,
};

/// Where the supply is, in planck.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, Default)]
pub struct SupplyBreakdown {
	/// Total issuance.
	pub total: Balance,
	/// Free and not locked, held or in a pot: what can move today.
	pub circulating: Balance,
	/// Still locked by vesting schedules (not counting vesting NXV that is also bonded).
	pub vesting: Balance,
	/// Bonded in staking (active and unbonding).
	pub bonded: Balance,
	/// Held by the marketplace: seeker and provider stakes, capsule and gateway bonds, session
	/// and dispute deposits.
	pub marketplace_held: Balance,
	/// The emissions pool (locked until milestones).
	pub emissions_pool: Balance,
	/// The treasury pot.
	pub treasury: Balance,
	/// The validator reward pot.
	pub reward_pot: Balance,
	/// The community and liquidity reserve.
	pub liquidity_reserve: Balance,
	/// NXV in settlement's accounts: seekers' escrow, the reserve and the buyback/rebates pot.
	pub settlement_pots: Balance,
	/// NXV in the exchange's liquidity pools (tradeable, but not in any account's free balance).
	pub liquidity_pools: Balance,
}

sp_api::decl_runtime_apis! {
	/// The supply breakdown.
	pub trait SupplyApi {
		/// Where the supply is at this block.
		fn supply() -> SupplyBreakdown;
	}
}

/// Computes the breakdown at the current state.
pub fn breakdown() -> SupplyBreakdown {
	let total = Balances::total_issuance();
	let balance = |who: &AccountId| Balances::total_balance(who);
	let emissions_pool = balance(&EmissionsPoolAccount::get());
	let treasury = balance(&TreasuryAccount::get());
	let reward_pot = balance(&RewardPot::account_id());
	let liquidity_reserve = balance(&LiquidityAccount::get());

	let bonded_of = |who: &AccountId| {
		pallet_staking::Ledger::<Runtime>::get(who).map(|l| l.total).unwrap_or_default()
	};
	let bonded = pallet_staking::Ledger::<Runtime>::iter_values()
		.fold(0 as Balance, |acc, l| acc.saturating_add(l.total));
	let vesting = pallet_vesting::Vesting::<Runtime>::iter_keys().collect::<Vec<_>>().iter().fold(
		0 as Balance,
		|acc, who| {
			let locked =
				<Vesting as VestingSchedule<AccountId>>::vesting_balance(who).unwrap_or_default();
			acc.saturating_add(locked.saturating_sub(bonded_of(who)))
		},
	);
	let tiers = pallet_tiers::SeekerLedgers::<Runtime>::iter_values()
		.chain(pallet_tiers::ProviderLedgers::<Runtime>::iter_values())
		.fold(0 as Balance, |acc, l| {
			let unlocking =
				l.unlocking.iter().fold(0 as Balance, |a, c| a.saturating_add(c.amount));
			acc.saturating_add(l.active).saturating_add(unlocking)
		});
	let capsules = pallet_capsules::Capsules::<Runtime>::iter_values()
		.fold(0 as Balance, |acc, c| acc.saturating_add(c.bond).saturating_add(c.deposit));
	let gateways = pallet_metering::Gateways::<Runtime>::iter_values()
		.fold(0 as Balance, |acc, g| acc.saturating_add(g.bond));
	let sessions = pallet_metering::Sessions::<Runtime>::iter_values()
		.fold(0 as Balance, |acc, s| acc.saturating_add(s.deposit));
	let disputes = pallet_metering::Disputes::<Runtime>::iter_values()
		.fold(0 as Balance, |acc, d| acc.saturating_add(d.deposit));
	let marketplace_held = tiers
		.saturating_add(capsules)
		.saturating_add(gateways)
		.saturating_add(sessions)
		.saturating_add(disputes);
	let settlement_pots = balance(&Metering::account_id())
		.saturating_add(balance(&Reserve::account_id()))
		.saturating_add(balance(&BuybackAccount::get()));

	let liquidity_pools =
		pallet_asset_conversion::Pools::<Runtime>::iter_keys().fold(0 as Balance, |acc, pool| {
			let account =
				<PoolLocator as pallet_asset_conversion::PoolLocator<_, _, _>>::address(&pool);
			acc.saturating_add(account.map(|a| balance(&a)).unwrap_or_default())
		});

	let circulating = total
		.saturating_sub(emissions_pool)
		.saturating_sub(treasury)
		.saturating_sub(reward_pot)
		.saturating_sub(liquidity_reserve)
		.saturating_sub(settlement_pots)
		.saturating_sub(liquidity_pools)
		.saturating_sub(bonded)
		.saturating_sub(vesting)
		.saturating_sub(marketplace_held);
	SupplyBreakdown {
		total,
		circulating,
		vesting,
		bonded,
		marketplace_held,
		emissions_pool,
		treasury,
		reward_pot,
		liquidity_reserve,
		settlement_pots,
		liquidity_pools,
	}
}
