#!/usr/bin/env bash
# Regenerates the `weights.rs` of our pallets from their FRAME benchmarks, run against the real
# runtime (development preset, compiled wasm) by `nexus-node benchmark pallet`.
#
#   scripts/bench-weights.sh                 # every custom pallet, 50 steps x 20 repeats
#   scripts/bench-weights.sh pallet_tiers    # one pallet
#   STEPS=2 REPEAT=1 scripts/bench-weights.sh  # a quick smoke run (weights not for committing)
#
# When pallet_metering is benchmarked, `pallet_balances::transfer_keep_alive` is benchmarked in
# the same run (to a scratch file) and scripts/settlement-cost.py prints the marginal costs of
# `submit_batch` (per receipt, per session, per capsule) next to it, and how many receipts a
# block holds.
#
# The weights take, for the base and for each component's slope, the larger of the least-squares
# and the median-slopes estimates (`--output-analysis max`): where a cost is not quite linear
# over a range (a batch's in-memory maps grow with it), least squares can meet a negative
# intercept, and FRAME then fits through the smallest sample and underestimates the largest
# calls; a weight must never be below what a call costs.
#
# Builds the node with `--features runtime-benchmarks` first (a separate feature set: the next
# plain build rebuilds the node and the runtime's wasm). Run it on the reference machine, idle.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup

STEPS="${STEPS:-50}"
REPEAT="${REPEAT:-20}"
declare -A CRATE_DIR=(
	[pallet_capsules]=pallets/capsules
	[pallet_tiers]=pallets/tiers
	[pallet_reward_pot]=pallets/reward-pot
	[pallet_fees]=pallets/fees
	[pallet_reserve]=pallets/reserve
	[pallet_buyback]=pallets/buyback
	[pallet_emissions]=pallets/emissions
	[pallet_metering]=pallets/metering
)
PALLETS=("$@")
[ ${#PALLETS[@]} -gt 0 ] ||
	PALLETS=(pallet_capsules pallet_tiers pallet_reward_pot pallet_fees pallet_reserve pallet_metering
		pallet_buyback pallet_emissions)

nexus_build_benchmarking_node
node_bin="$(nexus_node_bin)"
# bench <pallet> <extrinsic> <output file>
bench() {
	"$node_bin" benchmark pallet \
		--runtime "$CARGO_TARGET_DIR/release/wbuild/nexus-runtime/nexus_runtime.compact.compressed.wasm" \
		--genesis-builder runtime --genesis-builder-preset development \
		--pallet "$1" --extrinsic "$2" \
		--steps "$STEPS" --repeat "$REPEAT" \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--output-analysis max \
		--template "$ROOT/scripts/pallet-weight-template.hbs" \
		--header "$ROOT/scripts/weight-header.txt" \
		--output "$3"
}

for pallet in "${PALLETS[@]}"; do
	dir="${CRATE_DIR[$pallet]:-}"
	[ -n "$dir" ] || die "unknown pallet $pallet (known: ${!CRATE_DIR[*]})"
	say "benchmarking $pallet ($STEPS steps x $REPEAT repeats)"
	start=$(date +%s)
	bench "$pallet" '*' "$ROOT/$dir/src/weights.rs"
	say "$pallet done in $(($(date +%s) - start)) s -> $dir/src/weights.rs"
	if [ "$pallet" = pallet_metering ]; then
		scratch="$CARGO_TARGET_DIR/bench"
		mkdir -p "$scratch"
		say "benchmarking pallet_balances::transfer_keep_alive for comparison (same run)"
		bench pallet_balances transfer_keep_alive "$scratch/pallet_balances.rs"
		python3 "$ROOT/scripts/settlement-cost.py" \
			"$ROOT/$dir/src/weights.rs" "$scratch/pallet_balances.rs" |
			tee "$scratch/settlement-cost.txt"
	fi
done
