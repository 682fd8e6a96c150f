//! Built-in chain specs: `dev` and `local`, from the runtime's genesis presets.

use nexus_primitives::token::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use nexus_runtime::WASM_BINARY;
use sc_service::{ChainType, Properties};

/// A chain spec of the Nexus Vault chain.
pub type ChainSpec = sc_service::GenericChainSpec;

/// What wallets (polkadot.js apps) read to show NXV amounts and addresses.
pub fn properties() -> Properties {
	let mut p = Properties::new();
	p.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	p.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	p.insert("ss58Format".into(), SS58_PREFIX.into());
	p
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime's wasm is not in this binary: it was built with SKIP_WASM_BUILD. Rebuild \
		 without it (scripts/build.sh)."
			.to_string()
	})
}

/// `--dev`: one authority (Alice) with sudo, from the `development` preset.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Nexus Vault Development")
		.with_id("nexus_dev")
		.with_chain_type(ChainType::Development)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.build())
}

/// `--chain local`: Alice, Bob, Charlie and Dave as authorities, from `local_testnet`.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name("Nexus Vault Local Testnet")
		.with_id("nexus_local_testnet")
		.with_chain_type(ChainType::Local)
		.with_properties(properties())
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.build())
}
