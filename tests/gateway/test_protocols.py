"""The three seeker APIs through the official `anthropic` and `openai` Python clients, against a
real dev node, the gateway and mock upstreams speaking the three wire formats: pass-through
when the seeker's API and the upstream's format agree, translation when they differ, prompt-
cache units metered and settled, conversations kept on their capsule, errors in each API's
shape.

Capsules (version-2 endpoints: format and upstream model id in the on-chain commitment):
  claude-sonnet  Bob      -> mock "anth-a" (Anthropic Messages, claude-sonnet-4-6)  cheapest
  claude-sonnet  Bob      -> mock "anth-b" (Anthropic Messages, claude-sonnet-4-6)
  gpt-5-codex    Charlie  -> mock "resp"   (OpenAI Responses, gpt-5-codex)
  gpt-5          Charlie  -> mock "chat"   (Chat Completions, gpt-5-2025-08-07)
Seeker: Ferdie (tier 0, standard lanes).
"""

import json
import unittest
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import anthropic
import openai

from harness import Network, http_json, wait_until

WEATHER = {
    "name": "get_weather",
    "description": "Current weather of a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


class ProtocolsTest(unittest.TestCase):
    net = None

    @classmethod
    def setUpClass(cls):
        cls.net = net = Network()
        try:
            anth_a = net.start_mock("anth-a", "sk-anth-a")
            anth_b = net.start_mock("anth-b", "sk-anth-b")
            resp = net.start_mock("resp", "sk-resp", cache_min_tokens=64)
            chat = net.start_mock("chat", "sk-chat", cache_min_tokens=64)
            net.start_gateway(probe_interval_secs=1, report_interval_secs=60)
            sonnet = ("anthropic-messages", "claude-sonnet-4-6")
            with ThreadPoolExecutor(3) as pool:
                bob = pool.submit(lambda: (
                    net.provider_capsule("//Bob", "claude-sonnet", anth_a, "sk-anth-a", 1800, 9000, wire=sonnet),
                    net.provider_capsule("//Bob", "claude-sonnet", anth_b, "sk-anth-b", 1900, 9000, wire=sonnet),
                ))
                charlie = pool.submit(lambda: (
                    net.provider_capsule("//Charlie", "gpt-5-codex", resp, "sk-resp", 750, 6000,
                                         wire=("openai-responses", "gpt-5-codex")),
                    net.provider_capsule("//Charlie", "gpt-5", chat, "sk-chat", 500, 4000,
                                         wire=("chat-completions", "gpt-5-2025-08-07")),
                ))
                ferdie = pool.submit(lambda: net.seeker_session("//Ferdie", 50))
                cls.sonnet_a, cls.sonnet_b = bob.result()
                cls.codex, cls.gpt5 = charlie.result()
                cls.session, cls.key = ferdie.result()
            cls.anthropic = anthropic.Anthropic(
                base_url=net.gw, api_key=cls.key, max_retries=0, timeout=60
            )
            cls.openai = openai.OpenAI(
                base_url=f"{net.gw}/v1", api_key=cls.key, max_retries=0, timeout=60
            )
        except BaseException:
            net.close()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.net:
            cls.net.close()

    def stats(self, mock):
        return self.net.mock_stats(mock)

    # ---- Anthropic Messages, passed through to Anthropic upstreams ---------------------------
    def test_01_anthropic_plain(self):
        before = self.stats("anth-a")["messages"]
        raw = self.anthropic.messages.with_raw_response.create(
            model="claude-sonnet", max_tokens=64,
            messages=[{"role": "user", "content": "Say something."}],
        )
        msg = raw.parse()
        self.assertEqual(msg.type, "message")
        self.assertEqual(msg.content[0].type, "text")
        self.assertEqual(msg.stop_reason, "end_turn")
        self.assertEqual(msg.usage.output_tokens, 32)
        self.assertEqual(msg.model, "claude-sonnet-4-6", "passed through: the upstream's model")
        self.assertEqual(int(raw.headers["x-nexus-capsule"]), self.sonnet_a)
        self.assertTrue(raw.headers["request-id"].startswith("req_"))
        self.assertEqual(self.stats("anth-a")["messages"], before + 1)

    def test_02_anthropic_streaming(self):
        with self.anthropic.messages.stream(
            model="claude-sonnet", max_tokens=10,
            messages=[{"role": "user", "content": "Stream please."}],
        ) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
        self.assertEqual(text, "nexus vault routes idle access to routed demand nexus vault")
        self.assertEqual(final.stop_reason, "max_tokens")
        self.assertEqual(final.usage.output_tokens, 10)
        self.assertGreater(final.usage.input_tokens, 0)

    def test_03_anthropic_tool_use_round_trip(self):
        first = self.anthropic.messages.create(
            model="claude-sonnet", max_tokens=200, tools=[WEATHER],
            messages=[{"role": "user", "content": "TOOL:get_weather in Paris"}],
        )
        self.assertEqual(first.stop_reason, "tool_use")
        call = next(b for b in first.content if b.type == "tool_use")
        self.assertEqual((call.name, call.input), ("get_weather", {"city": "nexus"}))
        second = self.anthropic.messages.create(
            model="claude-sonnet", max_tokens=200, tools=[WEATHER],
            messages=[
                {"role": "user", "content": "TOOL:get_weather in Paris"},
                {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18C"}]},
            ],
        )
        self.assertEqual(second.stop_reason, "end_turn")

    def test_04_thinking_signatures_pass_through_intact(self):
        thinking = {"type": "enabled", "budget_tokens": 1024}
        ask = [{"role": "user", "content": "Think first."}]
        with self.anthropic.messages.stream(
            model="claude-sonnet", max_tokens=2048, thinking=thinking, messages=ask,
        ) as stream:
            first = stream.get_final_message()
        block = first.content[0]
        self.assertEqual(block.type, "thinking")
        self.assertTrue(block.signature.startswith("mock-sig-"))
        # The upstream checks the signature of the thinking block sent back: a gateway that
        # altered it would get this turn refused.
        history = ask + [
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
            {"role": "user", "content": "Go on."},
        ]
        again = self.anthropic.messages.create(
            model="claude-sonnet", max_tokens=2048, thinking=thinking, messages=history,
        )
        self.assertEqual(again.content[0].type, "thinking")
        # A forged signature is the upstream's refusal, passed on in Anthropic's shape.
        history[1]["content"][0]["signature"] = "forged"
        with self.assertRaises(anthropic.BadRequestError) as e:
            self.anthropic.messages.create(
                model="claude-sonnet", max_tokens=2048, thinking=thinking, messages=history,
            )
        self.assertEqual(e.exception.body["error"]["type"], "invalid_request_error")
        self.assertIn("signature", e.exception.body["error"]["message"])

    def test_05_count_tokens_by_the_anthropic_upstream(self):
        counted = self.anthropic.messages.count_tokens(
            model="claude-sonnet", messages=[{"role": "user", "content": "12345678"}],
        )
        # The mock counts ⌈8/4⌉ + 4.
        self.assertEqual(counted.input_tokens, 6)

    def test_06_prompt_cache_units_are_metered(self):
        system = [{"type": "text", "text": "You are a careful assistant. " * 40,
                   "cache_control": {"type": "ephemeral"}}]
        history = [
            {"role": "user", "content": "First question " * 30},
            {"role": "assistant", "content": "First answer."},
        ]
        turns = []
        for question in ("Second question?", "Third question?"):
            raw = self.anthropic.messages.with_raw_response.create(
                model="claude-sonnet", max_tokens=16, system=system,
                messages=history + [{"role": "user", "content": question}],
                extra_headers={"X-Claude-Code-Session-Id": "cache-conversation"},
            )
            turns.append((raw.parse().usage, raw.headers["x-nexus-receipt"]))
        (u1, r1), (u2, r2) = turns
        self.assertGreater(u1.cache_creation_input_tokens, 0)
        self.assertEqual(u1.cache_read_input_tokens, 0)
        self.assertEqual(u2.cache_read_input_tokens, u1.cache_creation_input_tokens)
        stored = {r["id"]: r for r in self.net.receipts(self.session)}
        self.assertEqual(stored[r1]["cacheWriteUnits"], u1.cache_creation_input_tokens)
        self.assertEqual(stored[r2]["cacheReadUnits"], u2.cache_read_input_tokens)
        self.assertEqual(stored[r2]["inputUnits"], u2.input_tokens)
        type(self).cached_receipt = stored[r2]

    # ---- OpenAI Responses -------------------------------------------------------------------
    def test_07_responses_streaming_passed_through(self):
        before = self.stats("resp")["responses"]
        events = list(self.openai.responses.create(
            model="gpt-5-codex", input="Write code.", stream=True,
            reasoning={"effort": "medium"}, store=False, prompt_cache_key="codex-conv",
        ))
        kinds = [e.type for e in events]
        self.assertEqual(kinds[0], "response.created")
        self.assertEqual(kinds[-1], "response.completed")
        done = events[-1].response
        self.assertEqual(done.output[0].type, "reasoning")
        self.assertEqual(len(done.output_text.split()), 32)
        self.assertGreater(done.usage.output_tokens_details.reasoning_tokens, 0)
        self.assertEqual(self.stats("resp")["responses"], before + 1)

    def test_08_responses_tool_call_and_incomplete(self):
        tools = [{"type": "function", "name": "get_weather", "description": "weather",
                  "parameters": WEATHER["input_schema"], "strict": False}]
        r = self.openai.responses.create(model="gpt-5-codex", input="TOOL:get_weather", tools=tools)
        call = next(i for i in r.output if i.type == "function_call")
        self.assertEqual((call.name, json.loads(call.arguments)), ("get_weather", {"city": "nexus"}))
        short = self.openai.responses.create(model="gpt-5-codex", input="hi", max_output_tokens=5)
        self.assertEqual(short.status, "incomplete")
        self.assertEqual(short.incomplete_details.reason, "max_output_tokens")

    # ---- translation: every seeker API to every other upstream format ------------------------
    def test_09_responses_to_an_anthropic_upstream(self):
        before = self.stats("anth-a")["messages"]
        events = list(self.openai.responses.create(
            model="claude-sonnet", instructions="Be brief.", input="Hello", stream=True,
            max_output_tokens=8,
        ))
        final = events[-1]
        self.assertEqual(final.type, "response.incomplete")
        self.assertEqual(final.response.output_text, "nexus vault routes idle access to routed demand")
        self.assertEqual(final.response.usage.output_tokens, 8)
        self.assertTrue(final.response.id.startswith("resp_"))
        self.assertEqual(self.stats("anth-a")["messages"], before + 1)
        tools = [{"type": "function", "name": "get_weather", "description": "weather",
                  "parameters": WEATHER["input_schema"], "strict": False}]
        r = self.openai.responses.create(model="claude-sonnet", input="TOOL:get_weather", tools=tools)
        call = next(i for i in r.output if i.type == "function_call")
        self.assertEqual(json.loads(call.arguments), {"city": "nexus"})

    def test_10_chat_to_an_anthropic_upstream(self):
        c = self.openai.chat.completions.create(
            model="claude-sonnet", max_tokens=12,
            messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        )
        self.assertEqual(c.choices[0].finish_reason, "length")
        self.assertEqual(c.usage.completion_tokens, 12)
        self.assertTrue(c.id.startswith("chatcmpl-"))
        chunks = list(self.openai.chat.completions.create(
            model="claude-sonnet", stream=True, stream_options={"include_usage": True},
            messages=[{"role": "user", "content": "TOOL:get_weather"}],
            tools=[{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER["input_schema"]}}],
        ))
        calls = [tc for ch in chunks if ch.choices for tc in (ch.choices[0].delta.tool_calls or [])]
        self.assertEqual(calls[0].function.name, "get_weather")
        self.assertEqual(json.loads("".join(tc.function.arguments or "" for tc in calls)), {"city": "nexus"})
        self.assertEqual([ch.choices[0].finish_reason for ch in chunks if ch.choices][-1], "tool_calls")
        self.assertGreater(chunks[-1].usage.prompt_tokens, 0)

    def test_11_anthropic_to_chat_and_responses_upstreams(self):
        for model, mock, kind in (("gpt-5", "chat", "chatCompletions"), ("gpt-5-codex", "resp", "responses")):
            before = self.stats(mock)[kind]
            with self.anthropic.messages.stream(
                model=model, max_tokens=6, system="Be brief.",
                messages=[{"role": "user", "content": "Hi"}],
            ) as stream:
                text = "".join(stream.text_stream)
                final = stream.get_final_message()
            self.assertEqual(text, "nexus vault routes idle access to", model)
            self.assertEqual(final.stop_reason, "max_tokens", model)
            self.assertEqual(final.usage.output_tokens, 6, model)
            self.assertTrue(final.id.startswith("msg_"))
            plain = self.anthropic.messages.create(
                model=model, max_tokens=100, tools=[WEATHER],
                messages=[{"role": "user", "content": "TOOL:get_weather"}],
            )
            self.assertEqual(plain.stop_reason, "tool_use", model)
            self.assertEqual(plain.content[-1].input, {"city": "nexus"}, model)
            self.assertEqual(self.stats(mock)[kind], before + 2, model)

    def test_12_responses_and_chat_across_openai_formats(self):
        r = self.openai.responses.create(model="gpt-5", input="Hi", max_output_tokens=4)
        self.assertEqual(r.output_text, "nexus vault routes idle")
        c = self.openai.chat.completions.create(
            model="gpt-5-codex", messages=[{"role": "user", "content": "Hi"}], max_completion_tokens=3)
        self.assertEqual(c.choices[0].message.content, "nexus vault routes")
        # OpenAI-style automatic caching: the Chat upstream's cached prompt tokens come back as
        # cache reads in the seeker's Responses usage.
        long_input = [{"role": "user", "content": "context " * 400}, {"role": "assistant", "content": "ok"}]
        usages = [self.openai.responses.create(
            model="gpt-5", input=long_input + [{"role": "user", "content": q}], max_output_tokens=4,
            prompt_cache_key="chat-conv").usage for q in ("one?", "two?")]
        self.assertEqual(usages[0].input_tokens_details.cached_tokens, 0)
        self.assertGreater(usages[1].input_tokens_details.cached_tokens, 0)

    # ---- conversations stay on their capsule ---------------------------------------------------
    def test_13_a_conversation_moves_only_on_failure(self):
        net = self.net
        ask = lambda conv: self.anthropic.messages.with_raw_response.create(  # noqa: E731
            model="claude-sonnet", max_tokens=8,
            messages=[{"role": "user", "content": "Hi"}],
            extra_headers={"X-Claude-Code-Session-Id": conv},
        )
        self.assertEqual(int(ask("conv-1").headers["x-nexus-capsule"]), self.sonnet_a)
        # The cheaper capsule's upstream goes away: the conversation fails over to the other.
        proc = net.mocks["anth-a"][0]
        proc.stop()
        try:
            self.assertEqual(int(ask("conv-1").headers["x-nexus-capsule"]), self.sonnet_b)
        finally:
            proc.start()
        wait_until("anth-a back", lambda: http_json(net.mocks["anth-a"][1].removesuffix("/v1") + "/stats"))
        wait_until("the probe to see anth-a up", lambda: all(
            e["probes"]["lastOk"] for e in http_json(f"{net.gw}/admin/v1/endpoints", "test-admin-token")
        ), timeout=30)
        # Back up and cheaper, but the conversation stays where its cache is; a new one goes to
        # the cheaper capsule.
        for _ in range(3):
            self.assertEqual(int(ask("conv-1").headers["x-nexus-capsule"]), self.sonnet_b)
        self.assertEqual(int(ask("conv-2").headers["x-nexus-capsule"]), self.sonnet_a)
        self.assertGreaterEqual(net.health()["conversations"], 2)

    # ---- errors in each API's shape --------------------------------------------------------------
    def test_14_errors_take_each_apis_shape(self):
        with self.assertRaises(anthropic.NotFoundError) as e:
            self.anthropic.messages.create(model="m" * 100_000, max_tokens=5,
                                           messages=[{"role": "user", "content": "x"}])
        self.assertEqual(e.exception.body["type"], "error")
        self.assertEqual(e.exception.body["error"]["type"], "not_found_error")
        self.assertLess(len(e.exception.body["error"]["message"]), 300, "the model id is not echoed whole")
        self.assertTrue(e.exception.request_id.startswith("req_"))
        with self.assertRaises(anthropic.AuthenticationError) as e:
            anthropic.Anthropic(base_url=self.net.gw, api_key="sk-wrong", max_retries=0).messages.create(
                model="claude-sonnet", max_tokens=5, messages=[{"role": "user", "content": "x"}])
        self.assertEqual(e.exception.body["error"]["type"], "authentication_error")
        with self.assertRaises(anthropic.BadRequestError) as e:
            self.anthropic.messages.create(
                model="claude-sonnet", max_tokens=5, messages=[{"role": "user", "content": "x"}],
                extra_headers={"anthropic-version": "latest"})
        self.assertIn("anthropic-version", e.exception.body["error"]["message"])
        # What no upstream of the model can carry is refused by name, before any upstream call.
        before = self.stats("chat")["requests"]
        with self.assertRaises(anthropic.BadRequestError) as e:
            self.anthropic.messages.create(model="gpt-5", max_tokens=5, messages=[{"role": "user", "content": [
                {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]}])
        self.assertIn("document", e.exception.body["error"]["message"])
        self.assertEqual(self.stats("chat")["requests"], before)
        with self.assertRaises(openai.BadRequestError) as e:
            self.openai.responses.create(model="claude-sonnet", input="x", previous_response_id="resp_1")
        self.assertEqual(e.exception.code, "untranslatable_request")
        with self.assertRaises(openai.NotFoundError) as e:
            self.openai.responses.create(model="nope", input="x")
        self.assertEqual(e.exception.code, "model_not_found")
        # Chat's `stream_options` must be an object.
        req = urllib.request.Request(
            f"{self.net.gw}/v1/chat/completions",
            json.dumps({"model": "gpt-5", "stream": True, "stream_options": 7,
                        "messages": [{"role": "user", "content": "x"}]}).encode(),
            {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"},
        )
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(e.exception.code, 400)
        self.assertIn("stream_options", json.loads(e.exception.read())["error"]["message"])

    def test_15_models_in_each_shape_with_their_aliases(self):
        # The offerings, and the upstream model ids governance maps to them (development genesis).
        expected = sorted(["claude-sonnet", "claude-sonnet-4-6", "claude-sonnet-4-5", "gpt-5",
                           "gpt-5-2025-08-07", "gpt-5.1", "gpt-5-codex", "gpt-5.1-codex", "codex-mini-latest"])
        anthropic_list = self.anthropic.models.list()
        self.assertEqual(sorted(m.id for m in anthropic_list.data), expected)
        self.assertEqual(sorted(m.id for m in self.openai.models.list().data), expected)
        offerings = {o["id"]: o["aliases"] for o in self.net.rpc("nexus_offerings")}
        self.assertIn("claude-sonnet-4-6", offerings["claude-sonnet"])

    def test_16_an_upstream_model_id_routes_to_its_offering(self):
        # Claude Code and the SDKs send real model ids: the alias names the offering.
        raw = self.anthropic.messages.with_raw_response.create(
            model="claude-sonnet-4-6", max_tokens=8, messages=[{"role": "user", "content": "hi"}])
        self.assertIn(int(raw.headers["x-nexus-capsule"]), (self.sonnet_a, self.sonnet_b))
        r = self.openai.responses.create(model="gpt-5.1-codex", input="hi", max_output_tokens=3)
        self.assertEqual(r.output_text, "nexus vault routes")
        with self.assertRaises(anthropic.NotFoundError):
            self.anthropic.messages.create(model="claude-sonnet-9", max_tokens=8,
                                           messages=[{"role": "user", "content": "hi"}])

    # ---- settlement ------------------------------------------------------------------------------
    def test_99_every_answer_settles_once_with_its_cache_units(self):
        net = self.net
        net.wait_settled()
        receipts = net.receipts(self.session)
        served = [r for r in receipts if r["outcome"] == "served"]
        self.assertGreaterEqual(len(served), 25)
        self.assertTrue(all(r["state"] == "settled" for r in served))
        self.assertTrue(all(r["state"] == "recorded" for r in receipts if r["outcome"] == "failed"))
        chain = net.cli(None, "session", "show", str(self.session))
        self.assertEqual(int(chain["spent"]), sum(int(r["net"]) for r in served))
        self.assertEqual([r["seq"] for r in receipts], list(range(1, len(receipts) + 1)))
        # The cached receipt's leaf, proven against the chain's batch commitment, carries its
        # cache units.
        cached = self.cached_receipt
        leaf = net.cli(None, "receipt", "--gateway", net.gw, "--api-key", self.key,
                       "--seq", str(cached["seq"]))
        self.assertEqual((leaf["verdict"], leaf["verified"]), ("settled", True))
        self.assertEqual(leaf["units"]["cacheRead"], cached["cacheReadUnits"])
        self.assertGreater(leaf["units"]["cacheRead"], 0)
        self.assertEqual(leaf["units"]["input"], cached["inputUnits"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
