#!/usr/bin/env bash
# Runs the tests: every stage with no argument (the README's command, and what CI runs), or the
# stages named. `./scripts/test.sh --help` lists them with their measured times.
#
#   ./scripts/test.sh                  # everything
#   ./scripts/test.sh quick            # the inner loop: format, lints, Rust unit tests (no wasm)
#   ./scripts/test.sh rust e2e         # named stages, in the order given
#
# Every run first sets the machine up (scripts/setup.sh). A stage builds what it needs (once per
# run). With no argument, the build comes first; then the suites that mostly wait for blocks
# (e2e, gateway, network then dashboard) run side by side in three lanes while the CPU-bound
# stages (rust, benches, fuzz, upgrade) run beside them at the lowest CPU priority. The first
# stage that fails stops the run with its name (the lanes still running are stopped), and the
# run ends with a table of every stage's time.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STAGES=(quick lint build rust benches fuzz upgrade e2e gateway dashboard network)

# Times: a warm run (nothing to build) of every stage on the 2-core build machine, stages in lanes
# side by side as in a full run; see docs/development.md.
usage() {
	cat <<-'EOF'
		usage: scripts/test.sh [--help] [stage...]

		With no stage, runs every stage but quick (lint, build, rust, benches, fuzz, upgrade, e2e,
		gateway, dashboard, network): this is the README's command and CI's. Times of a warm run
		on the 2-core build machine (docs/development.md); the suites ran side by side:

		  quick      format, lints and the Rust tests of the workspace, without the runtime's   < 1 min
		             wasm (SKIP_WASM_BUILD=1; the first run after a full one rebuilds the
		             runtime crate natively, 2 min, and the next full run its wasm)
		  lint       polkadot-sdk pins, formatting (nightly rustfmt), and clippy with          1 min
		             -D warnings on every crate and target of the workspace, linted while they
		             compile for the build and the tests (scripts/lint-rustc.sh)
		  build      the release binaries (node with its wasm, nexus, gateway, mock upstream,  < 1 min
		             upgrade check) and the dashboard
		  rust       cargo test of the workspace (release profile)                              1 min
		  benches    each pallet's benchmarks and try-runtime hooks as tests                   < 1 min
		             (--features runtime-benchmarks,try-runtime)
		  fuzz       the runtime fuzzer's seeds, regressions and checked-in corpus, in fast      2 min
		             and full-check mode (uninstrumented; campaigns: scripts/fuzz.sh)
		  upgrade    try-runtime upgrade checks on a development chain                          1 min
		  e2e        @polkadot/api, the JS package and the CLI against real nodes               7 min
		  gateway    the gateway with the official openai and anthropic clients, Claude Code    7 min
		             and Codex CLI, every wire-format pair, faults, hostile HTTP
		  dashboard  headless Chromium against scripts/demo.sh (and the wasm projection engine) 3 min
		  network    zombienet: the four-validator smoke test and the fault tests               7 min

		Every stage: about 11 min warm with nothing to rebuild; about 74 min on a fresh machine
		(measured in pieces on 2026-12-06; the first build is 42 min of it: docs/development.md).
	EOF
}

selected=()
for arg in "$@"; do
	case "$arg" in
	-h | --help)
		usage
		exit 0
		;;
	*)
		[[ " ${STAGES[*]} " == *" $arg "* ]] || {
			usage >&2
			die "no stage named '$arg'"
		}
		selected+=("$arg")
		;;
	esac
done

start=$(date +%s)
timings="$(mktemp)"
lanes_dir="$(mktemp -d)"
trap 'rm -rf "$timings" "$lanes_dir"' EXIT

elapsed() { echo $(($(date +%s) - start)); }

# ---- what the stages need, built once per run --------------------------------------------------

# Stages run in subshells (see run_stage), so what is built once is remembered in files.
ensure_built() {
	[ -e "$lanes_dir/built" ] && return 0
	nexus_build
	nexus_build_dashboard
	touch "$lanes_dir/built"
}

