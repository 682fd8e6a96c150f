//! `nexus-node supply`: prints where the NXV supply is, from the runtime's `SupplyApi`.
//!
//! It reads the node's own database (like `chain-info`), so run it against a stopped node's
//! base path, or against a fresh one to see the genesis allocation. A running chain answers the
//! same question over RPC: `state_call("SupplyApi_supply", "0x")`, or with @polkadot/api
//! `api.call.supplyApi.supply()`.

use std::sync::Arc;

use nexus_primitives::{token::NXV, Balance};
use nexus_runtime::supply::{SupplyApi, SupplyBreakdown};
use sc_cli::{CliConfiguration, SharedParams};
use sc_client_api::HeaderBackend;
use sp_api::ProvideRuntimeApi;

use crate::service::FullClient;

/// Print the supply breakdown (total, circulating, vesting, bonded, pots) at a block.
#[derive(Debug, clap::Parser)]
pub struct SupplyCmd {
	#[allow(missing_docs)]
	#[clap(flatten)]
	pub shared_params: SharedParams,

	/// Block hash to read at (0x-prefixed); the best block when absent.
	#[arg(long, value_name = "HASH")]
	pub at: Option<String>,

	/// Print JSON (amounts in planck, as strings) instead of a table.
	#[arg(long)]
	pub json: bool,
}

impl CliConfiguration for SupplyCmd {
	fn shared_params(&self) -> &SharedParams {
		&self.shared_params
	}
}

impl SupplyCmd {
	/// Reads the breakdown and prints it.
	pub fn run(&self, client: Arc<FullClient>) -> sc_cli::Result<()> {
		let at = match &self.at {
			Some(hex) => hex
				.parse::<sp_core::H256>()
				.map_err(|e| sc_cli::Error::Input(format!("--at {hex}: {e}")))?,
			None => client.info().best_hash,
		};
		let s = client
			.runtime_api()
			.supply(at)
			.map_err(|e| sc_cli::Error::Application(Box::new(e)))?;
		if self.json {
			println!("{}", to_json(&s));
		} else {
			print!("{}", table(&s, at));
		}
		Ok(())
	}
}

fn rows(s: &SupplyBreakdown) -> [(&'static str, Balance); 11] {
	[
		("total", s.total),
		("circulating", s.circulating),
		("vesting", s.vesting),
		("bonded", s.bonded),
		("marketplace_held", s.marketplace_held),
		("emissions_pool", s.emissions_pool),
		("treasury", s.treasury),
		("reward_pot", s.reward_pot),
		("liquidity_reserve", s.liquidity_reserve),
		("settlement_pots", s.settlement_pots),
		("liquidity_pools", s.liquidity_pools),
	]
}

fn to_json(s: &SupplyBreakdown) -> String {
	let map: serde_json::Map<String, serde_json::Value> = rows(s)
		.into_iter()
		.map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
		.collect();
	serde_json::Value::Object(map).to_string()
}

/// `amount` in NXV with two decimals.
fn nxv(amount: Balance) -> String {
	let whole = amount / NXV;
	let cents = (amount % NXV) / (NXV / 100);
	let digits = whole.to_string();
	let mut grouped = String::new();
	for (i, c) in digits.chars().enumerate() {
		if i > 0 && (digits.len() - i).is_multiple_of(3) {
			grouped.push(',');
		}
		grouped.push(c);
	}
	format!("{grouped}.{cents:02}")
}

fn table(s: &SupplyBreakdown, at: sp_core::H256) -> String {
	let mut out = format!("NXV supply at block {at:?}\n");
	for (name, amount) in rows(s) {
		let share = if s.total == 0 { 0.0 } else { amount as f64 * 100.0 / s.total as f64 };
		out.push_str(&format!("{name:<18} {:>26} NXV {share:>7.3}%\n", nxv(amount)));
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn amounts_print_grouped_with_two_decimals() {
		assert_eq!(nxv(1_000_000_000 * NXV), "1,000,000,000.00");
		assert_eq!(nxv(NXV / 100), "0.01");
		assert_eq!(nxv(123_456 * NXV + NXV / 2), "123,456.50");
	}

	#[test]
	fn json_carries_every_field_as_a_string() {
		let s = SupplyBreakdown { total: 7, circulating: 3, ..Default::default() };
		let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
		assert_eq!(v["total"], "7");
		assert_eq!(v["circulating"], "3");
		assert_eq!(v.as_object().unwrap().len(), 11);
		assert_eq!(v["settlement_pots"], "0");
		assert_eq!(v["liquidity_pools"], "0");
	}
}
