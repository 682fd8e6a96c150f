#!/usr/bin/env bash
# Throughput bench (zombienet/bench.mjs): on one fresh `nexus-node --dev`, in one run,
# sustained balance transfers per second (sTPS style: pre-funded distinct senders) and sustained
# usage receipts settled per second through `submit_batch` receipt batches (many receipts per
# session, and the worst case of one receipt per session); every item finalized and verified from
# events. Prints both, their ratio, block fullness and finality lag. Builds the node first.
# Arguments go to bench.mjs (--sessions, --per-group, --rounds, --worst-rounds). Results are
# recorded in docs/performance.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
nexus_build
export NEXUS_NODE
NEXUS_NODE="$(nexus_node_bin)"
cd "$ROOT/zombienet"
echo "+ scripts/bench-throughput.sh $*"
exec node bench.mjs "$@"
