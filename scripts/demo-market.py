"""The whole Nexus Vault market on one machine (started by scripts/demo.sh).

A `nexus-node --dev`, one `nexus-mock-upstream` per demo capsule at the endpoint its genesis
commitment names (runtime `DEMO_UPSTREAMS`), `nexus-gateway` (gateway 0, operated by //Dave),
the providers' endpoint registrations (signed by //Bob and //Charlie), three seekers in
different tiers with sessions and API keys, steady traffic from each through the gateway in
all three seeker APIs (Anthropic Messages with the official `anthropic` client, OpenAI
Responses and Chat Completions with the official `openai` client), and the dashboard. As in
real supply, the Claude capsules' upstreams speak Anthropic Messages, the Codex capsule's
OpenAI Responses and GPT-5's Chat Completions, so requests are passed through where the API
matches the upstream and translated where it does not. Prints the URLs, then one progress line every
few seconds; SIGINT/SIGTERM (Ctrl-C) stops everything it started.

When it is ready it writes `ready.json` (URLs, seekers, sessions) to its work directory, which
the browser tests read.
"""

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "gateway"))

import harness  # noqa: E402  (the process helpers the gateway tests use)
import anthropic  # noqa: E402
import openai  # noqa: E402

# The demo capsules of the development genesis, in id order: (name, endpoint port, credential,
# offering, owner, wire format, upstream model). Must match
# runtime/src/genesis_config_presets.rs `DEMO_UPSTREAMS`; the gateway refuses an endpoint that
# does not match a capsule's commitment, so a mismatch fails loudly here.
UPSTREAMS = [
    ("bob-opus", 9101, "demo-bob-opus", "claude-opus", "//Bob", "anthropic-messages", "claude-opus-4-8"),
    ("bob-sonnet", 9102, "demo-bob-sonnet", "claude-sonnet", "//Bob", "anthropic-messages", "claude-sonnet-4-6"),
    ("charlie-codex", 9103, "demo-charlie-codex", "gpt-5-codex", "//Charlie", "openai-responses", "gpt-5-codex"),
    ("charlie-gpt5", 9104, "demo-charlie-gpt5", "gpt-5", "//Charlie", "chat-completions", "gpt-5-2025-08-07"),
]

# Model ids seekers send: the offerings', and the upstreams' own ids (governance-curated
# aliases of the offerings, runtime `model_aliases`).
MODEL_IDS = {
    "claude-opus": ["claude-opus", "claude-opus-4-8"],
    "claude-sonnet": ["claude-sonnet", "claude-sonnet-4-6"],
    "gpt-5-codex": ["gpt-5-codex", "gpt-5.1-codex"],
    "gpt-5": ["gpt-5", "gpt-5-2025-08-07"],
}

# Seekers: (name, suri, NXV staked for the tier, payment asset, session cap, models, seconds
# between requests). Thresholds of the default tier table: 0 / 1,000 / 10,000 / 50,000 /
# 250,000 NXV; premium lanes from tier 2.
SEEKERS = [
    ("alice", "//Alice", 0, "USDN", 2_000, ["claude-sonnet", "gpt-5"], 4.0),
    ("eve", "//Eve", 1_000, "USDN", 5_000, ["claude-sonnet", "gpt-5"], 2.0),
    ("ferdie", "//Ferdie", 50_000, "NXV", 20_000, ["claude-opus", "gpt-5-codex", "claude-sonnet"], 1.0),
]

PROMPTS = [
    "Summarise the trade-offs of optimistic rollups in three sentences.",
    "Write a Rust function that merges two sorted vectors.",
    "Explain what a Substrate runtime API is to a web developer.",
    "Draft a short release note for a bug fix in a payment gateway.",
    "List five test cases for a rate limiter.",
]


