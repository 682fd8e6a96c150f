//! libFuzzer target: see the `nexus_runtime_fuzz` crate docs for what an input means and what
//! is asserted. Fast mode unless `NEXUS_FUZZ_FULL=1`.
#![no_main]

libfuzzer_sys::fuzz_target!(
	init: nexus_runtime_fuzz::fuzz_init(),
	|data: &[u8]| nexus_runtime_fuzz::run(data)
);
