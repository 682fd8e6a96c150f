#!/usr/bin/env bash
# Fails unless every polkadot-sdk crate in Cargo.lock (the one lock file of the workspace, the
# fuzzer included) has exactly the version that the umbrella crate `polkadot-sdk` 2609.2.0
# (release stable2609) pins, as listed in docs/polkadot-sdk-stable2609-versions.txt. Prints how
# many crates it checked in each.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIST="$ROOT/docs/polkadot-sdk-stable2609-versions.txt"
for LOCK in "$ROOT/Cargo.lock"; do
printf '%s: ' "${LOCK#"$ROOT"/}"
awk '
	FNR == NR { if ($0 !~ /^#/ && NF == 2) want[$1] = $2; next }
	/^name = / { gsub(/"/, "", $3); name = $3 }
	/^version = / {
		gsub(/"/, "", $3)
		if (name in want) {
			checked++
			if ($3 != want[name]) { printf "%s %s in Cargo.lock, %s in stable2609\n", name, $3, want[name]; bad++ }
		}
	}
	END {
		printf "checked %d polkadot-sdk crates against stable2609: %d mismatched\n", checked, bad
		if (checked < 50 || bad > 0) exit 1
	}
' "$LIST" "$LOCK"
done