class Traffic:
    """One seeker's steady requests through the gateway, in each of the three seeker APIs."""

    def __init__(self, name, key, models, every, gateway, stop):
        self.name, self.models, self.every, self.stop = name, models, every, stop
        self.openai = openai.OpenAI(base_url=f"{gateway}/v1", api_key=key, max_retries=0, timeout=60)
        self.anthropic = anthropic.Anthropic(base_url=gateway, api_key=key, max_retries=0, timeout=60)
        self.served = 0
        self.by_api = {"messages": 0, "responses": 0, "chat": 0}
        self.refused = {}
        self.thread = threading.Thread(target=self.run, name=f"traffic-{name}", daemon=True)

    def request(self, api, model, prompt, limit, stream):
        if api == "messages":
            messages = [{"role": "user", "content": prompt}]
            if stream:
                with self.anthropic.messages.stream(model=model, max_tokens=limit, messages=messages) as s:
                    s.get_final_message()
            else:
                self.anthropic.messages.create(model=model, max_tokens=limit, messages=messages)
        elif api == "responses":
            if stream:
                for _ in self.openai.responses.create(model=model, input=prompt, max_output_tokens=limit, stream=True):
                    pass
            else:
                self.openai.responses.create(model=model, input=prompt, max_output_tokens=limit)
        else:
            messages = [{"role": "user", "content": prompt}]
            if stream:
                for _ in self.openai.chat.completions.create(
                    model=model, messages=messages, max_tokens=limit, stream=True,
                    stream_options={"include_usage": True},
                ):
                    pass
            else:
                self.openai.chat.completions.create(model=model, messages=messages, max_tokens=limit)

    def run(self):
        rng = random.Random(self.name)
        while not self.stop.is_set():
            started = time.time()
            model = rng.choice(MODEL_IDS[rng.choice(self.models)])
            api = rng.choice(["messages", "responses", "chat"])
            try:
                self.request(api, model, rng.choice(PROMPTS), rng.randint(60, 240), rng.random() < 0.3)
                self.served += 1
                self.by_api[api] += 1
            except (openai.APIStatusError, anthropic.APIStatusError) as e:
                body = e.body if isinstance(e.body, dict) else {}
                code = body.get("code") or (body.get("error") or {}).get("type")
                kind = f"{e.status_code} {code or ''}".strip()
                self.refused[kind] = self.refused.get(kind, 0) + 1
            except Exception as e:  # noqa: BLE001 - a connection error is counted, not fatal
                kind = type(e).__name__
                self.refused[kind] = self.refused.get(kind, 0) + 1
            self.stop.wait(max(0.0, self.every - (time.time() - started)))


