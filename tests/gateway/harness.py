"""Processes for the gateway tests: a real `nexus-node --dev`, `nexus-mock-upstream`s and
`nexus-gateway`, driven with the `nexus` CLI (chain calls) and the official `openai` client.

Binaries come from $CARGO_TARGET_DIR/release (scripts/lib.sh builds them), or from
NEXUS_NODE / NEXUS_CLI / NEXUS_GATEWAY / NEXUS_MOCK_UPSTREAM.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

TARGET = os.environ.get(
    "CARGO_TARGET_DIR", os.path.expanduser("~/.cache/nexus-vault/target")
)


def binary(env, name):
    return os.environ.get(env) or os.path.join(TARGET, "release", name)


NODE = binary("NEXUS_NODE", "nexus-node")
CLI = binary("NEXUS_CLI", "nexus")
GATEWAY = binary("NEXUS_GATEWAY", "nexus-gateway")
MOCK = binary("NEXUS_MOCK_UPSTREAM", "nexus-mock-upstream")

ADMIN_TOKEN = "test-admin-token"
# How long a starting node may take to open its RPC (see Network.start_node).
NODE_START_S = 240
USDN = 1_000_000
NXV = 10**12


# Ports handed to test processes are claimed machine-wide (the suites run side by side, and a
# port picked now is bound by its server only later): each is a file created exclusively in this
# directory, shared with the end-to-end tests (tests/e2e/lib/node.js), and taken from below the
# kernel's ephemeral range, so that no outgoing connection takes it meanwhile either. A claim
# older than three hours is stale.
PORTS_DIR = os.path.join(tempfile.gettempdir(), "nexus-test-ports")
PORTS = range(20_000, 32_000)
CLAIM_TTL_S = 3 * 3600


def free_port():
    """A TCP port on 127.0.0.1 that no other test process has claimed, claimed for this one."""
    os.makedirs(PORTS_DIR, exist_ok=True)
    rng = random.Random()
    for _ in range(10_000):
        port = rng.choice(PORTS)
        claim = os.path.join(PORTS_DIR, str(port))
        try:
            if time.time() - os.path.getmtime(claim) > CLAIM_TTL_S:
                os.unlink(claim)
        except OSError:
            pass
        try:
            os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port left in {PORTS} (claims in {PORTS_DIR})")


def http_json(url, token=None, timeout=10):
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def wait_until(what, check, timeout=120, every=0.5):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - the thing waited for is not up yet
            last = e
        time.sleep(every)
    raise TimeoutError(f"timed out waiting for {what} (last: {last!r})")


class Proc:
    """A child process with its output in a log file."""

    def __init__(self, name, args, workdir, env=None, isolate=False):
        """`isolate`: in its own session, so a Ctrl-C at the terminal reaches only the parent,
        which then stops its children in order (the demo)."""
        self.name, self.args, self.workdir, self.isolate = name, args, workdir, isolate
        self.env = {**os.environ, **(env or {})}
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc = None
        self.start()

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.args, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.workdir,
            start_new_session=self.isolate,
        )
        log.close()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n=40):
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")

    def wait_up(self, what, check, timeout):
        """`wait_until(what, check)`; when it times out, the process is stopped (a test that
        cannot start its network must not leave half of it running) and the error says whether
        it was still running (or its exit status) and ends with its log's last lines."""
        try:
            return wait_until(what, check, timeout=timeout)
        except TimeoutError as e:
            state = "still running" if self.alive() else f"exited with {self.proc.returncode}"
            self.stop(timeout=10)
            raise TimeoutError(
                f"{e}; {self.name} ({' '.join(self.args)}) {state}; its log ({self.log_path}) "
                f"ends:\n{self.log_tail()}"
            ) from None


