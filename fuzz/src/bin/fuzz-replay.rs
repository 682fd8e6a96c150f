//! Replays fuzzer inputs without libFuzzer or coverage instrumentation: the build the test suite
//! already has (`scripts/test.sh fuzz`), so a finding can be studied at native speed and the
//! fuzzer's block-time allowance calibrated against the instrumented build (docs/security.md).
//!
//! ```sh
//! RUSTFLAGS=-Cdebug-assertions cargo run --release --target x86_64-unknown-linux-gnu \
//!   -p nexus-runtime-fuzz --features try-runtime --bin fuzz-replay -- <input>...
//! ```
//!
//! Each input is run as libFuzzer runs it (`nexus_runtime_fuzz::run`: fast mode unless
//! `NEXUS_FUZZ_FULL=1`, every invariant asserted, a slow block confirmed by two more runs);
//! `NEXUS_FUZZ_TRACE=1` prints each action, each block's time and weight, and each check.
//! Prints each input's wall time; exits non-zero (a panic) on the first failing input.

use std::time::Instant;

fn main() {
	let inputs: Vec<String> = std::env::args().skip(1).collect();
	if inputs.is_empty() {
		eprintln!("usage: fuzz-replay <input>...");
		std::process::exit(2);
	}
	nexus_runtime_fuzz::fuzz_init();
	for path in inputs {
		let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
		let started = Instant::now();
		nexus_runtime_fuzz::run(&data);
		println!("{path}: {} µs", started.elapsed().as_micros());
	}
}
