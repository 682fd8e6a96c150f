#!/usr/bin/env bash
# Builds the release `nexus-node` binary (with the runtime's wasm inside), the `nexus` CLI,
# `nexus-gateway`, `nexus-mock-upstream` and `nexus-upgrade-check`.
# Extra arguments go to the node's cargo build, e.g. `scripts/build.sh --features runtime-benchmarks`.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
nexus_build_node "$@"
nexus_build_cli
say "built $(nexus_node_bin), $(nexus_cli_bin), $(nexus_gateway_bin) and $(nexus_mock_upstream_bin)"
