#!/usr/bin/env bash
# The runtime fuzzer (fuzz/, libFuzzer from crates.io's libfuzzer-sys): arbitrary signed calls,
# gateway receipt batches and block advances against the real runtime from the development
# preset, with every invariant checked after every block (see docs/security.md).
#
#   ./scripts/fuzz.sh                  # 10 minutes
#   ./scripts/fuzz.sh 14400            # four hours
#   ./scripts/fuzz.sh 600 -jobs=2      # libFuzzer options after the seconds
#
# It first writes and checks the seed corpus, then replays every input in fuzz/regressions
# (past findings: each must now pass), then fuzzes for the given seconds from the corpus kept in
# ~/.cache/nexus-vault/fuzz/corpus (it grows across runs) and prints executions, coverage and
# findings. Exits 1 on a finding; the input is saved in ~/.cache/nexus-vault/fuzz/artifacts.
# Replay one with its trace:  NEXUS_FUZZ_TRACE=1 "$(nexus_fuzz_bin)" <file>
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
seconds="${1:-600}"
[ "$#" -gt 0 ] && shift
case "$seconds" in '' | *[!0-9]*) die "usage: scripts/fuzz.sh [seconds] [libFuzzer options]" ;; esac

nexus_setup
nexus_build_fuzz
bin="$(nexus_fuzz_bin)"
work="$NEXUS_CACHE/fuzz"
corpus="$work/corpus"
artifacts="$work/artifacts"
mkdir -p "$corpus" "$artifacts"

say "seed corpus (each seed is run once and must reach its steps)"
NEXUS_FUZZ_WRITE_SEEDS="$corpus" "$bin"

regressions=("$ROOT"/fuzz/regressions/*)
if [ -e "${regressions[0]}" ]; then
	say "replaying ${#regressions[@]} regression inputs (fuzz/regressions)"
	replay="$work/regressions.log"
	if ! "$bin" "${regressions[@]}" >"$replay" 2>&1; then
		tail -40 "$replay" >&2
		die "a regression input fails again: see $replay"
	fi
	sed -n 's/^Executed /  passed: /p' "$replay"
fi

say "fuzzing for $seconds s (corpus $corpus)"
before="$(find "$artifacts" -type f | wc -l)"
log="$work/last-${seconds}s.log" # kept per duration, so the suite's short run does not overwrite a long one
set +e
"$bin" -max_total_time="$seconds" -print_final_stats=1 -max_len=4096 -timeout=120 \
	-rss_limit_mb=8192 -artifact_prefix="$artifacts/" "$@" "$corpus" >"$log" 2>&1
status=$?
set -e
after="$(find "$artifacts" -type f | wc -l)"
executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
per_second="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
added="$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)"
rss="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)"
coverage="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[^ ]+' "$log" | tail -1)"
echo "+ scripts/fuzz.sh $seconds $*"
echo "executions:        ${executions:-?} (${per_second:-?}/s) in $seconds s"
echo "coverage:          ${coverage:-?} (edges, features, corpus inputs/size)"
echo "new corpus inputs: ${added:-?}; peak RSS ${rss:-?} MB"
echo "findings:          $((after - before)) (artifacts in $artifacts)"
if [ "$status" -ne 0 ] || [ "$after" -ne "$before" ]; then
	tail -40 "$log" >&2
	die "the fuzzer found a failing input (exit $status): see $log"
fi
