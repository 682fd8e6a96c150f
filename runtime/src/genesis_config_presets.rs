//! Genesis presets: the initial state a chain spec is built from.
//!
//! - `development` (`--dev`): Alice is the only authority and holds the sudo key.
//! - `local_testnet` (`--chain local`): Alice, Bob, Charlie and Dave are authorities; there is no
//!   sudo key.
//!
//! Both endow the well-known development accounts with [`ENDOWMENT`] each. The fixed
//! 1,000,000,000 NXV supply and its allocation buckets replace these endowments with validator
//! staking (see `docs/token.md`).

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{AccountId, Balance, BalancesConfig, RuntimeGenesisConfig, SudoConfig, NXV};

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

fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
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
	})
}

/// The `development` preset: a single authority (Alice), who also holds sudo.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		endowed_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
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