ensure_try_runtime() {
	[ -e "$lanes_dir/try-runtime-built" ] && return 0
	nexus_build_try_runtime
	touch "$lanes_dir/try-runtime-built"
}

export_binaries() {
	export NEXUS_NODE NEXUS_CLI NEXUS_GATEWAY NEXUS_MOCK_UPSTREAM
	NEXUS_NODE="$(nexus_node_bin)"
	NEXUS_CLI="$(nexus_cli_bin)"
	NEXUS_GATEWAY="$(nexus_gateway_bin)"
	NEXUS_MOCK_UPSTREAM="$(nexus_mock_upstream_bin)"
}

# ---- the stages ---------------------------------------------------------------------------------

check_format() {
	if rustup run nightly rustfmt --version >/dev/null 2>&1; then
		cargo +nightly fmt --all -- --check
	else
		say "no nightly toolchain: formatting check skipped (the SDK's rustfmt rules need nightly)"
	fi
}

stage_quick() {
	check_format
	# The same package selection and features as the full build, so that only the runtime crate
	# (whose build script reads SKIP_WASM_BUILD) and what links it are compiled again.
	(cd "$ROOT" && SKIP_WASM_BUILD=1 $NEXUS_NICE cargo test --locked --release --workspace)
}

stage_lint() {
	./scripts/check-sdk-pins.sh
	check_format
	# Clippy runs inside these compilations (RUSTC_WORKSPACE_WRAPPER): every crate and target of
	# the workspace, the node included; the build and rust stages then reuse what they compiled.
	nexus_build
	(cd "$ROOT" && $NEXUS_NICE cargo test --locked --release --workspace --no-run)
}

stage_build() {
	ensure_built
}

stage_rust() {
	(cd "$ROOT" && $NEXUS_NICE cargo test --locked --release --workspace)
}

