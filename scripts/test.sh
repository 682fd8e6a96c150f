#!/usr/bin/env bash
# Sets up the machine (scripts/setup.sh) and runs every test:
#   1. polkadot-sdk pins: every SDK crate in Cargo.lock is the stable2609 version;
#   2. formatting (`cargo +nightly fmt --check`, when a nightly toolchain is installed);
#   3. clippy with `-D warnings` on the runtime-side crates (their workspace lints deny unwrap,
#      expect, panic, indexing and unchecked arithmetic);
#   4. the release build of nexus-node (its runtime wasm included);
#   5. Rust tests of the workspace (runtime: genesis presets, integrity test, metadata, fees),
#      in the same release profile, so nothing is compiled twice;
#   6. end-to-end tests with @polkadot/api against real release nodes (tests/e2e).
# Exits non-zero when any step fails. Extra arguments are passed to `cargo test`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$(date +%s)
nexus_setup
cd "$ROOT"

say "1/6 polkadot-sdk pins"
./scripts/check-sdk-pins.sh

say "2/6 formatting"
if rustup run nightly rustfmt --version >/dev/null 2>&1; then
	cargo +nightly fmt --all -- --check
else
	say "no nightly toolchain: formatting check skipped (the SDK's rustfmt rules need nightly)"
fi

say "3/6 clippy (runtime-side crates)"
cargo clippy --locked --release -p nexus-runtime -p nexus-primitives --all-targets -- -D warnings

say "4/6 build"
nexus_build_node

say "5/6 cargo test (release profile, shared with the node build)"
cargo test --locked --release --workspace "$@"

say "6/6 end-to-end tests (real nodes, @polkadot/api)"
export NEXUS_NODE
NEXUS_NODE="$(nexus_node_bin)"
(cd "$ROOT/tests/e2e" && node --test --test-concurrency=1 --test-reporter=spec ./*.test.js)

say "all tests passed in $(($(date +%s) - start)) s"
