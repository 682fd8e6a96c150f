//! The client's generated types must describe the runtime this repository builds.

/// `metadata/nexus.scale` (what `nexus_client::runtime` is generated from) must equal the v16
/// metadata of the runtime on the development chain; when the runtime changes, run
/// `scripts/refresh-metadata.sh`. The metadata depends on chain state in one place (the
/// referenda tracks, whose timings the preset chooses), so it is generated in the development
/// preset's genesis state, the chain the refresh script reads. `tests/e2e/clients.test.js`
/// checks the same against the wasm runtime of the built node.
#[test]
fn metadata_matches_the_runtime() {
	let genesis = nexus_runtime::genesis_config_presets::preset_storage("development")
		.expect("the development genesis builds");
	let built = sp_io::TestExternalities::new(genesis).execute_with(|| {
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
