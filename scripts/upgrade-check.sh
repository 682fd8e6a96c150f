#!/usr/bin/env bash
# Rehearses a runtime upgrade to this checkout's runtime on a real chain's state, with
# nexus-upgrade-check (tools/upgrade-check; try-runtime checks: every migration's pre/post-upgrade
# hooks and storage versions, every pallet's try_state, the runtime's invariants, a decode of the
# whole state, weight, idempotency). The runtime is built with the `try-runtime` feature.
#
#   ./scripts/upgrade-check.sh --uri ws://127.0.0.1:9944 [tool options]   # snapshot a running chain, then check
#   ./scripts/upgrade-check.sh --snapshot FILE [tool options]             # a snapshot taken earlier
#   ./scripts/upgrade-check.sh --dev                                      # a throwaway --dev chain (the test suite's step)
#
# `--dev` starts `nexus-node --dev` on free loopback ports, gives it some state (a seeker's
# escrow and session, a tier stake, on top of the preset's capsules, gateway and pool), snapshots
# it once that is finalized, and checks with --allow-same-spec-version (the chain runs this very
# runtime). For a real upgrade, the new runtime's spec_version must be higher than the chain's.
# Tool options (e.g. --allow-same-spec-version, --checks pre-and-post) follow the source.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "$#" -ge 1 ] || die "usage: scripts/upgrade-check.sh --dev | --uri WS [options] | --snapshot FILE [options]"
mode="$1"
shift

nexus_setup
# scripts/test.sh builds both before its upgrade stage.
if [ -z "${NEXUS_UPGRADE_CHECK_BUILT:-}" ]; then
	nexus_build
	nexus_build_try_runtime
fi
check="$CARGO_TARGET_DIR/release/nexus-upgrade-check"
wasm="$(nexus_try_runtime_wasm)"
[ -f "$wasm" ] || die "no try-runtime wasm at $wasm"
work="$NEXUS_CACHE/upgrade-check"
mkdir -p "$work"

case "$mode" in
--uri)
	[ "$#" -ge 1 ] || die "--uri needs the node's ws:// address"
	uri="$1"
	shift
	snap="$work/chain.snap"
	say "snapshot of $uri"
	"$check" snapshot --uri "$uri" --out "$snap"
	echo "+ nexus-upgrade-check on-runtime-upgrade --runtime $wasm --snapshot $snap $*"
	"$check" on-runtime-upgrade --runtime "$wasm" --snapshot "$snap" "$@"
	;;
--snapshot)
	[ "$#" -ge 1 ] || die "--snapshot needs a file"
	snap="$1"
	shift
	echo "+ nexus-upgrade-check on-runtime-upgrade --runtime $wasm --snapshot $snap $*"
	"$check" on-runtime-upgrade --runtime "$wasm" --snapshot "$snap" "$@"
	;;
--dev)
	node_bin="$(nexus_node_bin)"
	cli="$(nexus_cli_bin)"
	port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	p2p="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
	dir="$(mktemp -d)"
	"$node_bin" --dev --tmp --rpc-port "$port" --listen-addr "/ip4/127.0.0.1/tcp/$p2p" \
		--no-prometheus --no-telemetry --no-mdns >"$dir/node.log" 2>&1 &
	node_pid=$!
	trap 'kill "$node_pid" 2>/dev/null; wait "$node_pid" 2>/dev/null; rm -rf "$dir"' EXIT
	uri="ws://127.0.0.1:$port"
	rpc() {
		curl -sf -H 'content-type: application/json' \
			-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\",\"params\":[]}" "http://127.0.0.1:$port"
	}
	for _ in $(seq 1 90); do
		rpc system_health >/dev/null 2>&1 && break
		sleep 1
	done
	rpc system_health >/dev/null || die "the --dev node did not start (log: $dir/node.log)"
	say "giving the development chain some state (escrow, a session, a tier stake)"
	export NEXUS_URL="$uri"
	NEXUS_SURI=//Eve "$cli" escrow deposit 50USDN --asset USDN >/dev/null &
	eve=$!
	NEXUS_SURI=//Ferdie "$cli" tier stake 2000NXV >/dev/null
	wait "$eve"
	NEXUS_SURI=//Eve "$cli" session open --gateway 0 --asset USDN --cap 20USDN --blocks 600 >/dev/null
	# The snapshot is taken at the finalized head: wait until it holds all of that.
	best="$(rpc chain_getHeader | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["number"], 16))')"
	for _ in $(seq 1 60); do
		fin="$(rpc chain_getFinalizedHead | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')"
		n="$(curl -sf -H 'content-type: application/json' \
			-d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getHeader\",\"params\":[\"$fin\"]}" \
			"http://127.0.0.1:$port" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["result"]["number"], 16))')"
		[ "$n" -ge "$best" ] && break
		sleep 2
	done
	[ "$n" -ge "$best" ] || die "block #$best was not finalized"
	snap="$work/dev.snap"
	say "snapshot of the development chain (its finalized head)"
	"$check" snapshot --uri "$uri" --out "$snap"
	echo "+ nexus-upgrade-check on-runtime-upgrade --runtime $wasm --snapshot $snap --allow-same-spec-version $*"
	"$check" on-runtime-upgrade --runtime "$wasm" --snapshot "$snap" --allow-same-spec-version "$@"
	# The checks can fail: the node's own runtime (built without try-runtime) and the same
	# version without --allow-same-spec-version are refused, by name.
	node_wasm="$CARGO_TARGET_DIR/release/wbuild/nexus-runtime/nexus_runtime.compact.compressed.wasm"
	if out="$("$check" on-runtime-upgrade --runtime "$node_wasm" --snapshot "$snap" --allow-same-spec-version 2>&1)" ||
		! grep -q "no TryRuntime API" <<<"$out"; then
		die "a runtime without try-runtime was not refused: $out"
	fi
	if out="$("$check" on-runtime-upgrade --runtime "$wasm" --snapshot "$snap" 2>&1)" ||
		! grep -q "does not increase" <<<"$out"; then
		die "the same spec_version was not refused: $out"
	fi
	say "refused as expected: a runtime without try-runtime, and one whose spec_version does not increase"
	;;
*)
	die "unknown source $mode: use --dev, --uri WS or --snapshot FILE"
	;;
esac