stage_benches() {
	local pallets=() manifest
	for manifest in "$ROOT"/pallets/*/Cargo.toml; do
		pallets+=(-p "$(sed -n 's/^name = "\(.*\)"/\1/p' "$manifest" | head -1)")
	done
	# One feature set for both: each pallet's benchmarks run as tests, and so do the tests that
	# need `try-runtime` (migrations' pre/post-upgrade checks).
	(cd "$ROOT" && $NEXUS_NICE cargo test --locked --release \
		--features runtime-benchmarks,try-runtime "${pallets[@]}")
}

stage_fuzz() {
	ensure_try_runtime
	nexus_fuzz_replay
}

stage_upgrade() {
	ensure_built
	ensure_try_runtime
	NEXUS_UPGRADE_CHECK_BUILT=1 ./scripts/upgrade-check.sh --dev
}

stage_e2e() {
	ensure_built
	export_binaries
	# Each file starts its own nodes on free loopback ports; three files at a time.
	(cd "$ROOT/tests/e2e" && node --test --test-concurrency=3 --test-reporter=spec ./*.test.js)
}

stage_gateway() {
	ensure_built
	export_binaries
	# Each module starts its own node, gateway and upstreams on free ports: three lanes side by
	# side, the modules of a lane one after the other.
	local python pids=() lane status=0
	local lanes=("test_gateway" "test_faults" "test_hostile test_protocols test_agents")
	python="$(nexus_python)"
	for lane in "${lanes[@]}"; do
		# shellcheck disable=SC2086 # a lane is a list of modules
		(cd "$ROOT/tests/gateway" && "$python" -m unittest -v $lane) >"$lanes_dir/${lane%% *}.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || status=1
	done
	for lane in "${lanes[@]}"; do
		say "gateway tests: $lane"
		cat "$lanes_dir/${lane%% *}.log"
	done
	return "$status"
}

stage_dashboard() {
	ensure_built
	# scripts/demo.sh need not build again: this run did.
	(cd "$ROOT/tests/dashboard" && NEXUS_DEMO_SKIP_BUILD=1 \
		node --test --test-concurrency=1 --test-reporter=spec ./*.test.js)
}

stage_network() {
	ensure_built
	export_binaries
	(cd "$ROOT/zombienet" && npx --no-install zombienet test -p native local.zndsl &&
		node --test --test-concurrency=1 --test-reporter=spec ./*.test.mjs)
}

# ---- running them -------------------------------------------------------------------------------

# Runs `stage_$1` in a subshell with errexit in force, and sets `stage_status` to its exit
# status. Never call a stage as a condition (`if stage`, `stage ||`): bash then ignores errexit
# inside the function, and every command of the stage but the last could fail unnoticed.
stage_status=0
run_stage_body() {
	set +e
	(
		set -e
		"stage_$1"
	)
	stage_status=$?
	set -e
}

# Runs stage $1, timed; stops the run with its name when it fails.
run_stage() {
	local name="$1" t0
	t0=$(elapsed)
	say "stage $name ($t0 s in)"
	run_stage_body "$name"
	if [ "$stage_status" -ne 0 ]; then
		stop_lanes
		die "stage $name failed ($(elapsed) s in)"
	fi
	echo "$name $t0 $(elapsed) ${2:-}" >>"$timings"
}

# Lanes: stages run one after another in a background process group (so that stopping a lane
# stops the nodes its suites started), each lane's output in a log.
lane_pids=()
lane_names=()
start_lane() {
	local lane="$1"
	shift
	set -m
	(
		set +e
		for name in "$@"; do
			t0=$(elapsed)
			echo "[lane $lane] stage $name ($t0 s in)"
			run_stage_body "$name"
			if [ "$stage_status" -ne 0 ]; then
				echo "$name" >"$lanes_dir/$lane.failed"
				exit 1
			fi
			echo "$name $t0 $(elapsed) lane-$lane" >>"$timings"
		done
	) >"$lanes_dir/$lane.log" 2>&1 &
	lane_pids+=($!)
	lane_names+=("$lane")
	set +m
}

stop_lanes() {
	local pid
	for pid in "${lane_pids[@]:-}"; do
		[ -n "$pid" ] && kill -TERM -- "-$pid" 2>/dev/null || true
	done
}

# Fails the run when a lane has failed already.
check_lanes() {
	local f
	for f in "$lanes_dir"/*.failed; do
		[ -e "$f" ] || continue
		local lane
		lane="$(basename "$f" .failed)"
		cat "$lanes_dir/$lane.log" >&2
		stop_lanes
		die "stage $(cat "$f") failed (lane $lane, $(elapsed) s in)"
	done
}

wait_lanes() {
	local i status
	for i in "${!lane_pids[@]}"; do
		status=0
		wait "${lane_pids[$i]}" || status=$?
		say "lane ${lane_names[$i]}:"
		cat "$lanes_dir/${lane_names[$i]}.log"
		if [ "$status" -ne 0 ]; then
			stop_lanes
			die "stage $(cat "$lanes_dir/${lane_names[$i]}.failed" 2>/dev/null || echo "?") failed (lane ${lane_names[$i]}, $(elapsed) s in)"
		fi
	done
}

summary() {
	say "stage times (seconds from the start; stages in lanes ran beside the others):"
	sort -n -k2 "$timings" | awk '{ printf "  %-10s %6d s  (%d..%d) %s\n", $1, $3 - $2, $2, $3, $4 }' >&2
	say "all tests passed in $(elapsed) s"
}

nexus_setup
cd "$ROOT"

if [ "${#selected[@]}" -gt 0 ]; then
	for name in "${selected[@]}"; do
		run_stage "$name"
	done
	summary
	exit 0
fi

run_stage lint
run_stage build
export_binaries
export NEXUS_DEMO_SKIP_BUILD=1
# The suites wait on blocks; the CPU-bound stages run beside them at the lowest priority, so
# that the nodes the suites start get the CPU when they need it.
start_lane A e2e
start_lane B gateway
start_lane C network dashboard
NEXUS_NICE="nice -n 19"
for name in rust benches fuzz upgrade; do
	check_lanes
	run_stage "$name"
done
NEXUS_NICE=""
wait_lanes
summary