def dashboard(port, rpc_url, workdir):
    """`vite preview` of the built dashboard (dashboard/dist), as one process."""
    root = os.path.join(HERE, "..", "dashboard")
    vite = os.path.join(root, "node_modules", "vite", "bin", "vite.js")
    proc = harness.Proc(
        "dashboard", ["node", vite, "preview", root, "--port", str(port), "--strictPort"],
        workdir, isolate=True,
    )
    url = f"http://127.0.0.1:{port}/?rpc={rpc_url}"
    harness.wait_until(
        "the dashboard", lambda: urllib.request.urlopen(url, timeout=2).status == 200, timeout=60
    )
    return proc, url


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--rpc-port", type=int, default=9944)
    ap.add_argument("--prometheus-port", type=int, default=9615)
    ap.add_argument("--gateway-port", type=int, default=8080)
    ap.add_argument("--dashboard-port", type=int, default=8090)
    args = ap.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    say = lambda m: print(f"\033[1;34m[demo]\033[0m {m}", flush=True)  # noqa: E731

    net, dash, traffic = None, None, []
    try:
        say(f"starting nexus-node --dev (logs in {args.workdir})")
        net = harness.Network(
            rpc_port=args.rpc_port, gw_port=args.gateway_port, workdir=args.workdir,
            prometheus_port=args.prometheus_port, isolate=True,
        )
        say("starting the mock upstreams of the demo capsules")
        for name, port, credential, model, *_ in UPSTREAMS:
            net.start_mock(
                name, credential, port=port, models=model, completion_tokens=180,
                latency_ms=40, chunk_latency_ms=5,
                **({"error_rate": 0.05} if name == "charlie-gpt5" else {}),
            )
        say("starting nexus-gateway (gateway 0, //Dave)")
        # Probe every 15 s and report uptime every minute, so trust and uptime move on screen.
        net.start_gateway(probe_interval_secs=15, report_interval_secs=60)
        say("providers hand the gateway their endpoints; seekers stake, deposit and open sessions")
        for capsule, (name, port, credential, _, owner, fmt, upstream_model) in enumerate(UPSTREAMS):
            net.cli(
                owner, "capsule", "endpoint", str(capsule), "--gateway", net.gw,
                "--endpoint", f"http://127.0.0.1:{port}/v1", "--credential", credential,
                "--format", fmt, "--upstream-model", upstream_model,
            )
        sessions = {}

        def seeker(name, suri, stake, asset, cap):
            if stake:
                net.cli(suri, "tier", "stake", f"{stake}NXV")
            sessions[name] = net.seeker_session(suri, cap, asset=asset, blocks=14_400)

        threads = [
            threading.Thread(target=seeker, args=(n, s, st, a, c)) for n, s, st, a, c, _, _ in SEEKERS
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        missing = [s[0] for s in SEEKERS if s[0] not in sessions]
        if missing:
            raise RuntimeError(f"could not set up seekers {missing}: see the errors above")
        for name, _, _, _, _, models, every in SEEKERS:
            t = Traffic(name, sessions[name][1], models, every, net.gw, stop)
            t.thread.start()
            traffic.append(t)
        say("starting the dashboard")
        dash, dash_url = dashboard(args.dashboard_port, net.url, args.workdir)
        ready = {
            "rpc": net.url,
            "rpcHttp": f"http://127.0.0.1:{net.rpc_port}",
            "gateway": net.gw,
            "dashboard": dash_url,
            "prometheus": f"http://127.0.0.1:{args.prometheus_port}/metrics",
            "seekers": {
                s[0]: {"suri": s[1], "asset": s[3], "session": sessions[s[0]][0]} for s in SEEKERS
            },
        }
        with open(os.path.join(args.workdir, "ready.json.tmp"), "w") as f:
            json.dump(ready, f, indent=2)
        os.replace(os.path.join(args.workdir, "ready.json.tmp"), os.path.join(args.workdir, "ready.json"))
        print(f"""
  The Nexus Vault market is running.

  Dashboard:            {dash_url}
  Node RPC (ws + http): {net.url}
  polkadot.js apps:     https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A{net.rpc_port}#/explorer
  Gateway:              {net.gw}  (Anthropic Messages at /v1/messages, OpenAI Responses and
                        Chat Completions under /v1; metrics {net.gw}/metrics)
  Node metrics:         http://127.0.0.1:{args.prometheus_port}/metrics
  Logs:                 {args.workdir}

  Seekers: alice (tier 0, USDN), eve (tier 1, USDN), ferdie (tier 3, NXV, premium lanes)
  Capsules 0-3 (Bob, Charlie) serve through mock upstreams on ports 9101-9104.
  Press Ctrl-C to stop everything.
""", flush=True)
        while not stop.wait(10):
            for p in [net.node, net.gateway, *[m[0] for m in net.mocks.values()]]:
                if not p.alive():
                    raise RuntimeError(f"{p.name} exited; its log:\n{p.log_tail()}")
            flows = net.rpc("nexus_flows")
            settled = sum(f["receipts"] for f in flows)
            pending = net.health()["receipts"].get("pending", 0)
            served = " ".join(f"{t.name} {t.served}" for t in traffic)
            apis = {a: sum(t.by_api[a] for t in traffic) for a in ("messages", "responses", "chat")}
            served += " (" + ", ".join(f"{a} {n}" for a, n in apis.items()) + ")"
            refused = {}
            for t in traffic:
                for k, v in t.refused.items():
                    refused[k] = refused.get(k, 0) + v
            refusals = ", ".join(f"{v}× {k}" for k, v in sorted(refused.items())) or "none"
            say(
                f"block #{net.best_block()} · served {served} · refused {refusals} · "
                f"settled on chain {settled} · pending {pending}"
            )
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        say("stopping")
        for t in traffic:
            t.thread.join(timeout=5)
        if dash is not None:
            dash.stop(timeout=10)
        if net is not None:
            net.close()
        say("stopped")


if __name__ == "__main__":
    main()
