"""Rehearsal of the metering storage-v2 upgrade on a running network whose gateway holds
pending receipts: a dev chain on the spec-101 runtime (the previous release's node binary),
the new gateway under load, version-1 state on chain (receipts posted with submit_receipts, one
v1 dispute open); then upgrade-check --uri (try-runtime on a snapshot), the upgrade enacted with
sudo.setCode under load, the gateway's receipts all settled once across it, the v1 ids drained
by on_idle, the v1 dispute ruled.

    # a node binary of the previous release (spec 101: `git worktree add /tmp/prev 9eb0128`,
    # then `scripts/build.sh` there), this checkout built (scripts/build.sh) with its
    # try-runtime wasm (scripts/test.sh upgrade builds it):
    NEXUS_NODE=/tmp/prev-target/release/nexus-node \
        ~/.cache/nexus-vault/venv/bin/python tests/upgrade/rehearse_metering_v2.py

Run of 2026-12-05: docs/security.md ("Upgrade checks").
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(MAIN, "tests", "gateway"))
from harness import Network  # noqa: E402
import test_faults  # noqa: E402

E2E = f"{MAIN}/tests/e2e"
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/nexus-vault/target"))


def node_script(name, *args):
    """Runs a rehearsal JS script from tests/e2e (for its node_modules)."""
    src = os.path.join(HERE, name)
    dst = f"{E2E}/.rehearsal-{name}"
    with open(src) as f, open(dst, "w") as g:
        g.write(f.read())
    try:
        res = subprocess.run(["node", dst, *args], capture_output=True, text=True, timeout=600)
    finally:
        os.remove(dst)
    print(res.stdout)
    if res.returncode != 0:
        raise RuntimeError(f"{name}: {res.stderr}")
    return res.stdout


def main():
    net = Network(persistent_node=True)
    load = None
    try:
        print("node", net.rpc("state_getRuntimeVersion")["specVersion"])
        session, key = test_faults.setup(net)
        load = test_faults.Load(net, key, threads=4, pause=0.05)
        load.wait_for(100)
        v1 = json.loads(node_script("v1-state.mjs", net.url).strip().splitlines()[-1])
        print("v1 state", v1)
        time.sleep(12)  # the v1 state finalized before the snapshot
        check = subprocess.run(
            [f"{MAIN}/scripts/upgrade-check.sh", "--uri", net.url],
            capture_output=True, text=True, env={**os.environ, "NEXUS_UPGRADE_CHECK_BUILT": "1"},
            timeout=900,
        )
        print(check.stdout[-6000:])
        print(check.stderr[-3000:])
        if check.returncode != 0:
            raise RuntimeError("upgrade-check failed")
        pending_before = net.health()["receipts"]
        wasm = f"{TARGET}/release/wbuild/nexus-runtime/nexus_runtime.compact.compressed.wasm"
        out = node_script("upgrade.mjs", net.url, wasm, v1["disputed"])
        print("gateway receipts at the upgrade", pending_before)
        load.wait_for(load.served() + 200, timeout=300)
        load.stop()
        net.wait_settled(timeout=300)
        receipts = net.receipts(session)
        served = [r for r in receipts if r["outcome"] == "served"]
        assert all(r["state"] == "settled" for r in served), "a served receipt not settled"
        assert [r["seq"] for r in receipts] == list(range(1, len(receipts) + 1)), "gaps"
        ids = {r["id"] for r in served}
        missing = [c for c, _, _ in load.ok if "0x" + c.removeprefix("chatcmpl-") not in ids]
        assert missing == [], "answered without a settled receipt"
        chain = net.cli(None, "session", "show", str(session))
        assert int(chain["spent"]) == sum(int(r["net"]) for r in served), "spend != sum"
        flows = sum(f["receipts"] for f in net.rpc("nexus_flows", None))
        # The flows count the gateway's receipts and the 384 version-1 receipts of gateway 1.
        assert flows == len(served) + v1["v1Settled"], (flows, len(served), v1["v1Settled"])
        after = [r for r in served if r["seq"] > len(served) * 2 // 3]
        for r in after[:: max(1, len(after) // 10)]:
            leaf = net.cli(None, "receipt", "--gateway", net.gw, "--api-key", key, "--seq", str(r["seq"]))
            assert (leaf["verdict"], leaf["verified"], leaf["charge"]) == ("settled", True, r["net"]), leaf
        print(f"across the upgrade: {len(load.ok)} answered, {len(served)} settled once each; "
              f"gateway {net.health()['receipts']}")
        print("gateway log tail:\n", net.gateway.log_tail(15))
    except Exception:
        print("gateway log tail:\n", net.gateway.log_tail(80) if net.gateway else "")
        print("health", net.health())
        raise
    finally:
        if load:
            load.stop()
        net.close()


if __name__ == "__main__":
    main()
