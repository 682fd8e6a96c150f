//! Genesis presets: the initial state a chain spec is built from.
//!
//! - `development` (`--dev`): Alice is the only authority and holds the sudo key.
//! - `local_testnet` (`--chain local`): Alice, Bob, Charlie and Dave are authorities; there is no
//!   sudo key.
//!
//! Both endow the well-known development accounts with [`ENDOWMENT`] each, set the default tier
//! table ([`default_tiers`]) and list the curated offerings ([`offerings`]); `development` also
//! registers a few demo capsules for Bob and Charlie ([`demo_capsules`]). The fixed
//! 1,000,000,000 NXV supply and its allocation buckets replace these endowments with validator
//! staking (see `docs/token.md`).

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_capsules::{GenesisCapsule, Lane, Price, QuotaWindow};
use pallet_tiers::TierParams;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::{
	traits::{BlakeTwo256, Hash},
	Permill,
};

use crate::{
	AccountId, Balance, BalancesConfig, CapsulesConfig, RuntimeGenesisConfig, SudoConfig,
	TiersConfig, NXV,
};

/// What each endowed development account starts with: one million NXV.
pub const ENDOWMENT: Balance = 1_000_000 * NXV;

/// The accounts every preset endows: the well-known development keys and their stashes.
pub fn endowed_accounts() -> Vec<AccountId> {
	use Sr25519Keyring::*;
	[Alice, Bob, Charlie, Dave, Eve, Ferdie, AliceStash, BobStash, CharlieStash, DaveStash]
		.into_iter()
		.map(|k| k.to_account_id())
		.collect()
}

/// The Aura (sr25519) and GRANDPA (ed25519) keys of a well-known development authority.
pub fn authority_keys(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(aura.public().into(), grandpa.public().into())
}

/// The default tier table (see `docs/tiers.md` for why these numbers): Basic, Bronze, Silver,
/// Gold, Enterprise. Rate limits are metered units per hour.
pub fn default_tiers() -> Vec<TierParams<Balance>> {
	let tier =
		|threshold: Balance, rate_limit, premium_lanes, failover_priority, discount| TierParams {
			threshold: threshold.saturating_mul(NXV),
			rate_limit,
			premium_lanes,
			failover_priority,
			commitment_discount: Permill::from_percent(discount),
		};
	vec![
		tier(0, 100_000, false, 0, 0),
		tier(1_000, 500_000, false, 1, 2),
		tier(10_000, 2_000_000, true, 2, 4),
		tier(50_000, 10_000_000, true, 3, 7),
		tier(250_000, 50_000_000, true, 4, 10),
	]
}

/// The curated upstream offerings and whether their terms permit resale. The consumer chat
/// plan does not: it is listed so that nobody can register a capsule on it.
pub fn offerings() -> Vec<(Vec<u8>, bool)> {
	[
		(&b"claude-opus"[..], true),
		(b"claude-sonnet", true),
		(b"gpt-5", true),
		(b"gpt-5-codex", true),
		(b"consumer-chat-plan", false),
	]
	.into_iter()
	.map(|(id, permitted)| (id.to_vec(), permitted))
	.collect()
}

/// Demo capsules for the development chain. Prices are in the pricing unit (the stable asset's
/// micro-unit) per 1,000 units: e.g. 9,000 is 0.009 per 1k input units.
pub fn demo_capsules() -> Vec<GenesisCapsule<AccountId, Balance>> {
	let capsule = |owner: Sr25519Keyring,
	               offering: &[u8],
	               lane,
	               input: Balance,
	               output: Balance,
	               capacity,
	               window,
	               region: &[u8],
	               name: &str| GenesisCapsule {
		owner: owner.to_account_id(),
		offering: offering.to_vec(),
		lane,
		price: Price { per_1k_input: input, per_1k_output: output },
		capacity,
		window,
		concurrency: 4,
		region: region.to_vec(),
		// What a provider commits to: the hash of the endpoint it hands the gateway.
		endpoint_commitment: BlakeTwo256::hash(name.as_bytes()),
		metadata: alloc::format!("{{\"name\":\"{name}\"}}").into_bytes(),
	};
	use Sr25519Keyring::{Bob, Charlie};
	vec![
		capsule(
			Bob,
			b"claude-opus",
			Lane::Premium,
			9_000,
			45_000,
			2_000_000,
			QuotaWindow::Day,
			b"eu-west",
			"bob-opus",
		),
		capsule(
			Bob,
			b"claude-sonnet",
			Lane::Standard,
			1_800,
			9_000,
			5_000_000,
			QuotaWindow::Day,
			b"eu-west",
			"bob-sonnet",
		),
		capsule(
			Charlie,
			b"gpt-5-codex",
			Lane::Premium,
			750,
			6_000,
			3_000_000,
			QuotaWindow::Week,
			b"us-east",
			"charlie-codex",
		),
		capsule(
			Charlie,
			b"gpt-5",
			Lane::Standard,
			750,
			6_000,
			1_000_000,
			QuotaWindow::Hour,
			b"us-east",
			"charlie-gpt5",
		),
	]
}

fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
	capsules: Vec<GenesisCapsule<AccountId, Balance>>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed.into_iter().map(|k| (k, ENDOWMENT)).collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: authorities.iter().map(|x| x.0.clone()).collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities.iter().map(|x| (x.1.clone(), 1)).collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
		capsules: CapsulesConfig { offerings: offerings(), capsules },
		tiers: TiersConfig { tiers: default_tiers() },
	})
}

/// The `development` preset: a single authority (Alice), who also holds sudo.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		demo_capsules(),
	)
}

/// The `local_testnet` preset: four authorities, no sudo.
pub fn local_config_genesis() -> Value {
	genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			authority_keys(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
			authority_keys(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
		],
		endowed_accounts(),
		None,
		vec![],
	)
}

/// The JSON patch of the preset named `id`, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_str() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
		_ => return None,
	};
	serde_json::to_string(&patch).ok().map(alloc::string::String::into_bytes)
}

/// The names of the presets this runtime ships.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