class Network:
    """One dev node, the mock upstreams and one gateway (gateway 0, operated by Dave)."""

    def __init__(self, persistent_node=False, rpc_port=None, gw_port=None, workdir=None,
                 prometheus_port=None, isolate=False):
        """Free ports and a temporary directory unless given (the demo fixes them); `isolate`
        starts every process in its own session (see `Proc`)."""
        self.isolate = isolate
        for b in (NODE, CLI, GATEWAY, MOCK):
            if not os.access(b, os.X_OK):
                raise RuntimeError(f"{b} is not built: run scripts/build.sh")
        self.dir = workdir or tempfile.mkdtemp(prefix="nexus-gw-test-")
        os.makedirs(self.dir, exist_ok=True)
        self.keep_dir = workdir is not None
        self.rpc_port = rpc_port or free_port()
        self.p2p_port = free_port()
        self.gw_port = gw_port or free_port()
        self.prometheus_port = prometheus_port
        self.url = f"ws://127.0.0.1:{self.rpc_port}"
        self.base_path = os.path.join(self.dir, "node") if persistent_node else None
        self.mocks = {}
        self.node = None
        self.gateway = None
        self.start_node()

    # ---- node -------------------------------------------------------------------------------
    def start_node(self):
        args = [
            NODE, "--dev", "--rpc-port", str(self.rpc_port),
            "--listen-addr", f"/ip4/127.0.0.1/tcp/{self.p2p_port}",
            "--no-telemetry", "--no-mdns",
        ]
        if self.prometheus_port:
            args += ["--prometheus-port", str(self.prometheus_port)]
        else:
            args.append("--no-prometheus")
        args += ["--base-path", self.base_path] if self.base_path else ["--tmp"]
        self.node = Proc("node", args, self.dir, isolate=self.isolate)
        # A node builds its genesis (compiling the runtime) in about 8 s on an idle 2-core
        # machine, but scripts/test.sh starts every lane at once: a dozen nodes compiling the
        # runtime beside the Rust tests, where one has been seen to take over 90 s to open its
        # RPC. The wait is generous; a node that never comes up is reported with its log.
        t0 = time.monotonic()
        self.node.wait_up("the node's RPC", lambda: self.best_block() >= 0, timeout=NODE_START_S)
        self.node.wait_up("the node's first block", lambda: self.best_block() >= 1, timeout=60)
        if time.monotonic() - t0 > 30:
            print(f"(the node took {time.monotonic() - t0:.0f} s to produce its first block)")

    def best_block(self):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "chain_getHeader", "params": []})
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.rpc_port}", body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=5) as r:
            return int(json.loads(r.read())["result"]["number"], 16)

    def rpc(self, method, *params):
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.rpc_port}", body.encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            answer = json.loads(r.read())
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer["result"]

    # ---- CLI --------------------------------------------------------------------------------
    def cli(self, suri, *args, check=True):
        env = {**os.environ, "NEXUS_URL": self.url}
        if suri:
            env["NEXUS_SURI"] = suri
        else:
            env.pop("NEXUS_SURI", None)
        res = subprocess.run(
            [CLI, "--json", *args], capture_output=True, text=True, env=env, timeout=180
        )
        out = json.loads(res.stdout) if res.stdout.strip() else None
        if check and res.returncode != 0:
            raise RuntimeError(f"nexus {' '.join(args)}: {res.stderr.strip()}")
        return out

    # ---- mock upstreams ---------------------------------------------------------------------
    def start_mock(self, name, credential, port=None, **opts):
        port = port or free_port()
        args = [MOCK, "--listen", f"127.0.0.1:{port}", "--name", name, "--credential", credential]
        for k, v in opts.items():
            args += [f"--{k.replace('_', '-')}", str(v)]
        proc = Proc(f"mock-{name}", args, self.dir, isolate=self.isolate)
        base = f"http://127.0.0.1:{port}"
        proc.wait_up(f"mock {name}", lambda: http_json(f"{base}/stats"), timeout=20)
        self.mocks[name] = (proc, f"{base}/v1", credential)
        return f"{base}/v1"

    def mock_stats(self, name):
        return http_json(self.mocks[name][1].removesuffix("/v1") + "/stats")

    # ---- gateway ----------------------------------------------------------------------------
    @property
    def gw(self):
        return f"http://127.0.0.1:{self.gw_port}"

    def start_gateway(self, binary=None, **env):
        """Starts gateway 0 (`binary`, or NEXUS_GATEWAY's) on this network's data directory."""
        data = os.path.join(self.dir, "gateway-data")
        cfg = {
            "NEXUS_GATEWAY_LISTEN": f"127.0.0.1:{self.gw_port}",
            "NEXUS_GATEWAY_NODE_URL": self.url,
            "NEXUS_GATEWAY_OPERATOR_SURI": "//Dave",
            "NEXUS_GATEWAY_DATA_DIR": data,
            "NEXUS_GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
            "NEXUS_GATEWAY_UPSTREAM_TIMEOUT_MS": "10000",
            "NEXUS_GATEWAY_BATCH_INTERVAL_MS": "500",
            "RUST_LOG": "info",
        }
        cfg.update({f"NEXUS_GATEWAY_{k.upper()}": str(v) for k, v in env.items()})
        self.gateway = Proc("gateway", [binary or GATEWAY], self.dir, cfg, isolate=self.isolate)
        self.gateway.wait_up("the gateway", lambda: self.health()["status"] == "ok", timeout=60)

    def health(self):
        return http_json(f"{self.gw}/health")

    def receipts(self, session):
        """Every receipt of a session the gateway holds, in sequence order (paged)."""
        out, start = [], 0
        while True:
            page = http_json(
                f"{self.gw}/admin/v1/sessions/{session}/receipts?from={start}&limit=1000",
                ADMIN_TOKEN,
            )
            out += page
            if len(page) < 1000:
                return out
            start = page[-1]["seq"] + 1

    def wait_settled(self, timeout=240):
        """Until the gateway has nothing pending."""
        return wait_until(
            "every receipt to settle",
            lambda: self.health()["receipts"].get("pending", 0) == 0 and self.health(),
            timeout=timeout,
            every=1,
        )

    # ---- flows ------------------------------------------------------------------------------
    def provider_capsule(
        self, suri, offering, endpoint, credential, per_in, per_out, premium=False, concurrency=16,
        capacity=50_000_000, window="day", wire=None,
    ):
        """Registers a capsule and hands the gateway its endpoint: the capsule id. Prompt-cache
        units are priced as Anthropic bills them: reads at a tenth of input, writes at 1.25×.
        `capacity` units per `window` (the gateway shares them out by the hour). `wire`:
        (format, upstream model id) for a version-2 endpoint (none: a version-1 Chat
        Completions one)."""
        upstream = ["--format", wire[0], "--upstream-model", wire[1]] if wire else []
        args = [
            "capsule", "register", "--offering", offering,
            "--per-1k-input", str(per_in), "--per-1k-output", str(per_out),
            "--per-1k-cache-read", str(max(per_in // 10, 1)),
            "--per-1k-cache-write", str(per_in * 5 // 4),
            "--capacity", str(capacity), "--window", window, "--region", "eu-west",
            "--concurrency", str(concurrency),
            "--endpoint", endpoint, "--credential", credential, *upstream,
        ]
        if premium:
            args.append("--premium")
        capsule = self.cli(suri, *args)["id"]
        self.cli(
            suri, "capsule", "endpoint", str(capsule), "--gateway", self.gw,
            "--endpoint", endpoint, "--credential", credential, *upstream,
        )
        return capsule

    def seeker_session(self, suri, cap_usdn, deposit_usdn=None, asset="USDN", blocks=3000):
        """Deposits, opens a session with gateway 0 and binds a fresh key: (session, key).
        Amounts are in `asset` (USDN or NXV)."""
        self.cli(suri, "escrow", "deposit", f"{deposit_usdn or cap_usdn}{asset}", "--asset", asset)
        session = self.cli(
            suri, "session", "open", "--gateway", "0", "--asset", asset,
            "--cap", f"{cap_usdn}{asset}", "--blocks", str(blocks),
        )["id"]
        key = self.cli(suri, "session", "key", str(session))["apiKey"]
        return session, key

    def close(self):
        for p in [self.gateway, *[m[0] for m in self.mocks.values()], self.node]:
            if p is not None:
                p.stop()
        if self.keep_dir or os.environ.get("NEXUS_KEEP_TEST_DIRS"):
            print(f"kept {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
