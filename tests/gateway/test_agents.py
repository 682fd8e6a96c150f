"""The real coding agents through the gateway, offline: Claude Code (`claude -p`, Anthropic
Messages) and Codex CLI (`codex exec`, OpenAI Responses), each pointed at nexus-gateway with a
session key as its API key, against a real dev node and mock upstreams in the agents' own
formats. Each answer is served, and its receipt settles on chain with its prompt-cache units.

The agents are the npm packages pinned in tests/agents/package.json (scripts/setup.sh installs
them); the environment and configuration are the ones docs/gateway.md gives users.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

from harness import Network

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AGENTS = os.path.join(ROOT, "tests", "agents", "node_modules", ".bin")
CLAUDE = os.path.join(AGENTS, "claude")
CODEX = os.path.join(AGENTS, "codex")


def claude_env(home, gateway, key, model):
    """What a Claude Code user sets to use a Nexus Vault session (docs/gateway.md)."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": home,
        "ANTHROPIC_BASE_URL": gateway,
        "ANTHROPIC_API_KEY": key,
        "ANTHROPIC_MODEL": model,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": model,
        "ANTHROPIC_DEFAULT_SONNET_MODEL": model,
        "ANTHROPIC_DEFAULT_OPUS_MODEL": model,
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
    }


def codex_config(gateway, model):
    """A Codex provider for a Nexus Vault gateway (docs/gateway.md)."""
    return f"""model = "{model}"
model_provider = "nexus"

[model_providers.nexus]
name = "Nexus Vault"
base_url = "{gateway}/v1"
env_key = "NEXUS_API_KEY"
wire_api = "responses"
"""


@unittest.skipUnless(os.access(CLAUDE, os.X_OK) and os.access(CODEX, os.X_OK),
                     "the agents are not installed: run scripts/setup.sh")
class AgentsTest(unittest.TestCase):
    net = None

    @classmethod
    def setUpClass(cls):
        cls.net = net = Network()
        try:
            anth = net.start_mock("anth", "sk-anth")
            resp = net.start_mock("resp", "sk-resp", cache_min_tokens=64)
            net.start_gateway()
            with ThreadPoolExecutor(3) as pool:
                bob = pool.submit(lambda: net.provider_capsule(
                    "//Bob", "claude-sonnet", anth, "sk-anth", 1800, 9000,
                    wire=("anthropic-messages", "claude-sonnet-4-6")))
                charlie = pool.submit(lambda: net.provider_capsule(
                    "//Charlie", "gpt-5-codex", resp, "sk-resp", 750, 6000,
                    wire=("openai-responses", "gpt-5-codex")))
                ferdie = pool.submit(lambda: net.seeker_session("//Ferdie", 50))
                cls.claude_capsule, cls.codex_capsule = bob.result(), charlie.result()
                cls.session, cls.key = ferdie.result()
            cls.home = tempfile.mkdtemp(prefix="nexus-agents-")
        except BaseException:
            net.close()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.net:
            cls.net.close()
            shutil.rmtree(cls.home, ignore_errors=True)

    def run_agent(self, args, env, cwd):
        res = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, timeout=240)
        self.assertEqual(res.returncode, 0, f"{args[0]}: {res.stdout[-2000:]}\n{res.stderr[-3000:]}")
        return res.stdout

    def served_by(self, capsule):
        return [r for r in self.net.receipts(self.session)
                if r["capsule"] == capsule and r["outcome"] == "served"]

    def test_01_claude_code(self):
        home = os.path.join(self.home, "claude")
        os.makedirs(home, exist_ok=True)
        # The upstream's own model id (an alias of the claude-sonnet offering on chain), which
        # Claude Code recognizes.
        env = claude_env(home, self.net.gw, self.key, "claude-sonnet-4-6")
        before = self.net.mock_stats("anth")["messages"]
        # A conversation of two turns (`--continue` resumes it).
        for args in (["Say hello."], ["Say hello again.", "--continue"]):
            out = json.loads(self.run_agent(
                [CLAUDE, "-p", *args, "--output-format", "json"], env, home))
            self.assertFalse(out.get("is_error"), out)
            self.assertIn("nexus vault routes", out["result"])
        self.assertGreaterEqual(self.net.mock_stats("anth")["messages"], before + 2)
        served = self.served_by(self.claude_capsule)
        self.assertGreaterEqual(len(served), 2)
        # Claude Code marks its system prompt and history for caching: the first turn writes
        # the cache, the second reads what the first wrote.
        self.assertGreater(sum(r["cacheWriteUnits"] for r in served), 0)
        self.assertGreater(sum(r["cacheReadUnits"] for r in served), 0)

    def test_02_codex_exec(self):
        codex_home = os.path.join(self.home, "codex")
        work = os.path.join(self.home, "codex-work")
        os.makedirs(codex_home, exist_ok=True)
        os.makedirs(work, exist_ok=True)
        with open(os.path.join(codex_home, "config.toml"), "w") as f:
            f.write(codex_config(self.net.gw, "gpt-5-codex"))
        env = {"PATH": os.environ["PATH"], "HOME": self.home, "CODEX_HOME": codex_home,
               "NEXUS_API_KEY": self.key}
        before = self.net.mock_stats("resp")["responses"]
        out = self.run_agent([CODEX, "exec", "--skip-git-repo-check", "Say hello."], env, work)
        self.assertIn("nexus vault routes", out)
        # The same conversation, resumed: its prefix is read from the upstream's cache.
        out = self.run_agent([CODEX, "exec", "--skip-git-repo-check", "resume", "--last", "And again."],
                             env, work)
        self.assertIn("nexus vault routes", out)
        self.assertGreaterEqual(self.net.mock_stats("resp")["responses"], before + 2)
        served = self.served_by(self.codex_capsule)
        self.assertGreaterEqual(len(served), 2)
        self.assertGreater(sum(r["cacheReadUnits"] for r in served), 0)

    def test_99_the_agents_requests_settle_with_their_cache_units(self):
        net = self.net
        net.wait_settled()
        receipts = net.receipts(self.session)
        served = [r for r in receipts if r["outcome"] == "served"]
        self.assertTrue(served)
        self.assertTrue(all(r["state"] == "settled" for r in served), served)
        chain = net.cli(None, "session", "show", str(self.session))
        self.assertEqual(int(chain["spent"]), sum(int(r["net"]) for r in served))
        cached = next(r for r in served if r["cacheReadUnits"] > 0)
        leaf = net.cli(None, "receipt", "--gateway", net.gw, "--api-key", self.key,
                       "--seq", str(cached["seq"]))
        self.assertEqual((leaf["verdict"], leaf["verified"]), ("settled", True))
        self.assertEqual(leaf["units"]["cacheRead"], cached["cacheReadUnits"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
