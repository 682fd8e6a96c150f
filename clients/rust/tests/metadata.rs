//! The client's generated types must describe the runtime this repository builds.

use serde_json::Value;

/// Merges a genesis preset (a patch) into the default genesis config, as the node's chain-spec
/// builder does.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) =>
			for (k, v) in patch {
				merge(base.entry(k).or_insert(Value::Null), v);
			},
		(base, patch) => *base = patch,
	}
}

/// `metadata/nexus.scale` (what `nexus_client::runtime` is generated from) must equal the v16
/// metadata of the runtime on the development chain; when the runtime changes, run
/// `scripts/refresh-metadata.sh`. The metadata depends on chain state in one place (the
/// referenda tracks, whose timings the preset chooses), so it is generated in the development
/// preset's genesis state, the chain the refresh script reads. `tests/e2e/clients.test.js`
/// checks the same against the wasm runtime of the built node.
#[test]
fn metadata_matches_the_runtime() {
	let patch = nexus_runtime::genesis_config_presets::get_preset(&"development".into())
		.expect("the development preset exists");
	let mut config = serde_json::to_value(nexus_runtime::RuntimeGenesisConfig::default())
		.expect("the default genesis config serializes");
	merge(&mut config, serde_json::from_slice(&patch).expect("the preset is JSON"));
	let json = serde_json::to_vec(&config).expect("serializes");

	let built = sp_io::TestExternalities::new_empty().execute_with(|| {
		frame_support::genesis_builder_helper::build_state::<nexus_runtime::RuntimeGenesisConfig>(
			json,
		)
		.expect("the development genesis builds");
		nexus_runtime::Runtime::metadata_at_version(16).expect("the runtime offers v16")
	});
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/metadata/nexus.scale");
	let checked_in = std::fs::read(path).expect("metadata/nexus.scale is checked in");
	assert!(
		checked_in == *built,
		"clients/rust/metadata/nexus.scale ({} bytes) no longer matches the runtime's metadata \
		 ({} bytes): run scripts/refresh-metadata.sh and rebuild the client",
		checked_in.len(),
		built.len()
	);
}
