//! Builds the runtime's wasm blob (`WASM_BINARY`) with `substrate-wasm-builder`.
//!
//! The toolchain it uses comes from `scripts/setup.sh` (`WASM_BUILD_TOOLCHAIN`, or the default
//! toolchain when it has the `wasm32v1-none` target). `SKIP_WASM_BUILD=1` skips the blob for
//! native-only checks.

#[cfg(all(feature = "std", feature = "metadata-hash"))]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash("NXV", 12)
		.build();
}

#[cfg(all(feature = "std", not(feature = "metadata-hash")))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

/// The wasm builder is not needed when this crate is itself compiled to wasm.
#[cfg(not(feature = "std"))]
fn main() {}
