#!/usr/bin/env bash
# Installs what building and testing Nexus Vault needs, idempotently (safe to run any number of
# times), and writes the environment file that the other scripts source:
#   $NEXUS_CACHE/env   (NEXUS_CACHE defaults to ~/.cache/nexus-vault)
#
# 1. Debian packages: protobuf-compiler, clang/libclang (bindgen), g++ (libFuzzer, for the
#    runtime fuzzer), libssl-dev + pkg-config
#    (system OpenSSL instead of a vendored build), Node.js/npm for the client tests, Python,
#    Chromium (dashboard tests), hey and wrk (the HTTP load of the gateway benchmark).
# 1b. clippy (rustup component), which lints the workspace while it compiles.
# 2. A Rust toolchain able to build the runtime for `wasm32v1-none`:
#    - if `rustup target add wasm32v1-none` works, the default toolchain is used;
#    - otherwise a private toolchain `nexus-wasm` is made from Debian's rustc-web and
#      rust-web-src: a sysroot holding core/alloc/compiler_builtins built for wasm32v1-none
#      (with embedded bitcode, which the runtime's LTO needs), linked into rustup.
# 3. npm dependencies (npm ci from each package-lock.json): the end-to-end tests, the dashboard
#    and its browser tests, zombienet (networks, throughput bench, fault tests).
# 4. A Python virtual environment ($NEXUS_CACHE/venv) with the gateway tests' dependencies (the
#    official `openai` and `anthropic` clients, pinned in tests/gateway/requirements.txt).
#
# Set NEXUS_WASM_TOOLCHAIN=private to force (2b), e.g. to test it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NEXUS_CACHE="${NEXUS_CACHE:-$HOME/.cache/nexus-vault}"
ENV_FILE="$NEXUS_CACHE/env"
mkdir -p "$NEXUS_CACHE"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

# --- 1. system packages -----------------------------------------------------------------------
APT_PACKAGES=(protobuf-compiler clang libclang-dev g++ libssl-dev pkg-config curl nodejs npm python3 python3-venv chromium hey wrk)
PRIVATE_WASM_PACKAGES=(rustc-web cargo-web rust-web-src lld-22)

missing_packages() {
	local p out=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
	done
	echo "${out[@]:-}"
}

apt_install() {
	local missing
	missing="$(missing_packages "$@")"
	[ -z "$missing" ] && return 0
	# Node.js may come from elsewhere than Debian (e.g. nodesource, nvm): accept it when present.
	if command -v node >/dev/null && command -v npm >/dev/null; then
		missing="$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ' || true)"
		missing="${missing% }"
		[ -z "$missing" ] && return 0
	fi
	command -v apt-get >/dev/null ||
		die "missing packages ($missing) and no apt-get to install them: install them by hand"
	local sudo=""
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "installing $missing needs root (or sudo)"
		sudo="sudo"
	fi
	say "installing: $missing"
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
}

apt_install "${APT_PACKAGES[@]}"
command -v protoc >/dev/null || die "protoc not found after install"
command -v node >/dev/null || die "node not found (Node.js >= 18 is needed for the client tests)"

# --- 2. the wasm toolchain --------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs)"
command -v rustup >/dev/null || die "rustup not found: the wasm toolchain is managed through rustup"

WASM_TOOLCHAIN=""
if [ "${NEXUS_WASM_TOOLCHAIN:-}" != private ] &&
	rustup target add wasm32v1-none >/dev/null 2>&1 &&
	rustup target list --installed | grep -qx wasm32v1-none; then
	say "wasm: using the default toolchain's wasm32v1-none target"
