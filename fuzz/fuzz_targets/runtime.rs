//! libFuzzer target: see the `nexus_runtime_fuzz` crate docs for what an input means and what
//! is asserted after every block.
#![no_main]

libfuzzer_sys::fuzz_target!(
	init: nexus_runtime_fuzz::fuzz_init(),
	|data: &[u8]| nexus_runtime_fuzz::run(data)
);
