# Shared by the scripts: run setup once, load its environment, and small helpers.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEXUS_CACHE="${NEXUS_CACHE:-$HOME/.cache/nexus-vault}"
# A command prefix for the CPU-heavy builds (test.sh sets `nice -n 19` while suites that wait on
# blocks run beside them).
NEXUS_NICE="${NEXUS_NICE:-}"

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

# Builds every binary of the workspace in the release profile, in one cargo invocation: the node
# (its runtime wasm included), the `nexus` CLI (clients/rust, on subxt), `nexus-gateway`,
# `nexus-mock-upstream` and `nexus-upgrade-check` (tools/upgrade-check). Always the whole
# workspace, as `cargo test --workspace` selects it, so that every dependency resolves to the same
# features in the build and the tests and is compiled once (a build of the node alone resolves
# other features and made the tests compile most of the dependencies again). The workspace's
# crates are linted while they compile (RUSTC_WORKSPACE_WRAPPER, see scripts/lint-rustc.sh).
nexus_build() {
	say "building nexus-node, nexus, nexus-gateway, nexus-mock-upstream, nexus-upgrade-check (release; a first build takes about 40 minutes on 2 cores)"
	(cd "$ROOT" && $NEXUS_NICE cargo build --locked --release --workspace --bins "$@")
}

# Builds the node alone with `--features runtime-benchmarks` (its `benchmark` subcommand and a
# runtime with the benchmarks, for scripts/bench-weights.sh): another feature set, so it rebuilds
# the runtime-side crates and relinks the node, which the next nexus_build undoes.
nexus_build_benchmarking_node() {
	say "building nexus-node with --features runtime-benchmarks (release)"
	(cd "$ROOT" && cargo build --locked --release -p nexus-node --features runtime-benchmarks)
}

# Builds the projection engine (engine-wasm, on nexus-economics) for wasm32v1-none with the
# toolchain the runtime's wasm is built with, into dashboard/public/engine.wasm: the rules the
# pallets call, run by the dashboard. No host functions, no wasm-bindgen.
nexus_build_engine() {
	say "building the projection engine (wasm32v1-none)"
	(cd "$ROOT" && $NEXUS_NICE cargo ${WASM_BUILD_TOOLCHAIN:++$WASM_BUILD_TOOLCHAIN} build --locked \
		--release -p nexus-engine-wasm --no-default-features --target wasm32v1-none)
	mkdir -p "$ROOT/dashboard/public"
	cp "$CARGO_TARGET_DIR/wasm32v1-none/release/nexus_engine_wasm.wasm" "$ROOT/dashboard/public/engine.wasm"
}

# Builds the dashboard (the engine, then TypeScript type check and Vite) into dashboard/dist; its
# npm dependencies are installed by nexus_setup.
nexus_build_dashboard() {
	nexus_build_engine
	say "building the dashboard (tsc + vite)"
	(cd "$ROOT/dashboard" && $NEXUS_NICE npm run --silent build >/dev/null)
}

# The host's target triple. The runtime built with `try-runtime` (the fuzzer's replays, the
# upgrade checks' wasm) is built for it explicitly, so that its artifacts (and the try-runtime
# wasm its build script makes) stay apart from the node's under $CARGO_TARGET_DIR/<triple>/,
# while build scripts and proc-macros are shared with the node's build; and so that RUSTFLAGS
# reach only target code.
nexus_host_triple() {
	rustc -vV | sed -n 's/^host: //p'
}

# Builds the runtime fuzzer's replay tests (fuzz/, uninstrumented, `try-runtime`, debug
# assertions so that a `defensive!` path, a state that must not happen, is a crash) and, through
# the runtime's build script in the same build, the runtime's wasm with `try-runtime`
# (nexus_try_runtime_wasm, for scripts/upgrade-check.sh).
nexus_build_try_runtime() {
	say "building the runtime with try-runtime: the fuzzer's replay tests and the try-runtime wasm ($(nexus_host_triple))"
	(cd "$ROOT" && RUSTFLAGS="-Cdebug-assertions" $NEXUS_NICE cargo test --locked --release \
		--target "$(nexus_host_triple)" -p nexus-runtime-fuzz --features try-runtime --no-run "$@")
}

