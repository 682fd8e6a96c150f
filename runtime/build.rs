//! Builds the runtime's wasm blob (`WASM_BINARY`) with `substrate-wasm-builder`.
//!
//! The toolchain it uses comes from `scripts/setup.sh` (`WASM_BUILD_TOOLCHAIN`, or the default
//! toolchain when it has the `wasm32v1-none` target). `SKIP_WASM_BUILD=1` skips the blob for
//! native-only checks.

/// Points the wasm builder at this workspace, so that the wasm is built with exactly the
/// versions in its `Cargo.lock`. The builder otherwise looks for `Cargo.lock` above the build's
/// `OUT_DIR`, which lies outside the workspace when `CARGO_TARGET_DIR` does (as it does for
/// every script here). Set here, for this crate only: as a global environment variable the hint
/// would also apply to other crates' wasm builds (the benchmarking CLI's test runtime), which
/// are not in this workspace's default dependency graph.
#[cfg(feature = "std")]
fn hint_workspace() {
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		let manifest_dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
		if let Some(workspace) = manifest_dir.parent() {
			std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
		}
	}
}

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	hint_workspace();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("NXV", 12)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	hint_workspace();
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is not needed when this crate is itself compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
