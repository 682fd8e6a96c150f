"""Gateway benchmark: the latency the gateway adds over calling the upstream directly (same
client, same run, requests interleaved), and requests per second through the gateway with every
receipt committed to its store before the response, then how fast the chain settles them.
With --sustained SECONDS: only a sustained `hey` load, served and settled rates side by side,
the settlement lag, and every receipt finalized and charged once.

Run by scripts/bench-gateway.sh; prints the figures docs/performance.md records.
"""

import argparse
import json
import os
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


def metric(text, name, labels=None):
    """The value of one Prometheus sample (0 when absent)."""
    sel = "" if labels is None else "{" + labels + "}"
    m = re.search(rf"^nexus_gateway_{re.escape(name)}{re.escape(sel)} ([\d.e+]+)", text, re.M)
    return float(m.group(1)) if m else 0.0


WRK_SCRIPT = """
-- POSTs the completion request, the sessions' keys in turn (given after `--`).
local keys, n = {}, 0
function init(args) for _, k in ipairs(args) do keys[#keys + 1] = k end end
function request()
  n = n + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. keys[n % #keys + 1]}, [[@BODY@]])
end
"""


def sustained(net, keys, args):
    """`wrk` through the gateway for --sustained seconds (`--connections` connections on two
    threads, the session keys in turn), sampling the gateway's counters every 10 s: served and
    settled rates over the same window, the most receipts pending, the settlement lag; then
    waits until every served receipt is finalized and checks each session's spend on chain.
    (`hey` keeps every result in memory for its report, which on a long run costs more CPU
    than the gateway it loads; `wrk` does not.)"""
    import tempfile
    import urllib.request
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk; scripts/setup.sh does)")
    body = json.dumps({"model": "claude-sonnet", "messages": MESSAGES})
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(WRK_SCRIPT.replace("@BODY@", body))
    script.close()
    loads = [subprocess.Popen(
        ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.sustained}s", "-s", script.name,
         f"{net.gw}/v1/chat/completions", "--", *keys.values()],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)]
    scrape = lambda: urllib.request.urlopen(f"{net.gw}/metrics", timeout=10).read().decode()  # noqa: E731
    first = scrape()
    served0 = metric(first, "receipts_total", 'state="served"')
    settled0 = metric(first, "receipts_total", 'state="settled"')
    t0 = time.perf_counter()
    samples, max_pending = [], 0
    while any(h.poll() is None for h in loads):
        time.sleep(10)
        text = scrape()
        pending = metric(text, "receipts_pending")
        max_pending = max(max_pending, pending)
        samples.append((time.perf_counter() - t0, metric(text, "receipts_total", 'state="served"') - served0,
                        metric(text, "receipts_total", 'state="settled"') - settled0, pending))
    elapsed = time.perf_counter() - t0
    out = loads[0].communicate()[0]
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total_requests = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    statuses = {"2xx": total_requests - (int(non2xx.group(1)) if non2xx else 0),
                "other": int(non2xx.group(1)) if non2xx else 0}
    end = scrape()
    served = metric(end, "receipts_total", 'state="served"') - served0
    settled_during = metric(end, "receipts_total", 'state="settled"') - settled0
    t = time.perf_counter()
    net.wait_settled(timeout=1800)
    drain = time.perf_counter() - t
    end = scrape()
    settled = metric(end, "receipts_total", 'state="settled"') - settled0
    rejected = metric(end, "receipts_total", 'state="rejected"')
    # The settlement lag: the smallest histogram bucket holding every receipt.
    buckets = [(float(le), float(n)) for le, n in re.findall(
        r'^nexus_gateway_settlement_lag_seconds_bucket\{le="([\d.]+)"\} ([\d.e+]+)', end, re.M)]
    total = metric(end, "settlement_lag_seconds_count")
    lag_max = next((le for le, n in buckets if n >= total), float("inf"))
    lag_mean = metric(end, "settlement_lag_seconds_sum") / total if total else 0
    for session, key in keys.items():
        receipts = net.receipts(session)
        assert all(r["state"] == "settled" for r in receipts), f"session {session}: not all settled"
        spent = int(net.cli(None, "session", "show", str(session))["spent"])
        assert spent == sum(int(r["net"]) for r in receipts), f"session {session}: spend != receipts"
    print(f"\nSustained load: wrk, {args.connections} connections, {len(keys)} sessions' keys in turn, {args.sustained} s")
    print(f"  served        {served:9.0f} receipts, {served / elapsed:8.1f} /s (wrk: {rps:.1f} req/s; responses {statuses})")
    print(f"  settled       {settled_during:9.0f} receipts finalized during the run, {settled_during / elapsed:8.1f} /s; "
          f"the rest ({served - settled_during:.0f}) in {drain:.1f} s after it")
    print(f"  pending       at most {max_pending:.0f} receipts (sampled every 10 s)")
    print(f"  lag           request → verdict in a finalized block: mean {lag_mean:.1f} s, all within {lag_max:g} s")
    print(f"  every served receipt finalized: {settled == served} ({settled:.0f} of {served:.0f}; {rejected:.0f} rejected); "
          "each session's spend on chain = the sum of its receipts")
    print("  samples (s, served, settled, pending): " + " ".join(
        f"({a:.0f},{b:.0f},{c:.0f},{d:.0f})" for a, b, c, d in samples))
    assert settled == served and rejected == 0


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
    ap.add_argument("--sustained", type=int, default=0, metavar="SECONDS",
                    help="only the sustained load: hey through the gateway for this long")
    ap.add_argument("--sessions", type=int, default=4, help="sessions (keys) of the sustained load")
    ap.add_argument("--connections", type=int, default=32, help="connections of the sustained load")
    args = ap.parse_args()

    net = Network()
    try:
        upstream = net.start_mock("bench", "sk-bench", latency_ms=args.upstream_latency_ms)
        net.start_gateway()
        # Capacity for the sustained load: 40 units a request, up to an hour at 5,000 requests/s.
        net.provider_capsule("//Bob", "claude-sonnet", upstream, "sk-bench", 1800, 9000,
                             concurrency=256, capacity=1_000_000_000, window="hour")
        # Enterprise tier: a rate limit the run cannot reach, full capsule share.
        net.cli("//Eve", "tier", "stake", "250000NXV")
        if args.sustained:
            keys = dict(net.seeker_session("//Eve", 1000) for _ in range(args.sessions))
            sustained(net, keys, args)
            return
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
