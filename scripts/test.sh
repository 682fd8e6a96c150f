#!/usr/bin/env bash
# Sets up the machine (scripts/setup.sh) and runs every test:
#   1. polkadot-sdk pins: every SDK crate in Cargo.lock (and the fuzzer's fuzz/Cargo.lock) is
#      the stable2609 version;
#   2. formatting (`cargo +nightly fmt --check`, when a nightly toolchain is installed);
#   3. clippy with `-D warnings` on every crate but the node: the runtime, the pallets and the
#      primitives (their workspace lints deny unwrap, expect, panic, indexing and unchecked
#      arithmetic);
#   4. the release build of nexus-node (its runtime wasm included), of the `nexus` CLI, the
#      gateway, the mock upstream and nexus-upgrade-check, and of the dashboard (tsc + vite);
#   5. Rust tests of the workspace (runtime: genesis presets, integrity test, metadata, fees,
#      invariants, the hostile-extrinsic catalogue; pallets: every call and error, invariants,
#      migrations, proptests), in the same release profile, so nothing is compiled twice;
#   6. each pallet's benchmarks, and the tests that need `try-runtime` (migrations' pre/post-upgrade
#      checks), run as tests (`--features runtime-benchmarks,try-runtime`: the one second feature
#      set, limited to the runtime-side crates the pallets use, about three minutes);
#   7. runtime fuzzing (scripts/fuzz.sh): the runtime built natively with `try-runtime` and
#      libFuzzer's instrumentation (the build also yields the try-runtime wasm), its seeds, every
#      past finding in fuzz/regressions, then NEXUS_FUZZ_SECONDS (180) of fuzzing;
#   8. upgrade checks (scripts/upgrade-check.sh --dev): try-runtime's on-runtime-upgrade checks
#      with the try-runtime wasm on a snapshot of a running development chain;
#   9. end-to-end tests with @polkadot/api, the JS package (clients/js) and the `nexus` CLI
#      against real release nodes, the hostile-RPC catalogue included (tests/e2e); run side by
#      side with step 10 (both mostly wait for blocks);
#  10. gateway tests with the official `openai` Python client against a real node,
#      nexus-gateway and nexus-mock-upstream: fault tests and the hostile-HTTP catalogue
#      included (tests/gateway);
#  11. dashboard tests in headless Chromium (playwright-core) against the whole demo market
#      started by scripts/demo.sh and stopped with Ctrl-C's SIGINT (tests/dashboard);
#  12. network tests with zombienet (native provider, loopback): the local.zndsl smoke test of
#      the four-validator local_testnet network, then the fault tests on the market network
#      (validators killed and restarted, gateway kill -9, exactly-once settlement).
# Exits non-zero when any step fails. Extra arguments are passed to `cargo test`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start=$(date +%s)
step() {
	say "$1 ($(($(date +%s) - start)) s in)"
}
nexus_setup
cd "$ROOT"

step "1/12 polkadot-sdk pins"
./scripts/check-sdk-pins.sh

step "2/12 formatting"
if rustup run nightly rustfmt --version >/dev/null 2>&1; then
	cargo +nightly fmt --all -- --check
	(cd fuzz && cargo +nightly fmt --all -- --check)
else
	say "no nightly toolchain: formatting check skipped (the SDK's rustfmt rules need nightly)"
fi

step "3/12 clippy (every crate but the node)"
cargo clippy --locked --release --workspace --exclude nexus-node --all-targets -- -D warnings

step "4/12 build"
nexus_build_node
nexus_build_cli
nexus_build_dashboard

step "5/12 cargo test (release profile, shared with the node build)"
cargo test --locked --release --workspace "$@"

step "6/12 pallet benchmarks and try-runtime hooks as tests (--features runtime-benchmarks,try-runtime)"
pallets=()
for manifest in "$ROOT"/pallets/*/Cargo.toml; do
	[ -f "$manifest" ] || continue
	pallets+=(-p "$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)")
done
if [ "${#pallets[@]}" -gt 0 ]; then
	# One feature set for both: each pallet's benchmarks run as tests, and so do the tests that
	# need `try-runtime` (migrations' pre/post-upgrade checks).
	cargo test --locked --release --features runtime-benchmarks,try-runtime "${pallets[@]}"
fi

step "7/12 runtime fuzzing (seeds, regressions, ${NEXUS_FUZZ_SECONDS:-180} s)"
./scripts/fuzz.sh "${NEXUS_FUZZ_SECONDS:-180}"

step "8/12 upgrade checks (try-runtime) on a development chain"
./scripts/upgrade-check.sh --dev

step "9-10/12 end-to-end tests (real nodes, @polkadot/api) and, beside them, gateway tests (openai Python client; fault tests; hostile HTTP input)"
# The two suites use their own nodes on free loopback ports and spend most of their time
# waiting for blocks, so they run side by side; the gateway suite's output follows the e2e one.
export NEXUS_NODE NEXUS_CLI NEXUS_GATEWAY NEXUS_MOCK_UPSTREAM
NEXUS_NODE="$(nexus_node_bin)"
NEXUS_CLI="$(nexus_cli_bin)"
NEXUS_GATEWAY="$(nexus_gateway_bin)"
NEXUS_MOCK_UPSTREAM="$(nexus_mock_upstream_bin)"
gateway_log="$(mktemp)"
(cd "$ROOT/tests/gateway" && "$(nexus_python)" -m unittest -v test_gateway test_faults test_hostile) \
	>"$gateway_log" 2>&1 &
gateway_tests=$!
e2e=0
(cd "$ROOT/tests/e2e" && node --test --test-concurrency=1 --test-reporter=spec ./*.test.js) || e2e=$?
gateway=0
wait "$gateway_tests" || gateway=$?
say "gateway tests (run beside the end-to-end tests):"
cat "$gateway_log"
rm -f "$gateway_log"
[ "$e2e" -eq 0 ] || die "end-to-end tests failed"
[ "$gateway" -eq 0 ] || die "gateway tests failed"

step "11/12 dashboard tests (headless Chromium against scripts/demo.sh)"
(cd "$ROOT/tests/dashboard" && node --test --test-concurrency=1 --test-reporter=spec ./*.test.js)

step "12/12 network tests (zombienet: local.zndsl, then faults.test.mjs)"
(cd "$ROOT/zombienet" && npx --no-install zombienet test -p native local.zndsl &&
	node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs)

say "all tests passed in $(($(date +%s) - start)) s"
