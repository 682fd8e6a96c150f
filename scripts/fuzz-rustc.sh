#!/bin/sh
# RUSTC_WRAPPER of the instrumented fuzzer build (scripts/fuzz.sh): adds libFuzzer's coverage
# instrumentation to the project's runtime code only: the runtime, its primitives and our
# pallets. Generic code is compiled where it is instantiated, so the SDK's pallets and FRAME's
# generic machinery, instantiated for the runtime, are instrumented with it; the non-generic code
# of every other crate (SCALE codec, trie, hashing and signature crates, the harness) runs
# uninstrumented, at full speed. Measured (docs/security.md): instrumenting every crate made an
# execution take about 4 times as long.
# The flags are those `cargo fuzz build -s none` sets, less the stack-depth tracing (measured: 7%
# of each execution, for a signal that deep call chains do not need here).
#
# Cargo passes `--target` only to crates compiled for the target (not build scripts or
# proc-macros), and `--crate-name` to every compilation.
rustc="$1"
shift
target=0
crate=""
prev=""
for arg in "$@"; do
	case "$prev" in
	--target) target=1 ;;
	--crate-name) crate="$arg" ;;
	esac
	prev="$arg"
done
if [ "$target" = 1 ]; then
	case "$crate" in
	nexus_runtime_fuzz) ;;
	nexus_* | pallet_buyback | pallet_capsules | pallet_emissions | pallet_fees | pallet_metering | \
		pallet_reserve | pallet_reward_pot | pallet_tiers)
		exec "$rustc" "$@" -Cpasses=sancov-module \
			-Cllvm-args=-sanitizer-coverage-level=4 \
			-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
			-Cllvm-args=-sanitizer-coverage-pc-table \
			-Cllvm-args=-sanitizer-coverage-trace-compares
		;;
	esac
fi
exec "$rustc" "$@"