# Runs the fuzzer's replay tests (seeds, regressions, the checked-in corpus; fast and full-check
# modes), built by nexus_build_try_runtime.
nexus_fuzz_replay() {
	(cd "$ROOT" && RUSTFLAGS="-Cdebug-assertions" $NEXUS_NICE cargo test --locked --release \
		--target "$(nexus_host_triple)" -p nexus-runtime-fuzz --features try-runtime "$@")
}

# libFuzzer, compiled from the sources libfuzzer-sys ships but without its libc interceptors
# (FuzzerInterceptors.cpp): they hook every `memcmp` of the process to learn from unequal byte
# comparisons, and in this harness those are the storage overlay's key searches (hashes, never
# input bytes), which cost 13% of every execution. Integer comparisons are still traced
# (scripts/fuzz-rustc.sh). Prints the archive's path; built once per libfuzzer-sys version.
nexus_libfuzzer() {
	local src out stamp f
	src="$(cd "$ROOT" && cargo metadata --locked --format-version 1 --all-features | python3 -c '
import json, os, sys
packages = json.load(sys.stdin)["packages"]
print(next(os.path.dirname(p["manifest_path"]) for p in packages if p["name"] == "libfuzzer-sys"))
')/libfuzzer"
	[ -f "$src/FuzzerLoop.cpp" ] || die "no libFuzzer sources found (libfuzzer-sys in Cargo.lock)"
	out="$CARGO_TARGET_DIR/libfuzzer-no-interceptors"
	stamp="$out/.built-from-$(basename "$(dirname "$src")")"
	if [ ! -f "$stamp" ]; then
		say "building libFuzzer without its interceptors ($src)"
		rm -rf "$out"
		mkdir -p "$out"
		for f in "$src"/*.cpp; do
			[ "$(basename "$f")" = FuzzerInterceptors.cpp ] && continue
			"${CXX:-c++}" -O2 -std=c++17 -fno-omit-frame-pointer -w -c "$f" \
				-o "$out/$(basename "$f" .cpp).o" &
		done
		wait
		ar rcs "$out/libfuzzer.a" "$out"/*.o
		touch "$stamp"
	fi
	echo "$out/libfuzzer.a"
}

# Builds the libFuzzer target instrumented for coverage (scripts/fuzz.sh) in its own profile,
# `fuzzing` (release with debug assertions), so that it never rebuilds the replay build above:
# scripts/fuzz-rustc.sh instruments only the runtime's own code. The wrapper's hash is passed as
# a cfg, so that changing which crates it instruments rebuilds them. No wasm is built.
nexus_build_fuzz() {
	local flags libfuzzer
	# The wrapper's code (not its comments) is part of the build's configuration.
	flags="$(grep -v '^#' "$ROOT/scripts/fuzz-rustc.sh" | sha256sum | cut -c1-12)"
	libfuzzer="$(nexus_libfuzzer)"
	say "building the instrumented runtime fuzzer (fuzz/, profile fuzzing, $(nexus_host_triple))"
	(cd "$ROOT" && RUSTC_WRAPPER="$ROOT/scripts/fuzz-rustc.sh" RUSTC_WORKSPACE_WRAPPER= \
		RUSTFLAGS="--cfg nexus_fuzz_instrumentation=\"$flags\"" SKIP_WASM_BUILD=1 \
		CUSTOM_LIBFUZZER_PATH="$libfuzzer" \
		cargo build --locked --profile fuzzing --target "$(nexus_host_triple)" \
		-p nexus-runtime-fuzz --features try-runtime,libfuzzer --bin runtime "$@")
}

# The instrumented fuzzer, and the runtime wasm built with `try-runtime`.
nexus_fuzz_bin() {
	echo "$CARGO_TARGET_DIR/$(nexus_host_triple)/fuzzing/runtime"
}
nexus_try_runtime_wasm() {
	echo "$CARGO_TARGET_DIR/$(nexus_host_triple)/release/wbuild/nexus-runtime/nexus_runtime.compact.compressed.wasm"
}
