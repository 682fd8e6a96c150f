#!/bin/sh
# RUSTC_WORKSPACE_WRAPPER for every build of the scripts (set in the environment file that
# scripts/setup.sh writes): cargo runs each workspace crate's compiler through this, so clippy
# lints the project's crates while they are compiled for the build and the tests, instead of in a
# second pass that would compile every dependency again (in check mode). Dependencies are not
# wrapped. Lint levels come from CLIPPY_ARGS (`-D warnings`, also in the environment file) and
# the workspace's [lints] tables.
#
# The runtime's wasm build (substrate-wasm-builder runs its own cargo, which inherits this
# wrapper) is compiled without clippy: its toolchain may be another than the linting one, and
# the same code is linted natively.
rustc="$1"
shift
for arg in "$@"; do
	case "$arg" in
	wasm32*) exec "$rustc" "$@" ;;
	esac
done
exec clippy-driver "$rustc" "$@"