else
	say "wasm: using a private wasm32v1-none sysroot built from Debian's rustc-web (rustup could not add the target, or NEXUS_WASM_TOOLCHAIN=private)"
	apt_install "${PRIVATE_WASM_PACKAGES[@]}"
	T="$NEXUS_CACHE/wasm-toolchain"
	LIBDIR="$T/lib/rustlib/wasm32v1-none/lib"
	STAMP="$T/.built-with-$(/usr/bin/rustc --version | tr -c 'a-zA-Z0-9.\n' '_')"
	if [ ! -f "$STAMP" ]; then
		rm -rf "$T"
		mkdir -p "$T/bin" "$LIBDIR"
		ln -sf /usr/bin/cargo "$T/bin/cargo"
		printf '#!/bin/sh\nexec /usr/bin/rustc --sysroot %s "$@"\n' "$T" >"$T/bin/rustc"
		chmod +x "$T/bin/rustc"
		for d in x86_64-unknown-linux-gnu src etc; do
			ln -sfn "/usr/lib/rustlib/$d" "$T/lib/rustlib/$d"
		done
		# A tiny no_std crate whose build produces core, alloc and compiler_builtins rlibs.
		B="$(mktemp -d)"
		mkdir -p "$B/src"
		cat >"$B/Cargo.toml" <<-'EOF'
			[package]
			name = "sysroot-seed"
			version = "0.0.0"
			edition = "2021"
			[lib]
			crate-type = ["rlib"]
			[profile.release]
			opt-level = 3
			panic = "abort"
		EOF
		printf '#![no_std]\nextern crate alloc;\npub fn f() -> alloc::vec::Vec<u8> { alloc::vec::Vec::new() }\n' >"$B/src/lib.rs"
		# embed-bitcode: the runtime's wasm release profile uses LTO.
		(cd "$B" && RUSTFLAGS="-C embed-bitcode=yes" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
			CARGO_TARGET_DIR="$B/target" /usr/bin/cargo build -q --release \
			--target wasm32v1-none -Zbuild-std=core,alloc)
		cp "$B"/target/wasm32v1-none/release/deps/lib{core,alloc,compiler_builtins}-*.rlib "$LIBDIR/"
		rm -rf "$B"
		# Wasm built against the old sysroot must not be reused.
		rm -rf "${CARGO_TARGET_DIR:-$NEXUS_CACHE/target}"/*/wbuild
		touch "$STAMP"
	fi
	rustup toolchain link nexus-wasm "$T" >/dev/null
	WASM_TOOLCHAIN=nexus-wasm
fi

# clippy, which lints the workspace's crates while they compile (scripts/lint-rustc.sh).
if ! command -v clippy-driver >/dev/null || ! clippy-driver --version >/dev/null 2>&1; then
	say "installing clippy (rustup component add clippy)"
	rustup component add clippy >/dev/null || die "clippy is needed: rustup component add clippy"
fi

# --- environment for the other scripts --------------------------------------------------------
tmp="$(mktemp)"
{
	echo "# Written by scripts/setup.sh; sourced by the build and test scripts."
	echo "export CARGO_TARGET_DIR=\"\${CARGO_TARGET_DIR:-$NEXUS_CACHE/target}\""
	echo "export OPENSSL_NO_VENDOR=1"
	echo "export PROTOC=\"$(command -v protoc)\""
	# Every build lints the workspace's crates as it compiles them, with warnings denied; the
	# same settings everywhere (build, demo, tests), so that no script rebuilds another's crates.
	echo "export RUSTC_WORKSPACE_WRAPPER=\"$ROOT/scripts/lint-rustc.sh\""
	echo "export CLIPPY_ARGS=\"-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__\""
	if [ -n "$WASM_TOOLCHAIN" ]; then
		echo "export WASM_BUILD_TOOLCHAIN=$WASM_TOOLCHAIN"
	else
		echo "unset WASM_BUILD_TOOLCHAIN"
	fi
} >"$tmp"
mv "$tmp" "$ENV_FILE"
say "environment written to $ENV_FILE"

# --- 3. npm dependencies: end-to-end tests, the dashboard, its browser tests, zombienet, and the
#        coding agents the gateway is tested with (Claude Code, Codex CLI) ----------------------
for dir in tests/e2e dashboard tests/dashboard zombienet tests/agents; do
	lock="$ROOT/$dir/package-lock.json"
	[ -f "$lock" ] || continue
	lock_sum="$(sha256sum "$lock" | cut -d' ' -f1)"
	if [ ! -f "$ROOT/$dir/node_modules/.nexus-lock-$lock_sum" ]; then
		say "installing npm dependencies of $dir (npm ci)"
		(cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
		touch "$ROOT/$dir/node_modules/.nexus-lock-$lock_sum"
	fi
done

# --- 4. Python dependencies of the gateway tests ----------------------------------------------
VENV="$NEXUS_CACHE/venv"
REQUIREMENTS="$ROOT/tests/gateway/requirements.txt"
if [ -f "$REQUIREMENTS" ]; then
	req_sum="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
	if [ ! -f "$VENV/.nexus-req-$req_sum" ]; then
		[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV" ||
			die "cannot create a Python virtual environment (install python3-venv)"
		say "installing gateway test dependencies (pip, into $VENV)"
		"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
		rm -f "$VENV"/.nexus-req-*
		touch "$VENV/.nexus-req-$req_sum"
	fi
fi
say "done"
