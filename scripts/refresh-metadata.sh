#!/usr/bin/env bash
# Refreshes clients/rust/metadata/nexus.scale, the runtime metadata (v16) the Rust client's
# types are generated from, from the runtime inside the release node: it starts
# `nexus-node --dev --tmp`, calls `Metadata_metadata_at_version(16)` over RPC and saves the
# `RuntimeMetadataPrefixed` bytes (the answer without its Option tag and length prefix, as
# `subxt metadata` saves them).
#
# Run it after any runtime change that alters metadata (calls, events, storage, types, docs);
# `cargo test -p nexus-client` (test `metadata_matches_the_runtime`) and the end-to-end test
# `clients.test.js` fail until it is run. Pass --no-build to use the node as it is built.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
nexus_setup
[ "${1:-}" = "--no-build" ] || nexus_build
node_bin="$(nexus_node_bin)"
out="$ROOT/clients/rust/metadata/nexus.scale"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log="$(mktemp)"
"$node_bin" --dev --tmp --rpc-port "$port" --no-prometheus --no-telemetry >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
python3 - "$port" "$out" <<'PY'
import json, sys, time, urllib.request
port, out = sys.argv[1], sys.argv[2]
def call(method, params):
    req = urllib.request.Request(f"http://127.0.0.1:{port}", json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode(),
        {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))
deadline = time.time() + 60
while True:
    try:
        answer = call("state_call", ["Metadata_metadata_at_version", "0x10000000"])
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("the node did not answer within 60 s")
        time.sleep(0.5)
if "error" in answer:
    sys.exit(f"state_call failed: {answer['error']}")
raw = bytes.fromhex(answer["result"][2:])
assert raw[0] == 1, "the runtime has no v16 metadata"
# SCALE compact length: the low two bits say how it is encoded.
mode = raw[1] & 3
if mode == 0: length, start = raw[1] >> 2, 2
elif mode == 1: length, start = int.from_bytes(raw[1:3], "little") >> 2, 3
elif mode == 2: length, start = int.from_bytes(raw[1:5], "little") >> 2, 5
else:
    n = (raw[1] >> 2) + 4
    length, start = int.from_bytes(raw[2:2 + n], "little"), 2 + n
metadata = raw[start:start + length]
assert len(metadata) == length and metadata[:4] == b"meta", "not RuntimeMetadataPrefixed"
open(out, "wb").write(metadata)
print(f"wrote {out}: {length} bytes, metadata v{metadata[4]}")
PY
