"""Hostile input to the gateway's HTTP surface, against a real dev node, nexus-gateway and mock
upstreams: each input gets its named error (status and OpenAI-style `code`, or the admin API's
message) and leaves the gateway's state as it was: no upstream call, no receipt, no endpoint
registered. Then the slow and abrupt clients: a client trickling its headers or its body, idle
connections past the connection limit, a seeker who stops reading a stream, one who hangs up
during a request, and a shutdown while a client stalls.

Capsules: claude-sonnet (Bob) -> mock "good"; gpt-5 (Charlie) -> mock "slow" (2.5 s to answer);
gpt-5-codex (Charlie, standard lane) -> mock "bulk" (60,000 completion tokens). Seeker: Eve.
The gateway runs with small limits so the slow cases are quick: 3 s for a request's head and
for its body, 64 KiB bodies, 16 connections, 4 s upstream timeout, 5 s shutdown grace.
"""

import http.client
import http.server
import json
import os
import random
import signal
import socket
import threading
import time
import unittest
from concurrent.futures import ThreadPoolExecutor

from harness import ADMIN_TOKEN, Network, wait_until

HEADER_TIMEOUT = 3
BODY_TIMEOUT = 3
MAX_BODY = 65536
MAX_CONNECTIONS = 16

# Every case run, for the summary the catalogue in docs/security.md quotes.
CASES = []


def chat(model="claude-sonnet", **extra):
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **extra}


