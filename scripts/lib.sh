# Shared by the scripts: run setup once, load its environment, and small helpers.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEXUS_CACHE="${NEXUS_CACHE:-$HOME/.cache/nexus-vault}"

say() { printf '\033[1;34m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { printf '\033[1;31m[%s] error:\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

# Runs scripts/setup.sh (idempotent; fast when nothing is missing) and loads its environment.
nexus_setup() {
	"$ROOT/scripts/setup.sh"
	# shellcheck disable=SC1091
	. "$NEXUS_CACHE/env"
}

# The release node binary.
nexus_node_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus-node"
}

# The release `nexus` command-line client.
nexus_cli_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus"
}

# The gateway, the mock upstream, and the Python of the gateway tests' virtual environment.
nexus_gateway_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus-gateway"
}
nexus_mock_upstream_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus-mock-upstream"
}
nexus_python() {
	echo "$NEXUS_CACHE/venv/bin/python"
}

# Builds the off-chain binaries in the same release profile, in one cargo invocation (one
# feature set for what they share): the `nexus` CLI (clients/rust, on subxt), `nexus-gateway`,
# `nexus-mock-upstream` and `nexus-upgrade-check` (tools/upgrade-check).
nexus_build_cli() {
	say "building the nexus CLI, nexus-gateway, nexus-mock-upstream and nexus-upgrade-check (release)"
	(cd "$ROOT" && cargo build --locked --release -p nexus-client -p nexus-gateway \
		-p nexus-mock-upstream -p nexus-upgrade-check "$@")
}

# Builds the dashboard (TypeScript type check, then Vite) into dashboard/dist; its npm
# dependencies are installed by nexus_setup.
nexus_build_dashboard() {
	say "building the dashboard (tsc + vite)"
	(cd "$ROOT/dashboard" && npm run --silent build >/dev/null)
}

# Builds the node (and with it the runtime's wasm) in the one release profile.
nexus_build_node() {
	say "building nexus-node (release; a first build takes about 25 minutes on 2 cores)"
	(cd "$ROOT" && cargo build --locked --release -p nexus-node "$@")
}

# The host's target triple. The fuzzer is built for it explicitly, so that its coverage flags
# reach only target code (not build scripts and proc-macros) and its artifacts stay apart from
# the node's (under $CARGO_TARGET_DIR/<triple>/release).
nexus_host_triple() {
	rustc -vV | sed -n 's/^host: //p'
}

# libFuzzer's coverage instrumentation, as `cargo fuzz build -s none` sets it (stable rustc), and
# debug assertions, so that a `defensive!` path (a state that must not happen) is a crash.
NEXUS_FUZZ_RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cllvm-args=-sanitizer-coverage-stack-depth \
-Cdebug-assertions"

# Builds the runtime fuzzer (fuzz/: the runtime natively with `try-runtime`, instrumented) and,
# through the runtime's build script in the same build, the runtime's wasm with `try-runtime`
# (for scripts/upgrade-check.sh; it lands in the triple's own wbuild directory, apart from the
# node's runtime).
nexus_build_fuzz() {
	say "building the runtime fuzzer and the try-runtime wasm (fuzz/, release, $(nexus_host_triple))"
	(cd "$ROOT/fuzz" && RUSTFLAGS="$NEXUS_FUZZ_RUSTFLAGS" cargo build --locked --release \
		--target "$(nexus_host_triple)" --bins "$@")
}

# The fuzzer binary, and the runtime wasm built with `try-runtime`.
nexus_fuzz_bin() {
	echo "$CARGO_TARGET_DIR/$(nexus_host_triple)/release/runtime"
}
nexus_try_runtime_wasm() {
	echo "$CARGO_TARGET_DIR/$(nexus_host_triple)/release/wbuild/nexus-runtime/nexus_runtime.compact.compressed.wasm"
}
