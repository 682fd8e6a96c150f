#!/usr/bin/env bash
# The whole Nexus Vault market on one machine: a development chain (`nexus-node --dev`, fresh
# every run), a mock upstream for each demo capsule, `nexus-gateway`, three seekers in different
# tiers sending steady traffic through the gateway with the `openai` client, and the dashboard.
# Builds what is missing first (showing progress), prints the URLs and a progress line every
# ten seconds, and stops everything on Ctrl-C.
#
# Ports (loopback only): node RPC 9944 (NEXUS_RPC_PORT), node metrics 9615
# (NEXUS_PROMETHEUS_PORT), gateway 8080 (NEXUS_GATEWAY_PORT), dashboard 8090
# (NEXUS_DASHBOARD_PORT), mock upstreams 9101-9104 (fixed: the demo capsules commit to them).
# Logs and ready.json go to NEXUS_DEMO_DIR (default ~/.cache/nexus-vault/demo).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RPC_PORT="${NEXUS_RPC_PORT:-9944}"
PROM_PORT="${NEXUS_PROMETHEUS_PORT:-9615}"
GW_PORT="${NEXUS_GATEWAY_PORT:-8080}"
DASH_PORT="${NEXUS_DASHBOARD_PORT:-8090}"
DEMO_DIR="${NEXUS_DEMO_DIR:-$NEXUS_CACHE/demo}"

nexus_setup
# scripts/test.sh has built everything before its dashboard stage (NEXUS_DEMO_SKIP_BUILD=1).
if [ -z "${NEXUS_DEMO_SKIP_BUILD:-}" ]; then
	nexus_build
	nexus_build_dashboard
fi

for port in "$RPC_PORT" "$PROM_PORT" "$GW_PORT" "$DASH_PORT" 9101 9102 9103 9104; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "port $port is in use (another demo still running?); free it or set the NEXUS_*_PORT variables"
	fi
done

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
# The Python orchestrator owns every process it starts and stops them all on SIGINT/SIGTERM.
exec "$(nexus_python)" "$ROOT/scripts/demo-market.py" --workdir "$DEMO_DIR" \
	--rpc-port "$RPC_PORT" --prometheus-port "$PROM_PORT" \
	--gateway-port "$GW_PORT" --dashboard-port "$DASH_PORT"
