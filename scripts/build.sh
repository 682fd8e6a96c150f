#!/usr/bin/env bash
# Builds the release `nexus-node` binary (with the runtime's wasm inside).
# Extra arguments go to cargo, e.g. `scripts/build.sh --features runtime-benchmarks`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
nexus_build_node "$@"
say "built $(nexus_node_bin)"
