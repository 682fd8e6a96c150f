#!/usr/bin/env bash
# Builds the release `nexus-node` binary (with the runtime's wasm inside), the `nexus` CLI,
# `nexus-gateway`, `nexus-mock-upstream` and `nexus-upgrade-check`, in one cargo invocation over
# the workspace (scripts/lib.sh: nexus_build). Extra arguments go to that cargo build.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
nexus_build "$@"
say "built $(nexus_node_bin), $(nexus_cli_bin), $(nexus_gateway_bin) and $(nexus_mock_upstream_bin)"
