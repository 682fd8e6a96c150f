#!/usr/bin/env bash
# Runs a local multi-validator network with zombienet (native provider) until Ctrl-C:
#   ./scripts/net.sh local    # four validators of the local_testnet preset (zombienet/local.toml)
#   ./scripts/net.sh market   # the same validators with the demo capsules and gateway 0 in
#                             # genesis (zombienet/market.toml), plus the mock upstreams,
#                             # nexus-gateway (:8080), a tier-3 seeker and its traffic
# Builds what it needs first. Alice's RPC is ws://127.0.0.1:9944 and her metrics
# http://127.0.0.1:9615/metrics; the other nodes' ports, and every log, are printed and written
# to ~/.cache/nexus-vault/net-<name>/network.json. Further arguments go to zombienet/net.mjs
# (--dir, --rpc-port, --prometheus-port, --gateway-port, --no-traffic). See docs/operations.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
nexus_build
export NEXUS_NODE NEXUS_CLI NEXUS_GATEWAY NEXUS_MOCK_UPSTREAM
NEXUS_NODE="$(nexus_node_bin)"
NEXUS_CLI="$(nexus_cli_bin)"
NEXUS_GATEWAY="$(nexus_gateway_bin)"
NEXUS_MOCK_UPSTREAM="$(nexus_mock_upstream_bin)"
cd "$ROOT/zombienet"
exec node net.mjs "$@"