class HostileGatewayTest(unittest.TestCase):
    net = None

    @classmethod
    def setUpClass(cls):
        cls.net = net = Network()
        try:
            good = net.start_mock("good", "sk-good")
            slow = net.start_mock("slow", "sk-slow", latency_ms=2500)
            bulk = net.start_mock("bulk", "sk-bulk", completion_tokens=60000)
            net.start_gateway(
                header_timeout_secs=HEADER_TIMEOUT,
                body_timeout_secs=BODY_TIMEOUT,
                max_body_bytes=MAX_BODY,
                max_connections=MAX_CONNECTIONS,
                upstream_timeout_ms=4000,
                shutdown_grace_secs=5,
            )
            with ThreadPoolExecutor(3) as pool:
                bob = pool.submit(net.provider_capsule, "//Bob", "claude-sonnet", good, "sk-good", 1800, 9000)
                charlie = pool.submit(lambda: (
                    net.provider_capsule("//Charlie", "gpt-5", slow, "sk-slow", 750, 6000),
                    net.provider_capsule("//Charlie", "gpt-5-codex", bulk, "sk-bulk", 1, 1),
                ))
                eve = pool.submit(net.seeker_session, "//Eve", 100)
                cls.sonnet = bob.result()
                cls.gpt5, cls.codex = charlie.result()
                cls.session, cls.key = eve.result()
            cls.good = good
            cls.genesis = net.health()["chain"]["genesis"]
        except BaseException:
            net.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.net.close()
        print(f"\nhostile gateway inputs: {len(CASES)} cases answered as named with the state unchanged")

    # ---- helpers ------------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, timeout=15):
        """(status, parsed JSON or raw bytes) of one request on a fresh connection."""
        port = int(self.net.gw.rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            raw = r.read()
            try:
                return r.status, json.loads(raw)
            except ValueError:
                return r.status, raw
        finally:
            conn.close()

    def auth(self, key=None, content_type="application/json"):
        h = {"Authorization": f"Bearer {key or self.key}"}
        if content_type:
            h["Content-Type"] = content_type
        return h

    def state(self):
        """What a refused input must not change."""
        h = self.net.health()
        return {
            "receipts": h["receipts"],
            "endpoints": h["endpoints"],
            "upstream calls": {m: self.net.mock_stats(m)["requests"] for m in ("good", "slow", "bulk")},
            "session receipts": len(self.net.receipts(self.session)),
        }

    def refused(self, name, status, code, method, path, body=None, headers=None):
        """Sends a hostile input; asserts its status, its error code, and no state change."""
        before = self.state()
        got, answer = self.request(method, path, body, headers)
        with self.subTest(name):
            self.assertEqual(got, status, f"{name}: {answer!r}")
            if code is not None:
                self.assertIsInstance(answer, dict, f"{name}: not JSON: {answer!r}")
                error = answer.get("error", {})
                if answer.get("type") == "error":
                    # Anthropic's shape: the error type names it.
                    self.assertEqual(error.get("type"), code, name)
                else:
                    self.assertEqual(error.get("code") if "code" in error else error.get("message"), code, name)
            self.assertEqual(self.state(), before, f"{name} changed the gateway's state")
            CASES.append(name)  # only when every assertion above held

    # ---- authentication ---------------------------------------------------------------------
    def test_01_keys(self):
        p = "/v1/chat/completions"
        self.refused("no Authorization header", 401, "missing_api_key", "POST", p, chat(), {"Content-Type": "application/json"})
        self.refused("Basic scheme", 401, "missing_api_key", "POST", p, chat(), {"Authorization": "Basic eDp5", "Content-Type": "application/json"})
        self.refused("empty Bearer", 401, "missing_api_key", "POST", p, chat(), {"Authorization": "Bearer    ", "Content-Type": "application/json"})
        self.refused("8 KiB random key", 401, "invalid_api_key", "POST", p, chat(), self.auth("nxv-" + "%032x" % random.getrandbits(128) * 256))
        self.refused("unknown key on /v1/models", 401, "invalid_api_key", "GET", "/v1/models", None, self.auth("nxv-not-bound"))
        self.refused("over-limit body without a key", 401, "missing_api_key", "POST", p, b"x" * (2 * MAX_BODY), {"Content-Type": "application/json"})
        # The key is checked before the body is read: a request announcing a body it never
        # sends is answered 401 at once, not after the body timeout.
        before = self.state()
        s = self.connect()
        s.sendall(
            (
                f"POST {p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer nxv-not-bound\r\nContent-Length: {2 * MAX_BODY}\r\n\r\n"
            ).encode()
        )
        started = time.time()
        answer = s.recv(4096)
        s.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 401"), answer)
        self.assertLess(time.time() - started, BODY_TIMEOUT - 1)
        self.assertEqual(self.state(), before)
        CASES.append("a body announced but never sent, with an unknown key (the key is checked first)")

    # ---- bodies ---------------------------------------------------------------------------------
    def test_02_bodies(self):
        p = "/v1/chat/completions"
        a = self.auth()
        self.refused("text/plain content type", 415, "unsupported_media_type", "POST", p, chat(), self.auth(content_type="text/plain"))
        self.refused("no content type", 415, "unsupported_media_type", "POST", p, chat(), self.auth(content_type=None))
        self.refused("form-encoded body", 415, "unsupported_media_type", "POST", p, "model=x&messages=y", self.auth(content_type="application/x-www-form-urlencoded"))
        self.refused("body over the limit", 413, "request_too_large", "POST", p, {"model": "claude-sonnet", "messages": [{"role": "user", "content": "x" * MAX_BODY}]}, a)
        self.refused("not JSON", 400, "invalid_request", "POST", p, "not json", a)
        self.refused("invalid UTF-8", 400, "invalid_request", "POST", p, b"\xff\xfe{\"model\":1}", a)
        self.refused("JSON array", 400, "invalid_request", "POST", p, [chat()], a)
        self.refused("JSON null", 400, "invalid_request", "POST", p, "null", a)
        self.refused("10,000-deep nesting", 400, "invalid_request", "POST", p, '{"model":"claude-sonnet","messages":' + "[" * 10000 + "]" * 10000 + "}", a)
        self.refused("no model", 400, "invalid_request", "POST", p, {"messages": [{"role": "user", "content": "x"}]}, a)
        self.refused("empty model", 400, "invalid_request", "POST", p, chat(model=""), a)
        self.refused("numeric model", 400, "invalid_request", "POST", p, {**chat(), "model": 5}, a)
        self.refused("messages a string", 400, "invalid_request", "POST", p, {"model": "claude-sonnet", "messages": "hi"}, a)
        self.refused("a message without role", 400, "invalid_request", "POST", p, {"model": "claude-sonnet", "messages": [{"content": "x"}]}, a)
        self.refused("stream a string", 400, "invalid_request", "POST", p, chat(stream="true"), a)
        for bad in (-1, 0, 1.5, "10", True, 2**64):
            self.refused(f"max_tokens {bad!r}", 400, "invalid_request", "POST", p, chat(max_tokens=bad), a)
        self.refused("max_tokens and max_completion_tokens both", 400, "invalid_request", "POST", p, chat(max_tokens=10, max_completion_tokens=10**9), a)
        self.refused("n = 5 (would overrun the held budget)", 400, "invalid_request", "POST", p, chat(n=5), a)
        self.refused("n = 0", 400, "invalid_request", "POST", p, chat(n=0), a)
        self.refused("a 50 KB model name", 404, "model_not_found", "POST", p, chat(model="m" * 50_000), a)

    # ---- the Anthropic Messages and Responses APIs ----------------------------------------------
    def test_02b_messages_and_responses(self):
        m = "/v1/messages"
        ah = {"x-api-key": self.key, "anthropic-version": "2023-06-01", "Content-Type": "application/json"}
        msg = lambda **extra: {"model": "claude-sonnet", "max_tokens": 16,  # noqa: E731
                               "messages": [{"role": "user", "content": "hi"}], **extra}
        bad = "invalid_request_error"
        self.refused("messages: no anthropic-version", 400, bad, "POST", m, msg(), {k: v for k, v in ah.items() if k != "anthropic-version"})
        self.refused("messages: anthropic-version 'latest'", 400, bad, "POST", m, msg(), {**ah, "anthropic-version": "latest"})
        self.refused("messages: anthropic-version before 2023", 400, bad, "POST", m, msg(), {**ah, "anthropic-version": "2022-12-31"})
        self.refused("messages: unknown x-api-key", 401, "authentication_error", "POST", m, msg(), {**ah, "x-api-key": "nxv-not-bound"})
        self.refused("messages: no max_tokens", 400, bad, "POST", m, {k: v for k, v in msg().items() if k != "max_tokens"}, ah)
        self.refused("messages: max_tokens 0", 400, bad, "POST", m, msg(max_tokens=0), ah)
        self.refused("messages: empty messages", 400, bad, "POST", m, msg(messages=[]), ah)
        self.refused("messages: role tool", 400, bad, "POST", m, msg(messages=[{"role": "tool", "content": "x"}]), ah)
        self.refused("messages: numeric content", 400, bad, "POST", m, msg(messages=[{"role": "user", "content": 5}]), ah)
        self.refused("messages: stream 'yes'", 400, bad, "POST", m, msg(stream="yes"), ah)
        self.refused("messages: body over the limit", 413, "request_too_large", "POST", m, msg(messages=[{"role": "user", "content": "x" * MAX_BODY}]), ah)
        self.refused("messages: a 50 KB model name", 404, "not_found_error", "POST", m, msg(model="m" * 50_000), ah)
        # What the capsule's (Chat Completions) upstream cannot carry: refused before any call.
        doc = [{"role": "user", "content": [{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]}]
        self.refused("messages: a document block to a Chat upstream", 400, bad, "POST", m, msg(messages=doc), ah)
        self.refused("messages: a server tool to a Chat upstream", 400, bad, "POST", m, msg(tools=[{"type": "web_search_20250305", "name": "web_search"}]), ah)
        self.refused("count_tokens: no anthropic-version", 400, bad, "POST", "/v1/messages/count_tokens", {"model": "claude-sonnet", "messages": []}, {k: v for k, v in ah.items() if k != "anthropic-version"})
        self.refused("count_tokens: no messages", 400, bad, "POST", "/v1/messages/count_tokens", {"model": "claude-sonnet"}, ah)
        r = "/v1/responses"
        a = self.auth()
        resp = lambda **extra: {"model": "claude-sonnet", "input": "hi", **extra}  # noqa: E731
        self.refused("responses: no input", 400, "invalid_request", "POST", r, {"model": "claude-sonnet"}, a)
        self.refused("responses: numeric input", 400, "invalid_request", "POST", r, resp(input=5), a)
        self.refused("responses: background", 400, "invalid_request", "POST", r, resp(background=True), a)
        self.refused("responses: max_output_tokens -1", 400, "invalid_request", "POST", r, resp(max_output_tokens=-1), a)
        self.refused("responses: previous_response_id to a Chat upstream", 400, "untranslatable_request", "POST", r, resp(previous_response_id="resp_1"), a)
        self.refused("responses: a built-in tool to a Chat upstream", 400, "untranslatable_request", "POST", r, resp(tools=[{"type": "web_search"}]), a)
        self.refused("responses: an input item of unknown type", 400, "untranslatable_request", "POST", r, resp(input=[{"type": "item_reference", "id": "x"}]), a)
        self.refused("responses: a malformed function call", 400, "invalid_request", "POST", r, resp(input=[{"type": "function_call", "call_id": "c", "name": "f", "arguments": "[1]"}]), a)
        c = "/v1/chat/completions"
        self.refused("chat: stream_options 7", 400, "invalid_request", "POST", c, chat(stream=True, stream_options=7), a)
        self.refused("chat: include_usage 'yes'", 400, "invalid_request", "POST", c, chat(stream=True, stream_options={"include_usage": "yes"}), a)
        self.refused("chat: stream_options without stream", 400, "invalid_request", "POST", c, chat(stream_options={"include_usage": True}), a)
        # An error repeats at most 64 characters of what it was sent.
        status, answer = self.request("POST", c, chat(model="m" * 50_000), a)
        self.assertEqual(status, 404)
        self.assertLess(len(answer["error"]["message"]), 300)
        CASES.append("a 50 KB model name: 404, the message bounded")
        # Every answer names its request.
        status, answer = self.request("POST", m, msg(), {**ah, "x-api-key": "nxv-not-bound"})
        self.assertEqual(answer["type"], "error")
        self.assertTrue(answer["request_id"].startswith("req_"))

    # ---- routes -------------------------------------------------------------------------------
    def test_03_routes(self):
        a = self.auth()
        self.refused("GET on completions", 405, "method_not_allowed", "GET", "/v1/chat/completions", None, a)
        self.refused("DELETE on models", 405, "method_not_allowed", "DELETE", "/v1/models", None, a)
        self.refused("POST on health", 405, "method_not_allowed", "POST", "/health", {}, a)
        self.refused("unknown route /v1/embeddings", 404, "unknown_route", "POST", "/v1/embeddings", {}, a)
        self.refused("unknown route /admin/v2/x", 404, "unknown_route", "GET", "/admin/v2/x", None, a)
        self.refused("path traversal", 404, "unknown_route", "GET", "/v1/../../etc/passwd", None, a)

    # ---- the operator's API -----------------------------------------------------------------------
    def test_04_operator(self):
        self.refused("endpoints list without token", 401, "wrong admin token", "GET", "/admin/v1/endpoints")
        self.refused("endpoints list with a seeker's key", 401, "wrong admin token", "GET", "/admin/v1/endpoints", None, self.auth())
        self.refused("receipts with a wrong token", 401, "wrong admin token", "GET", f"/admin/v1/sessions/{self.session}/receipts", None, {"Authorization": "Bearer nope"})
        self.refused("bad session id without token (token first)", 401, "wrong admin token", "GET", "/admin/v1/sessions/abc/receipts")
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        self.refused("bad session id", 400, "the session id and `from` must be unsigned integers, `limit` a count", "GET", "/admin/v1/sessions/abc/receipts", None, admin)
        self.refused("negative limit", 400, "the session id and `from` must be unsigned integers, `limit` a count", "GET", f"/admin/v1/sessions/{self.session}/receipts?limit=-1", None, admin)
        status, page = self.request("GET", f"/admin/v1/sessions/{self.session}/receipts?limit=99999999", headers=admin)
        self.assertEqual((status, isinstance(page, list)), (200, True))
        CASES.append("a page limit of 99,999,999 answered (served at most 10,000 at a time)")

    # ---- endpoint registrations -----------------------------------------------------------------
    def capture(self, capsule, gateway=None, genesis=None):
        """The registration the `nexus` CLI signs for `capsule`, captured by a stub gateway that
        answers /health with `gateway` and `genesis` (the real ones by default)."""
        captured = {}
        health = {"gateway": 0 if gateway is None else gateway, "chain": {"genesis": genesis or self.genesis}}

        class Stub(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                body = json.dumps(health).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):  # noqa: N802
                captured.update(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                body = json.dumps({"capsule": capsule, "commitment": "0x"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_):
                pass

        stub = http.server.HTTPServer(("127.0.0.1", 0), Stub)
        threading.Thread(target=stub.serve_forever, daemon=True).start()
        try:
            self.net.cli(
                "//Bob", "capsule", "endpoint", str(capsule), "--gateway", f"http://127.0.0.1:{stub.server_port}",
                "--endpoint", self.good, "--credential", "sk-good",
            )
        finally:
            stub.shutdown()
            stub.server_close()
        return captured

    def test_05_registrations(self):
        p = "/admin/v1/endpoints"
        j = {"Content-Type": "application/json"}
        valid = self.capture(self.sonnet)
        now = int(time.time() * 1000)
        self.refused("registration: not JSON", 400, None, "POST", p, "{", j)
        self.refused("registration: wrong content type", 415, "Send the request body as JSON, with `Content-Type: application/json`.", "POST", p, valid, {"Content-Type": "text/plain"})
        self.refused("registration: unknown field", 400, None, "POST", p, {**valid, "admin": True}, j)
        self.refused("registration: missing signature", 400, None, "POST", p, {k: v for k, v in valid.items() if k != "signature"}, j)
        self.refused("registration: ftp endpoint", 400, None, "POST", p, {**valid, "endpoint": "ftp://127.0.0.1/x"}, j)
        self.refused("registration: file endpoint", 400, None, "POST", p, {**valid, "endpoint": "file:///etc/passwd"}, j)
        self.refused("registration: 4,097-byte credential", 400, None, "POST", p, {**valid, "credential": "c" * 4097}, j)
        self.refused("registration: body over 16 KiB", 413, None, "POST", p, {**valid, "credential": "c" * 20000}, j)
        self.refused("registration: timestamp 6 min old", 400, None, "POST", p, {**valid, "timestampMs": now - 360_000}, j)
        self.refused("registration: timestamp u64::MAX", 400, None, "POST", p, {**valid, "timestampMs": 2**64 - 1}, j)
        self.refused("registration: unknown capsule", 404, None, "POST", p, {**valid, "capsule": 999_999}, j)
        self.refused("registration: signature not hex", 400, None, "POST", p, {**valid, "signature": "zz"}, j)
        self.refused("registration: 65-byte signature", 400, None, "POST", p, {**valid, "signature": "0x" + "00" * 65}, j)
        self.refused("registration: a stranger's signature", 401, "the signature is not the capsule owner's", "POST", p, {**valid, "signature": "0x" + "11" * 64}, j)
        self.refused("registration: credential swapped after signing", 401, "the signature is not the capsule owner's", "POST", p, {**valid, "credential": "sk-other"}, j)
        self.refused("registration: another capsule of the owner", 401, "the signature is not the capsule owner's", "POST", p, {**valid, "capsule": self.gpt5}, j)
        foreign = self.capture(self.sonnet, genesis="0x" + "ab" * 32)
        self.refused("registration: signed for a foreign chain", 401, "the signature is not the capsule owner's", "POST", p, foreign, j)
        other = self.capture(self.sonnet, gateway=7)
        self.refused("registration: signed for another gateway", 401, "the signature is not the capsule owner's", "POST", p, other, j)
        # A replay of the owner's own registration within its window is the same registration:
        # accepted, and nothing changes.
        before = self.state()
        for _ in range(2):
            status, _answer = self.request("POST", p, valid, j)
            self.assertEqual(status, 200)
        self.assertEqual(self.state(), before)
        CASES.append("registration: replayed within its window (idempotent)")

    # ---- slow and abrupt clients ------------------------------------------------------------------
    def connect(self, rcvbuf=None):
        port = int(self.net.gw.rsplit(":", 1)[1])
        s = socket.socket()
        if rcvbuf:
            # Before connecting, so that the advertised window stays small.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(20)
        s.connect(("127.0.0.1", port))
        return s

    def test_06_trickled_headers_are_cut_off(self):
        before = self.state()
        s = self.connect()
        s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
        started = time.time()
        data = s.recv(4096)
        elapsed = time.time() - started
        s.close()
        self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 408"), data)
        self.assertGreaterEqual(elapsed, HEADER_TIMEOUT - 1)
        self.assertLess(elapsed, HEADER_TIMEOUT + 5)
        self.assertEqual(self.state(), before)
        CASES.append("slowloris: request head never finished")

    def test_07_trickled_body_gets_408(self):
        before = self.state()
        s = self.connect()
        head = (
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {self.key}\r\nContent-Length: 1000\r\n\r\n"
        )
        s.sendall(head.encode() + b'{"model":')
        started = time.time()
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        elapsed = time.time() - started
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 408"), data)
        self.assertGreaterEqual(elapsed, BODY_TIMEOUT - 1)
        self.assertLess(elapsed, BODY_TIMEOUT + 5)
        self.assertEqual(self.state(), before)
        CASES.append("slow body: body never finished")

    def test_08_idle_connections_cannot_lock_out_others(self):
        idle = [self.connect() for _ in range(MAX_CONNECTIONS + 4)]
        started = time.time()
        status, _ = self.request("GET", "/health", timeout=30)
        elapsed = time.time() - started
        self.assertEqual(status, 200)
        # Served only once the idle ones were dropped by the header timeout, not before.
        self.assertGreaterEqual(elapsed, HEADER_TIMEOUT - 1)
        closed = 0
        for s in idle:
            s.settimeout(HEADER_TIMEOUT + 5)
            try:
                closed += s.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                pass
            s.close()
        self.assertGreaterEqual(closed, MAX_CONNECTIONS)
        CASES.append(f"{MAX_CONNECTIONS + 4} idle connections held open")

    def test_09_a_seeker_who_stops_reading_cannot_pin_the_stream(self):
        served = self.net.health()["receipts"].get("served", 0)
        s = self.connect(rcvbuf=4096)
        body = json.dumps(chat(model="gpt-5-codex", stream=True)).encode()
        head = (
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {self.key}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        s.sendall(head.encode() + body)
        self.assertTrue(s.recv(1024).startswith(b"HTTP/1.1 200"))
        # Never read again: the gateway drops this seeker after its patience (the upstream
        # timeout) and meters the whole stream anyway.
        wait_until(
            "the unread stream to be metered",
            lambda: self.net.health()["receipts"].get("served", 0) > served,
            timeout=60,
        )
        self.__class__.stalled = s  # kept open for the shutdown test
        self.assertEqual(self.net.mock_stats("bulk")["streamed"], 1)
        CASES.append("a stream the seeker stops reading")

    def test_10_a_seeker_who_hangs_up_is_still_metered(self):
        served = self.net.health()["receipts"].get("served", 0)
        slow_before = self.net.mock_stats("slow")["served"]
        s = self.connect()
        body = json.dumps(chat(model="gpt-5")).encode()
        head = (
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {self.key}\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        s.sendall(head.encode() + body)
        time.sleep(0.5)
        s.close()  # while the upstream is still working (2.5 s)
        wait_until("the upstream to answer", lambda: self.net.mock_stats("slow")["served"] > slow_before, timeout=30)
        wait_until(
            "the abandoned request to be metered",
            lambda: self.net.health()["receipts"].get("served", 0) > served,
            timeout=30,
        )
        receipts = [r for r in self.net.receipts(self.session) if r["capsule"] == self.gpt5]
        self.assertEqual([r["outcome"] for r in receipts], ["served"])
        CASES.append("a client that hangs up mid-request")

    def test_99_a_stalled_client_cannot_hold_a_shutdown(self):
        # A client that never reads its stream is still connected (test 9).
        gateway = self.net.gateway
        started = time.time()
        os.kill(gateway.proc.pid, signal.SIGTERM)
        gateway.proc.wait(timeout=45)
        elapsed = time.time() - started
        self.assertLess(elapsed, 40, "the gateway did not stop")
        stalled = getattr(self.__class__, "stalled", None)
        self.assertIsNotNone(stalled, "test 9 left no stalled client: this test would prove nothing")
        stalled.close()
        CASES.append("SIGTERM while a client stalls")


if __name__ == "__main__":
    unittest.main()
