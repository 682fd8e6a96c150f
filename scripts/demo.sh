#!/usr/bin/env bash
# Sets up, builds and starts a local Nexus Vault development chain (one validator, Alice, with
# sudo; well-known accounts endowed), prints its RPC endpoint and a polkadot.js apps link, and
# stops it cleanly on Ctrl-C. The chain is fresh every run (temporary database).
#
# Environment: NEXUS_RPC_PORT (default 9944), NEXUS_PROMETHEUS_PORT (default 9615).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RPC_PORT="${NEXUS_RPC_PORT:-9944}"
PROM_PORT="${NEXUS_PROMETHEUS_PORT:-9615}"

nexus_setup
nexus_build_node
nexus_build_cli
NODE="$(nexus_node_bin)"

LOG="$NEXUS_CACHE/demo-node.log"
say "starting nexus-node --dev (log: $LOG)"
"$NODE" --dev --tmp --rpc-port "$RPC_PORT" --prometheus-port "$PROM_PORT" \
	--listen-addr /ip4/127.0.0.1/tcp/30333 --no-mdns --no-telemetry \
	>"$LOG" 2>&1 &
NODE_PID=$!

stop() {
	trap - INT TERM EXIT
	if kill -0 "$NODE_PID" 2>/dev/null; then
		say "stopping the node"
		kill -INT "$NODE_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$NODE_PID" 2>/dev/null || true
	fi
	wait "$NODE_PID" 2>/dev/null || true
	say "stopped"
}
# Ctrl-C (or a TERM) is how the demo is meant to end: stop the node and exit 0. Any other exit
# (an error) stops the node too and keeps its status.
trap 'stop; exit 0' INT TERM
trap stop EXIT

rpc() {
	curl -s -m 2 -H 'content-type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$RPC_PORT"
}
for _ in $(seq 1 120); do
	kill -0 "$NODE_PID" 2>/dev/null || { tail -n 30 "$LOG"; die "the node exited"; }
	rpc system_health >/dev/null 2>&1 && break
	sleep 0.5
done
rpc system_health >/dev/null || die "the node's RPC did not come up; see $LOG"

cat <<MSG

  Nexus Vault development chain is running.

  RPC (WebSocket and HTTP): ws://127.0.0.1:$RPC_PORT
  polkadot.js apps:         https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$RPC_PORT#/explorer
  Prometheus metrics:       http://127.0.0.1:$PROM_PORT/metrics
  Node log:                 $LOG

  Accounts //Alice … //Ferdie hold 1,000,000 NXV each; //Alice is the sudo key.
  Command line: $(nexus_cli_bin) --url ws://127.0.0.1:$RPC_PORT capsule list
                (docs/cli.md; nexus_* RPC methods: docs/rpc.md)
  Press Ctrl-C to stop.

MSG

# Print one line per finalized block height change, until Ctrl-C.
last=""
while kill -0 "$NODE_PID" 2>/dev/null; do
	head="$(rpc chain_getFinalizedHead | sed -n 's/.*"result":"\(0x[0-9a-f]*\)".*/\1/p')"
	if [ -n "$head" ]; then
		num="$(curl -s -m 2 -H 'content-type: application/json' \
			-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"chain_getHeader\",\"params\":[\"$head\"]}" \
			"http://127.0.0.1:$RPC_PORT" | sed -n 's/.*"number":"\(0x[0-9a-f]*\)".*/\1/p')"
		if [ -n "$num" ] && [ "$num" != "$last" ]; then
			say "finalized block #$((num))"
			last="$num"
		fi
	fi
	sleep 6
done
die "the node exited; see $LOG"
