#!/usr/bin/env bash
# Sets up the machine (scripts/setup.sh) and runs every test:
#   1. polkadot-sdk pins: every SDK crate in Cargo.lock is the stable2609 version;
#   2. formatting (`cargo +nightly fmt --check`, when a nightly toolchain is installed);
#   3. clippy with `-D warnings` on every crate but the node: the runtime, the pallets and the
#      primitives (their workspace lints deny unwrap, expect, panic, indexing and unchecked
#      arithmetic);
#   4. the release build of nexus-node (its runtime wasm included), of the `nexus` CLI, the
#      gateway and the mock upstream, and of the dashboard (tsc + vite);
#   5. Rust tests of the workspace (runtime: genesis presets, integrity test, metadata, fees;
#      pallets: every call and error, invariants, proptests), in the same release profile, so
#      nothing is compiled twice;
#   6. each pallet's benchmarks, run as tests (`--features runtime-benchmarks`: the one second
#      feature set, limited to the runtime-side crates the pallets use, about a minute);
#   7. end-to-end tests with @polkadot/api, the JS package (clients/js) and the `nexus` CLI
#      against real release nodes (tests/e2e);
#   8. gateway tests with the official `openai` Python client against a real node,
#      nexus-gateway and nexus-mock-upstream, fault tests included (tests/gateway);
#   9. dashboard tests in headless Chromium (playwright-core) against the whole demo market
#      started by scripts/demo.sh and stopped with Ctrl-C's SIGINT (tests/dashboard);
#  10. network tests with zombienet (native provider, loopback): the local.zndsl smoke test of
#      the four-validator local_testnet network, then the fault tests on the market network
#      (validators killed and restarted, gateway kill -9, exactly-once settlement).
# Exits non-zero when any step fails. Extra arguments are passed to `cargo test`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$(date +%s)
nexus_setup
cd "$ROOT"

say "1/10 polkadot-sdk pins"
./scripts/check-sdk-pins.sh

say "2/10 formatting"
if rustup run nightly rustfmt --version >/dev/null 2>&1; then
	cargo +nightly fmt --all -- --check
else
	say "no nightly toolchain: formatting check skipped (the SDK's rustfmt rules need nightly)"
fi

say "3/10 clippy (every crate but the node)"
cargo clippy --locked --release --workspace --exclude nexus-node --all-targets -- -D warnings

say "4/10 build"
nexus_build_node
nexus_build_cli
nexus_build_dashboard

say "5/10 cargo test (release profile, shared with the node build)"
cargo test --locked --release --workspace "$@"

say "6/10 pallet benchmarks as tests (--features runtime-benchmarks)"
pallets=()
for manifest in "$ROOT"/pallets/*/Cargo.toml; do
	[ -f "$manifest" ] || continue
	pallets+=(-p "$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -n 1)")
done
if [ "${#pallets[@]}" -gt 0 ]; then
	cargo test --locked --release --features runtime-benchmarks "${pallets[@]}"
fi

say "7/10 end-to-end tests (real nodes, @polkadot/api)"
export NEXUS_NODE NEXUS_CLI
NEXUS_NODE="$(nexus_node_bin)"
NEXUS_CLI="$(nexus_cli_bin)"
(cd "$ROOT/tests/e2e" && node --test --test-concurrency=1 --test-reporter=spec ./*.test.js)

say "8/10 gateway tests (openai Python client; kill -9 and node-outage fault tests)"
export NEXUS_GATEWAY NEXUS_MOCK_UPSTREAM
NEXUS_GATEWAY="$(nexus_gateway_bin)"
NEXUS_MOCK_UPSTREAM="$(nexus_mock_upstream_bin)"
(cd "$ROOT/tests/gateway" && "$(nexus_python)" -m unittest -v test_gateway test_faults)

say "9/10 dashboard tests (headless Chromium against scripts/demo.sh)"
(cd "$ROOT/tests/dashboard" && node --test --test-concurrency=1 --test-reporter=spec ./*.test.js)

say "10/10 network tests (zombienet: local.zndsl, then faults.test.mjs)"
(cd "$ROOT/zombienet" && npx --no-install zombienet test -p native local.zndsl &&
	node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs)

say "all tests passed in $(($(date +%s) - start)) s"
