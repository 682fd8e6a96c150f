"""Faults under load: the gateway killed with SIGKILL mid-load and restarted; the node stopped
for a while under load and restarted. In both, every request the gateway served settles on
chain exactly once, and nothing else does.
"""

import threading
import time
import unittest

import openai

from harness import Network, wait_until


class Load:
    """`threads` clients sending completions in a loop until stopped."""

    def __init__(self, net, key, threads=4, pause=0.1):
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

    def wait_for(self, n, timeout=180):
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
            load.wait_for(40)
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
            load.wait_for(30)
            wait_until("a first settled batch", lambda: net.health()["receipts"].get("settled", 0) > 0, timeout=120)
            net.node.stop()
            at_stop = load.served()
            # The gateway keeps serving from the chain state it has, metering into its store.
            load.wait_for(at_stop + 30, timeout=60)
            # The gateway notices (no best block for 30 s) and keeps serving.
            wait_until("the gateway to see the node gone", lambda: not net.health()["chain"]["connected"], timeout=90)
            served_blind = load.served()
            load.wait_for(served_blind + 10, timeout=60)
            pending = net.health()["receipts"]["pending"]
            self.assertGreater(pending, 0)
            net.start_node()
            load.wait_for(load.served() + 20)
            load.stop()
            served = self.assert_settled_exactly_once(net, session, key, load)
            print(
                f"\nnode outage: {len(load.ok)} answered ({load.served() - at_stop} after the node "
                f"stopped), {pending} pending at the restart, {len(served)} settled once each"
            )
        finally:
            if load:
                load.stop()
            net.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
