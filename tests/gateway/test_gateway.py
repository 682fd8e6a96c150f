"""The gateway through the official `openai` Python client, against a real dev node, the
gateway and mock upstreams; the chain's settlements must equal what the gateway served.

Capsules (registered by the providers with the `nexus` CLI, endpoints handed to the gateway
signed with the owner's key):
  claude-sonnet (standard)  Bob      -> mock "good"
  claude-opus   (premium)   Bob      -> mock "good"
  gpt-5         (standard)  Charlie  -> mock "bad" (always 500; cheapest, so tried first)
  gpt-5         (standard)  Charlie  -> mock "bulk" (60,000 completion tokens at most)
  gpt-5-codex   (premium)   Charlie  -> mock "bad" (nothing else serves it)
Seekers: Eve stakes into tier 2 (premium lanes); Ferdie and Alice stay in tier 0 (Basic).
"""

import signal
import unittest
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import openai

from harness import Network, http_json, wait_until


EVE = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"


class GatewayTest(unittest.TestCase):
    net = None
    served = []  # (session, completion id, input units, output units)

    @classmethod
    def setUpClass(cls):
        cls.net = net = Network()
        try:
            good = net.start_mock("good", "sk-good")
            bad = net.start_mock("bad", "sk-bad", error_rate=1.0, error_status=500)
            bulk = net.start_mock("bulk", "sk-bulk", completion_tokens=60000)
            gone = net.start_mock("gone", "sk-gone")
            # Probes every 2 s, uptime reported every 8 s.
            net.start_gateway(probe_interval_secs=2, report_interval_secs=8)
            # Each signer's transactions in its own thread (each waits for finality).
            with ThreadPoolExecutor(5) as pool:
                bob = pool.submit(lambda: (
                    net.provider_capsule("//Bob", "claude-sonnet", good, "sk-good", 1800, 9000),
                    net.provider_capsule("//Bob", "claude-opus", good, "sk-good", 9000, 45000, premium=True),
                    # Dearer, and its upstream goes away below: never routed to.
                    net.provider_capsule("//Bob", "claude-sonnet", gone, "sk-gone", 5000, 20000),
                ))
                charlie = pool.submit(lambda: (
                    net.provider_capsule("//Charlie", "gpt-5", bad, "sk-bad", 100, 400),
                    net.provider_capsule("//Charlie", "gpt-5", bulk, "sk-bulk", 200, 500),
                    net.provider_capsule("//Charlie", "gpt-5-codex", bad, "sk-bad", 750, 6000, premium=True),
                ))
                eve = pool.submit(lambda: (
                    net.cli("//Eve", "tier", "stake", "10000NXV"),
                    net.seeker_session("//Eve", 50),
                )[1])
                ferdie = pool.submit(lambda: (
                    net.seeker_session("//Ferdie", 50),
                    # 400 micro-USDN: one or two small requests.
                    net.seeker_session("//Ferdie", "0.0004", deposit_usdn=1),
                ))
                alice = pool.submit(lambda: net.seeker_session("//Alice", 50))
                cls.sonnet, cls.opus, cls.sonnet_gone = bob.result()
                cls.gpt5_bad, cls.gpt5_bulk, cls.codex_bad = charlie.result()
                cls.eve_session, eve_key = eve.result()
                (cls.ferdie_session, ferdie_key), (cls.small_session, small_key) = ferdie.result()
                cls.alice_session, alice_key = alice.result()
            assert net.cli(None, "tier", "show", EVE)["tier"]["premiumLanes"]
            net.mocks["gone"][0].stop()
            client = lambda key: openai.OpenAI(  # noqa: E731
                base_url=f"{net.gw}/v1", api_key=key, max_retries=0, timeout=60
            )
            cls.keys = {cls.eve_session: eve_key, cls.ferdie_session: ferdie_key,
                        cls.small_session: small_key, cls.alice_session: alice_key}
            cls.eve, cls.ferdie = client(eve_key), client(ferdie_key)
            cls.small, cls.alice = client(small_key), client(alice_key)
        except BaseException:
            net.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.net.close()

    def ask(self, client, session, model, content="hello gateway", **kw):
        r = client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": content}], **kw
        )
        self.served.append((session, r.id, r.usage.prompt_tokens, r.usage.completion_tokens))
        return r

    def test_01_models_follow_the_tier(self):
        eve = sorted(m.id for m in self.eve.models.list())
        ferdie = sorted(m.id for m in self.ferdie.models.list())
        # The offerings the tier reaches, and the model ids (aliases) that name them.
        self.assertEqual(eve, sorted([
            "claude-opus", "claude-opus-4-8", "claude-opus-4-5", "claude-opus-4-1",
            "claude-sonnet", "claude-sonnet-4-6", "claude-sonnet-4-5",
            "gpt-5", "gpt-5-2025-08-07", "gpt-5.1", "gpt-5-codex", "gpt-5.1-codex", "codex-mini-latest",
        ]))
        self.assertEqual(ferdie, sorted([
            "claude-sonnet", "claude-sonnet-4-6", "claude-sonnet-4-5", "gpt-5", "gpt-5-2025-08-07", "gpt-5.1",
        ]))

    def test_02_plain_completion(self):
        r = self.ask(self.eve, self.eve_session, "claude-sonnet", "hello gateway")
        self.assertRegex(r.id, r"^chatcmpl-[0-9a-f]{32}$")
        self.assertEqual(r.model, "claude-sonnet")
        self.assertEqual(r.system_fingerprint, "mock-good")
        # The mock's deterministic usage: ceil(13/4) + 4 prompt tokens, 32 completion tokens.
        self.assertEqual((r.usage.prompt_tokens, r.usage.completion_tokens), (8, 32))
        self.assertTrue(r.choices[0].message.content.startswith("nexus vault routes"))

    def test_03_streaming_completion(self):
        stream = self.eve.chat.completions.create(
            model="claude-sonnet",
            messages=[{"role": "user", "content": "hello gateway"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        ids, text, usage = set(), [], None
        for chunk in stream:
            ids.add(chunk.id)
            if chunk.choices:
                text.append(chunk.choices[0].delta.content or "")
            if chunk.usage:
                usage = chunk.usage
        self.assertEqual(len(ids), 1)
        self.assertIsNotNone(usage)
        self.assertEqual((usage.prompt_tokens, usage.completion_tokens), (8, 32))
        self.assertEqual(len("".join(text).split()), 32)
        self.served.append((self.eve_session, ids.pop(), 8, 32))
        # Without include_usage the seeker gets no usage chunk, but the request is still metered.
        chunks = list(
            self.eve.chat.completions.create(
                model="claude-sonnet", messages=[{"role": "user", "content": "hi"}], stream=True
            )
        )
        self.assertTrue(all(c.usage is None for c in chunks))
        self.served.append((self.eve_session, chunks[0].id, 5, 32))

    def test_04_unknown_key_is_401(self):
        c = openai.OpenAI(base_url=f"{self.net.gw}/v1", api_key="nxv-not-bound", max_retries=0)
        with self.assertRaises(openai.AuthenticationError) as e:
            c.chat.completions.create(model="claude-sonnet", messages=[{"role": "user", "content": "x"}])
        self.assertEqual(e.exception.code, "invalid_api_key")
        with self.assertRaises(openai.AuthenticationError):
            c.models.list()

    def test_05_malformed_body_is_400(self):
        with self.assertRaises(openai.BadRequestError) as e:
            self.eve.chat.completions.create(model="claude-sonnet", messages=[])
        self.assertIn("messages", e.exception.message)
        with self.assertRaises(openai.BadRequestError):
            self.eve.chat.completions.create(
                model="claude-sonnet", messages=[{"role": "user", "content": "x"}], max_tokens=0
            )
        with self.assertRaises(openai.BadRequestError):
            self.eve.post("/chat/completions", body="not json", cast_to=object)

    def test_06_premium_model_refused_to_basic_tier(self):
        with self.assertRaises(openai.PermissionDeniedError) as e:
            self.ferdie.chat.completions.create(
                model="claude-opus", messages=[{"role": "user", "content": "x"}]
            )
        self.assertEqual(e.exception.code, "tier_not_allowed")
        r = self.ask(self.eve, self.eve_session, "claude-opus", "premium please")
        self.assertEqual(r.model, "claude-opus")

    def test_07_failover_to_the_next_capsule(self):
        before = self.net.mock_stats("bad")["failed"]
        r = self.ask(self.eve, self.eve_session, "gpt-5", "fail over", max_tokens=50)
        self.assertEqual(r.system_fingerprint, "mock-bulk")
        self.assertEqual(r.usage.completion_tokens, 50)
        self.assertEqual(self.net.mock_stats("bad")["failed"], before + 1)
        receipts = self.net.receipts(self.eve_session)
        mine = next(x for x in receipts if "chatcmpl-" + x["id"][2:] == r.id)
        previous = next(x for x in receipts if x["seq"] == mine["seq"] - 1)
        self.assertEqual(previous["outcome"], "failed")
        self.assertEqual(previous["capsule"], self.gpt5_bad)
        self.assertEqual(mine["capsule"], self.gpt5_bulk)

    def test_08_exhausted_session_cap_is_402(self):
        served = 0
        with self.assertRaises(openai.APIStatusError) as e:
            for _ in range(5):
                self.ask(self.small, self.small_session, "claude-sonnet", "tiny")
                served += 1
        self.assertEqual(e.exception.status_code, 402)
        self.assertEqual(e.exception.code, "insufficient_quota")
        self.assertGreaterEqual(served, 1)

    def test_09_tier_rate_limit_is_429(self):
        units = 0
        with self.assertRaises(openai.RateLimitError) as e:
            for _ in range(6):
                r = self.ask(self.alice, self.alice_session, "gpt-5", "bulk", max_tokens=100000)
                units += r.usage.prompt_tokens + r.usage.completion_tokens
        self.assertEqual(e.exception.code, "rate_limit_exceeded")
        # Basic tier: 100,000 metered units per window, never exceeded.
        self.assertGreater(units, 60000)
        self.assertLessEqual(units, 100000)

    def test_10_every_capsule_failing_is_503(self):
        with self.assertRaises(openai.InternalServerError) as e:
            self.eve.chat.completions.create(
                model="gpt-5-codex", messages=[{"role": "user", "content": "x"}]
            )
        self.assertEqual(e.exception.status_code, 503)
        self.assertEqual(e.exception.code, "upstream_failed")

    def test_11_unknown_model_is_404(self):
        with self.assertRaises(openai.NotFoundError) as e:
            self.eve.chat.completions.create(model="gpt-2", messages=[{"role": "user", "content": "x"}])
        self.assertEqual(e.exception.code, "model_not_found")

    def test_12_health_probes_post_uptime(self):
        capsule = lambda c: self.net.cli(None, "capsule", "show", str(c))  # noqa: E731
        # Every probe of the stopped upstream fails: its uptime goes from 100 % to 0 on chain.
        wait_until(
            "the gone capsule's uptime report",
            lambda: capsule(self.sonnet_gone)["uptime"] == 0,
            timeout=150,
        )
        self.assertEqual(capsule(self.sonnet)["uptime"], 1_000_000_000)
        metrics = urllib.request.urlopen(f"{self.net.gw}/metrics", timeout=10).read().decode()
        self.assertRegex(metrics, r'nexus_gateway_uptime_reports_total\{result="ok"\} [1-9]')

    def test_13_endpoint_registration_is_checked(self):
        net, good = self.net, self.net.mocks["good"][1]
        endpoint = lambda suri, credential: net.cli(  # noqa: E731
            suri, "capsule", "endpoint", str(self.sonnet), "--gateway", net.gw,
            "--endpoint", good, "--credential", credential, check=False,
        )
        # Not what the capsule committed to on chain.
        wrong = endpoint("//Bob", "sk-other")["error"]
        self.assertEqual(wrong["kind"], "gateway")
        self.assertIn("409", wrong["message"])
        # Signed by someone who does not own the capsule.
        stranger = endpoint("//Charlie", "sk-good")["error"]
        self.assertIn("401", stranger["message"])
        # The owner with the committed pair: accepted (again), routing unchanged.
        self.assertEqual(endpoint("//Bob", "sk-good")["capsule"], self.sonnet)
        r = self.ask(self.eve, self.eve_session, "claude-sonnet", "after re-registering")
        self.assertEqual(r.system_fingerprint, "mock-good")

    def test_98_graceful_shutdown_drains_a_stream_in_flight(self):
        stream = self.eve.chat.completions.create(
            model="gpt-5",
            messages=[{"role": "user", "content": "a long one"}],
            stream=True,
            stream_options={"include_usage": True},
            max_tokens=60000,
        )
        first = next(iter(stream))
        self.net.gateway.proc.send_signal(signal.SIGTERM)
        words, usage = 0, None
        for chunk in stream:
            if chunk.choices:
                words += len((chunk.choices[0].delta.content or "").split())
            if chunk.usage:
                usage = chunk.usage
        # The stream ran to its end after the signal and was metered.
        self.assertEqual(words, 60000)
        self.assertEqual(usage.completion_tokens, 60000)
        self.assertEqual(self.net.gateway.proc.wait(60), 0)
        self.served.append((self.eve_session, first.id, usage.prompt_tokens, 60000))
        self.net.start_gateway()

    def test_99_chain_settlements_equal_served_requests(self):
        net = self.net
        net.wait_settled()
        sessions = [self.eve_session, self.ferdie_session, self.small_session, self.alice_session]
        served_total = 0
        by_id = {}
        for s in sessions:
            receipts = net.receipts(s)
            for r in receipts:
                by_id[r["id"]] = r
                if r["outcome"] == "served":
                    self.assertEqual(r["state"], "settled", r)
                    served_total += 1
                else:
                    self.assertEqual(r["state"], "recorded", r)
            charged = sum(int(r["net"]) for r in receipts if r["state"] == "settled")
            chain = net.cli(None, "session", "show", str(s))
            self.assertEqual(int(chain["spent"]), charged, f"session {s}")
            self.assertLessEqual(int(chain["spent"]), int(chain["cap"]))
            # Sequence numbers are dense and increasing per session.
            self.assertEqual([r["seq"] for r in receipts], list(range(1, len(receipts) + 1)))
        # Every completion the client got is charged on chain, once, for what the gateway says.
        self.assertGreaterEqual(len(self.served), 8)
        for session, cid, prompt, completion in self.served:
            rid = "0x" + cid.removeprefix("chatcmpl-")
            mine = by_id[rid]
            self.assertEqual((mine["inputUnits"], mine["outputUnits"]), (prompt, completion))
            # The receipt's leaf, served to its seeker and proven against the batch commitment
            # the chain keeps, says what the chain charged.
            on_chain = net.cli(None, "receipt", "--gateway", net.gw, "--api-key",
                               self.keys[session], "--seq", str(mine["seq"]))
            self.assertEqual((on_chain["verdict"], on_chain["verified"]), ("settled", True))
            self.assertEqual((on_chain["session"], on_chain["seq"]), (session, mine["seq"]))
            self.assertEqual(on_chain["charge"], mine["net"])
            self.assertEqual(on_chain["batch"], mine["evidence"]["batch"])
            self.assertEqual((on_chain["units"]["input"], on_chain["units"]["output"]),
                             (prompt, completion))
        # The seeker's own view is its session's receipts only, each judged one with its leaf.
        eve_view = http_json(f"{net.gw}/v1/receipts?limit=1000", self.keys[self.eve_session])
        self.assertEqual(eve_view["session"], self.eve_session)
        self.assertEqual([r["id"] for r in eve_view["data"]],
                         [r["id"] for r in net.receipts(self.eve_session)])
        self.assertTrue(all(r["evidence"]["leaf"].startswith("0x") for r in eve_view["data"]))
        # A seeker disputes a charge by its leaf and proof; a second dispute is refused by name.
        first = next(r for r in eve_view["data"] if r["state"] == "settled")
        dispute = ["dispute", "--gateway", net.gw, "--api-key", self.keys[self.eve_session],
                   "--seq", str(first["seq"])]
        disputed = net.cli("//Eve", *dispute)
        self.assertEqual((disputed["session"], disputed["seq"]), (self.eve_session, first["seq"]))
        self.assertEqual(disputed["batch"], first["evidence"]["batch"])
        with self.assertRaisesRegex(RuntimeError, "metering.AlreadyDisputed"):
            net.cli("//Eve", *dispute)
        # Another account cannot dispute Eve's receipt.
        with self.assertRaisesRegex(RuntimeError, "metering.NotYourReceipt"):
            net.cli("//Ferdie", *dispute)
        # Nothing else was settled on this chain: the flows count exactly the served receipts.
        flows = net.rpc("nexus_flows", None)
        self.assertEqual(sum(f["receipts"] for f in flows), served_total)
        failed = net.health()["receipts"]
        self.assertEqual(failed.get("rejected", 0), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
