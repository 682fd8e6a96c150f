# Shared by the scripts: run setup once, load its environment, and small helpers.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEXUS_CACHE="${NEXUS_CACHE:-$HOME/.cache/nexus-vault}"

say() { printf '\033[1;34m[%s]\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; }
die() { printf '\033[1;31m[%s] error:\033[0m %s\n' "$(basename "$0" .sh)" "$*" >&2; exit 1; }

# Runs scripts/setup.sh (idempotent; fast when nothing is missing) and loads its environment.
nexus_setup() {
	"$ROOT/scripts/setup.sh"
	# shellcheck disable=SC1091
	. "$NEXUS_CACHE/env"
}

# The release node binary.
nexus_node_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus-node"
}

# The release `nexus` command-line client.
nexus_cli_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus"
}

# The gateway, the mock upstream, and the Python of the gateway tests' virtual environment.
nexus_gateway_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus-gateway"
}
nexus_mock_upstream_bin() {
	echo "$CARGO_TARGET_DIR/release/nexus-mock-upstream"
}
nexus_python() {
	echo "$NEXUS_CACHE/venv/bin/python"
}

# Builds the off-chain binaries in the same release profile: the `nexus` CLI (clients/rust, on
# subxt), `nexus-gateway` and `nexus-mock-upstream`.
nexus_build_cli() {
	say "building the nexus CLI, nexus-gateway and nexus-mock-upstream (release)"
	(cd "$ROOT" && cargo build --locked --release -p nexus-client -p nexus-gateway \
		-p nexus-mock-upstream "$@")
}

# Builds the dashboard (TypeScript type check, then Vite) into dashboard/dist; its npm
# dependencies are installed by nexus_setup.
nexus_build_dashboard() {
	say "building the dashboard (tsc + vite)"
	(cd "$ROOT/dashboard" && npm run --silent build >/dev/null)
}

# Builds the node (and with it the runtime's wasm) in the one release profile.
nexus_build_node() {
	say "building nexus-node (release; a first build takes about 25 minutes on 2 cores)"
	(cd "$ROOT" && cargo build --locked --release -p nexus-node "$@")
}
