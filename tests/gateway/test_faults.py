"""Faults under load: the gateway killed with SIGKILL mid-load and restarted; the node stopped
for a while under load and restarted. In both, every request the gateway served settles on
chain exactly once, and nothing else does.

The test suite runs them at a light load (4 clients). At rate, as docs/performance.md records
them:

    NEXUS_FAULT_CLIENTS=16 NEXUS_FAULT_BEFORE=10000 NEXUS_FAULT_OUTAGE=60 \
        python -m unittest test_faults        # in tests/gateway, after scripts/build.sh

`NEXUS_FAULT_CLIENTS` clients without pauses, the kill after `NEXUS_FAULT_BEFORE` answered
requests, the node down for `NEXUS_FAULT_OUTAGE` seconds of load.
"""

import os
import threading
import time
import unittest

import openai

from harness import Network, wait_until


# Light by default (the test suite's run); at rate when the environment says so.
CLIENTS = int(os.environ.get("NEXUS_FAULT_CLIENTS", "4"))
BEFORE = int(os.environ.get("NEXUS_FAULT_BEFORE", "40"))
OUTAGE = int(os.environ.get("NEXUS_FAULT_OUTAGE", "0"))
PAUSE = 0.1 if CLIENTS <= 4 else 0.0


class Load:
    """`threads` clients sending completions in a loop until stopped."""

    def __init__(self, net, key, threads=CLIENTS, pause=PAUSE):
        self.ok, self.errors, self.pause = [], [], pause
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.client = openai.OpenAI(
            base_url=f"{net.gw}/v1", api_key=key, max_retries=0, timeout=15
        )
        self.threads = [
            threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)
        ]
        for t in self.threads:
            t.start()

    def run(self, i):
        n = 0
        while not self.stopped.is_set():
            n += 1
            try:
                r = self.client.chat.completions.create(
                    model="claude-sonnet",
                    messages=[{"role": "user", "content": f"worker {i} request {n}"}],
                )
                with self.lock:
                    self.ok.append((r.id, r.usage.prompt_tokens, r.usage.completion_tokens))
                time.sleep(self.pause)
            except Exception as e:  # noqa: BLE001 - refused or cut off: counted, not fatal
                with self.lock:
                    self.errors.append(type(e).__name__)
                time.sleep(0.2)

    def served(self):
        with self.lock:
            return len(self.ok)

    def wait_for(self, n, timeout=max(180, BEFORE // 20)):
        wait_until(f"{n} served requests", lambda: self.served() >= n, timeout=timeout)

    def stop(self):
        self.stopped.set()
        for t in self.threads:
            t.join()


def setup(net):
    good = net.start_mock("good", "sk-good", latency_ms=20)
    net.start_gateway()
    net.provider_capsule("//Bob", "claude-sonnet", good, "sk-good", 1800, 9000)
    # Enterprise tier: the load stays far below its rate limit (Basic's would refuse it).
    net.cli("//Eve", "tier", "stake", "250000NXV")
    return net.seeker_session("//Eve", 100)


class FaultMixin:
    def assert_settled_exactly_once(self, net, session, key, load):
        net.wait_settled(timeout=300)
        receipts = net.receipts(session)
        served = [r for r in receipts if r["outcome"] == "served"]
        # Every receipt the gateway persisted was ruled on, and charged: nothing refused
        # (no duplicate, no sequence reuse, no cap overrun), nothing left pending.
        self.assertTrue(all(r["state"] == "settled" for r in served), receipts)
        # Sequence numbers stayed dense across the crash: none reused, none skipped.
        self.assertEqual([r["seq"] for r in receipts], list(range(1, len(receipts) + 1)))
        # Every completion a client received is one of them.
        ids = {r["id"] for r in served}
        missing = [c for c, _, _ in load.ok if "0x" + c.removeprefix("chatcmpl-") not in ids]
        self.assertEqual(missing, [], "answered requests without a settled receipt")
        self.assertNotIn("RateLimitError", load.errors)
        # The chain charged exactly those, once: the session's spend is their sum, the flows
        # count them once, and each is a charge on chain.
        chain = net.cli(None, "session", "show", str(session))
        self.assertEqual(int(chain["spent"]), sum(int(r["net"]) for r in served))
        flows = net.rpc("nexus_flows", None)
        self.assertEqual(sum(f["receipts"] for f in flows), len(served))
        # Each is a leaf of a batch the chain committed to, charged what the gateway recorded.
        for r in served[:: max(1, len(served) // 25)]:
            leaf = net.cli(None, "receipt", "--gateway", net.gw, "--api-key", key,
                           "--seq", str(r["seq"]))
            self.assertEqual((leaf["verdict"], leaf["verified"]), ("settled", True))
            self.assertEqual(leaf["charge"], r["net"])
        return served


class GatewayKilled(FaultMixin, unittest.TestCase):
    def test_kill_9_mid_load_loses_and_doubles_nothing(self):
        net, load = Network(), None
        try:
            session, key = setup(net)
            load = Load(net, key)
            load.wait_for(BEFORE)
            net.gateway.kill9()
            at_kill = load.served()
            time.sleep(2)
            net.start_gateway()
            load.wait_for(at_kill + 40)
            load.stop()
            served = self.assert_settled_exactly_once(net, session, key, load)
            # Some requests were cut off by the kill; whatever the gateway had persisted of them
            # was charged (the upstream served it), and the clients saw the rest as errors.
            self.assertGreaterEqual(len(served), len(load.ok))
            self.assertIn(
                "APIConnectionError", load.errors, "the kill cut nothing off: it proved nothing"
            )
            print(
                f"\nkill -9: {len(load.ok)} answered, {len(load.errors)} cut off or refused, "
                f"{len(served)} settled once each"
            )
        finally:
            if load:
                load.stop()
            net.close()


class NodeStopped(FaultMixin, unittest.TestCase):
    def test_node_outage_under_load_loses_and_doubles_nothing(self):
        net, load = Network(persistent_node=True), None
        try:
            session, key = setup(net)
            load = Load(net, key)
            load.wait_for(min(BEFORE, 30) if not OUTAGE else BEFORE)
            wait_until("a first settled batch", lambda: net.health()["receipts"].get("settled", 0) > 0, timeout=120)
            net.node.stop()
            stopped_at = time.monotonic()
            at_stop = load.served()
            # The gateway keeps serving from the chain state it has, metering into its store.
            load.wait_for(at_stop + 30, timeout=60)
            # The gateway notices (no best block for 30 s) and keeps serving.
            wait_until("the gateway to see the node gone", lambda: not net.health()["chain"]["connected"], timeout=90)
            served_blind = load.served()
            load.wait_for(served_blind + 10, timeout=60)
            # At rate: the node stays down for OUTAGE seconds of load.
            time.sleep(max(0.0, OUTAGE - (time.monotonic() - stopped_at)))
            pending = net.health()["receipts"]["pending"]
            self.assertGreater(pending, 0)
            down = time.monotonic() - stopped_at
            net.start_node()
            load.wait_for(load.served() + 20)
            load.stop()
            served = self.assert_settled_exactly_once(net, session, key, load)
            print(
                f"\nnode outage ({down:.0f} s until the restart, "
                f"{CLIENTS} clients): {len(load.ok)} answered ({load.served() - at_stop} after "
                f"the node stopped), {pending} pending at the restart, {len(served)} settled once each"
            )
        finally:
            if load:
                load.stop()
            net.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
