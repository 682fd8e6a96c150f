"""Gateway benchmark: the latency the gateway adds over calling the upstream directly (same
client, same run, requests interleaved), and requests per second through the gateway with every
receipt committed to its store before the response, then how fast the chain settles them.

Run by scripts/bench-gateway.sh; prints the figures docs/performance.md records.
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import threading
import time

import openai

from harness import Network, wait_until

MESSAGES = [{"role": "user", "content": "benchmark request"}]


def percentile(samples, p):
    s = sorted(samples)
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def timed(client, model):
    t = time.perf_counter()
    client.chat.completions.create(model=model, messages=MESSAGES)
    return (time.perf_counter() - t) * 1000


def throughput(client, model, threads, seconds):
    done, errors = [0] * threads, [0] * threads
    stop = time.perf_counter() + seconds

    def work(i):
        while time.perf_counter() < stop:
            try:
                client.chat.completions.create(model=model, messages=MESSAGES)
                done[i] += 1
            except Exception:  # noqa: BLE001 - counted
                errors[i] += 1

    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.perf_counter() - start
    return sum(done), sum(errors), elapsed


def hey(url, key, seconds, connections):
    """`hey` (Debian's HTTP load generator) against `url` for `seconds`: requests/s and the
    count of each status."""
    body = json.dumps({"model": "claude-sonnet", "messages": MESSAGES})
    out = subprocess.run(
        ["hey", "-z", f"{seconds}s", "-c", str(connections), "-m", "POST", "-T", "application/json",
         "-H", f"Authorization: Bearer {key}", "-d", body, url],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    statuses = {int(c): int(n) for c, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", out)}
    return rps, statuses


def commit_groups(net):
    """(commits, receipts) from the gateway's group-commit histogram (0, 0 before it existed)."""
    import urllib.request
    text = urllib.request.urlopen(f"{net.gw}/metrics", timeout=10).read().decode()
    count = re.search(r"^nexus_gateway_receipt_commit_group_size_count (\d+)", text, re.M)
    total = re.search(r"^nexus_gateway_receipt_commit_group_size_sum (\d+)", text, re.M)
    return (int(count.group(1)), int(total.group(1))) if count and total else (0, 0)


def hey_rounds(net, key, upstream, args):
    """The HTTP load of `hey` through the gateway (and, with --compare-gateway, through another
    gateway binary on the same store, in alternating rounds), beside the upstream directly."""
    if shutil.which("hey") is None:
        raise SystemExit("hey is not installed (Debian: apt-get install hey)")
    binaries = [("this gateway", None)]
    if args.compare_gateway:
        binaries.append((args.compare_gateway, args.compare_gateway))
    results = {name: [] for name, _ in binaries}
    direct = []
    for _ in range(args.hey_rounds):
        direct.append(hey(f"{upstream}/chat/completions", "sk-bench", args.seconds, args.threads)[0])
        for name, binary in binaries:
            net.gateway.stop()
            net.start_gateway(binary=binary)
            before = commit_groups(net)
            rps, statuses = hey(f"{net.gw}/v1/chat/completions", key, args.seconds, args.threads)
            after = commit_groups(net)
            commits, receipts = after[0] - before[0], after[1] - before[1]
            results[name].append((rps, statuses, commits, receipts))
    print(f"\nhey, {args.threads} connections, {args.seconds} s per round, {args.hey_rounds} rounds "
          "(alternating)")
    print(f"  direct to upstream   " + "  ".join(f"{r:8.1f}" for r in direct) + " req/s")
    for name, rounds in results.items():
        figures = "  ".join(f"{r[0]:8.1f}" for r in rounds)
        statuses = [r[1] for r in rounds]
        groups = [f"{r[3] / r[2]:.1f}" if r[2] else "-" for r in rounds]
        print(f"  {name}: {figures} req/s; statuses {statuses}; receipts per commit {groups}")
    if args.compare_gateway:
        mine = statistics.mean(r[0] for r in results["this gateway"])
        other = statistics.mean(r[0] for r in results[args.compare_gateway])
        print(f"  ratio this / compared: {mine / other:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=500, help="latency samples per path")
    ap.add_argument("--threads", type=int, default=16, help="concurrent clients for req/s")
    ap.add_argument("--seconds", type=int, default=20, help="length of the req/s run")
    ap.add_argument("--upstream-latency-ms", type=int, default=0)
    ap.add_argument("--hey-rounds", type=int, default=0,
                    help="then load the gateway with hey (Debian) for this many rounds")
    ap.add_argument("--compare-gateway", metavar="BINARY",
                    help="with --hey-rounds: alternate rounds with this gateway binary")
    args = ap.parse_args()

    net = Network()
    try:
        upstream = net.start_mock("bench", "sk-bench", latency_ms=args.upstream_latency_ms)
        net.start_gateway()
        net.provider_capsule("//Bob", "claude-sonnet", upstream, "sk-bench", 1800, 9000, concurrency=256)
        # Enterprise tier: a rate limit the run cannot reach, full capsule share.
        net.cli("//Eve", "tier", "stake", "250000NXV")
        session, key = net.seeker_session("//Eve", 1000)
        gw = openai.OpenAI(base_url=f"{net.gw}/v1", api_key=key, max_retries=0, timeout=30)
        direct = openai.OpenAI(base_url=upstream, api_key="sk-bench", max_retries=0, timeout=30)

        for _ in range(20):
            timed(gw, "claude-sonnet")
            timed(direct, "claude-sonnet")
        lat_gw, lat_direct = [], []
        for _ in range(args.requests):
            lat_direct.append(timed(direct, "claude-sonnet"))
            lat_gw.append(timed(gw, "claude-sonnet"))

        served_before = net.health()["receipts"].get("served", 0)
        d_ok, d_err, d_s = throughput(direct, "claude-sonnet", args.threads, args.seconds)
        g_ok, g_err, g_s = throughput(gw, "claude-sonnet", args.threads, args.seconds)
        persisted = net.health()["receipts"].get("served", 0) - served_before
        t = time.perf_counter()
        pending = net.health()["receipts"]["pending"]
        net.wait_settled(timeout=1800)
        settle_s = time.perf_counter() - t
        receipts = net.receipts(session)
        settled = sum(1 for r in receipts if r["state"] == "settled")
        spent = int(net.cli(None, "session", "show", str(session))["spent"])
        assert spent == sum(int(r["net"]) for r in receipts if r["state"] == "settled")

        p = lambda xs, q: percentile(xs, q)  # noqa: E731
        print(f"\nGateway benchmark (mock upstream latency {args.upstream_latency_ms} ms, "
              f"{args.requests} sequential requests per path, interleaved)")
        print(f"  direct to upstream   p50 {p(lat_direct, 50):7.2f} ms   p99 {p(lat_direct, 99):7.2f} ms   mean {statistics.mean(lat_direct):7.2f} ms")
        print(f"  through the gateway  p50 {p(lat_gw, 50):7.2f} ms   p99 {p(lat_gw, 99):7.2f} ms   mean {statistics.mean(lat_gw):7.2f} ms")
        print(f"  added by the gateway p50 {p(lat_gw, 50) - p(lat_direct, 50):7.2f} ms   p99 {p(lat_gw, 99) - p(lat_direct, 99):7.2f} ms")
        print(f"\nThroughput ({args.threads} concurrent clients, {args.seconds} s each)")
        print(f"  direct to upstream   {d_ok / d_s:8.1f} req/s ({d_err} errors)")
        print(f"  through the gateway  {g_ok / g_s:8.1f} req/s ({g_err} errors), "
              f"{persisted} receipts committed to the store before their responses")
        print(f"\nSettlement: {pending} receipts pending after the run settled in {settle_s:.1f} s "
              f"({pending / settle_s if settle_s else 0:.1f} receipts/s); "
              f"{settled} settled in all, session spend = their sum")
        assert persisted == g_ok, (persisted, g_ok)
        if args.hey_rounds:
            hey_rounds(net, key, upstream, args)
    finally:
        net.close()


if __name__ == "__main__":
    main()
