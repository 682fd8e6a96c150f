#!/usr/bin/env bash
# Campaigns of the runtime fuzzer (fuzz/, libFuzzer from crates.io's libfuzzer-sys): arbitrary
# signed calls, gateway receipt batches and block-number and slot jumps against the real runtime
# from the development preset, with the invariants checked in tiers (see docs/security.md).
#
#   ./scripts/fuzz.sh                  # 10 minutes
#   ./scripts/fuzz.sh 14400            # four hours
#   ./scripts/fuzz.sh 600 -jobs=2      # libFuzzer options after the seconds
#   ./scripts/fuzz.sh --distill        # minimise the working corpus into fuzz/corpus (checked in)
#
# It builds the fuzzer instrumented (profile `fuzzing`: only the runtime's own code, see
# scripts/fuzz-rustc.sh), writes and checks the seed corpus, replays every input of
# fuzz/regressions (past findings: each must now pass) and of fuzz/corpus (the checked-in corpus,
# which the test suite replays on every run), then fuzzes for the given seconds from the working
# corpus in ~/.cache/nexus-vault/fuzz/corpus (it grows across runs), in fast mode, and prints
# executions, executions per second, coverage, corpus size and findings. Exits 1 on a finding;
# the input is saved in ~/.cache/nexus-vault/fuzz/artifacts.
# Replay one input:  NEXUS_FUZZ_TRACE=1 "$(nexus_fuzz_bin)" <file>   (NEXUS_FUZZ_FULL=1: full mode),
# or uninstrumented with the fuzz-replay binary (fuzz/src/bin/fuzz-replay.rs).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
distill=""
if [ "${1:-}" = --distill ]; then
	distill=1
	shift
fi
seconds="${1:-600}"
[ "$#" -gt 0 ] && shift
case "$seconds" in '' | *[!0-9]*) die "usage: scripts/fuzz.sh [seconds] [libFuzzer options] | --distill" ;; esac

nexus_setup
nexus_build_fuzz
bin="$(nexus_fuzz_bin)"
work="$NEXUS_CACHE/fuzz"
corpus="$work/corpus"
artifacts="$work/artifacts"
mkdir -p "$corpus" "$artifacts"

if [ -n "$distill" ]; then
	# The smallest set of inputs that keeps the coverage of the working corpus and the checked-in
	# one: what the test suite replays in full-check mode.
	fresh="$(mktemp -d)"
	say "distilling $corpus and fuzz/corpus into fuzz/corpus"
	"$bin" -merge=1 -max_len=4096 -timeout=120 -rss_limit_mb=8192 "$fresh" "$ROOT/fuzz/corpus" "$corpus" \
		>"$work/distill.log" 2>&1 || {
		tail -40 "$work/distill.log" >&2
		die "the merge failed: see $work/distill.log"
	}
	find "$ROOT/fuzz/corpus" -type f ! -name README.md -delete
	cp "$fresh"/* "$ROOT/fuzz/corpus/"
	rm -rf "$fresh"
	say "fuzz/corpus: $(find "$ROOT/fuzz/corpus" -type f ! -name README.md | wc -l) inputs, $(du -sh "$ROOT/fuzz/corpus" | cut -f1)"
	exit 0
fi

say "seed corpus (each seed is run once and must reach its steps and end state)"
NEXUS_FUZZ_WRITE_SEEDS="$corpus" "$bin"

for dir in regressions corpus; do
	inputs=()
	while IFS= read -r f; do inputs+=("$f"); done < <(find "$ROOT/fuzz/$dir" -type f ! -name README.md | sort)
	[ "${#inputs[@]}" -gt 0 ] || continue
	say "replaying ${#inputs[@]} inputs of fuzz/$dir"
	replay="$work/$dir.log"
	if ! "$bin" "${inputs[@]}" >"$replay" 2>&1; then
		tail -40 "$replay" >&2
		die "an input of fuzz/$dir fails: see $replay"
	fi
	[ "$dir" = corpus ] && cp -n "${inputs[@]}" "$corpus/"
done

say "fuzzing for $seconds s (corpus $corpus)"
before="$(find "$artifacts" -type f | wc -l)"
log="$work/last-${seconds}s.log" # kept per duration, so a short run does not overwrite a long one
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
# The corpus's typical input: the median of up to 64 of its inputs (evenly spaced in name order),
# each run 50 times in this build.
mapfile -t sample < <(find "$corpus" -type f | sort | awk -v n="$(find "$corpus" -type f | wc -l)" \
	'BEGIN { step = n > 64 ? n / 64 : 1 } NR % int(step) == 0' | head -64)
if [ "${#sample[@]}" -gt 0 ]; then
	per_input="$(for f in "${sample[@]}"; do
		"$bin" -runs=50 "$f" 2>&1 | sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p'
	done | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }')"
	if [ -n "$per_input" ] && [ "$per_input" -gt 0 ]; then
		echo "typical input:     $((50 * 1000 / per_input)) executions/s (the median of ${#sample[@]} corpus inputs, each run 50 times: $per_input ms)"
	fi
fi
if [ "$status" -ne 0 ] || [ "$after" -ne "$before" ]; then
	tail -40 "$log" >&2
	die "the fuzzer found a failing input (exit $status): see $log"
fi
