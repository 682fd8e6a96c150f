#!/usr/bin/env bash
# Builds the projection engine (engine-wasm: the nexus-economics crate behind a JSON protocol)
# for wasm32v1-none, the target the runtime's wasm is built for (scripts/setup.sh provides it),
# and puts it where the dashboard serves it: dashboard/public/engine.wasm.
#
#   ./scripts/build-engine.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
nexus_setup
nexus_build_engine
