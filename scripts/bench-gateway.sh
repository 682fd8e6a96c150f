#!/usr/bin/env bash
# Gateway benchmark: builds the node and the off-chain binaries (release), then runs
# tests/gateway/bench.py against a dev node, nexus-gateway and nexus-mock-upstream: the latency
# the gateway adds (p50, p99) over calling the upstream directly in the same run, requests per
# second with every receipt committed before its response, and the settlement rate. Arguments
# go to bench.py (--requests, --threads, --seconds, --upstream-latency-ms).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
nexus_build
cd "$ROOT/tests/gateway"
exec "$(nexus_python)" bench.py "$@"
