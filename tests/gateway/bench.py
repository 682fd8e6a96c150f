"""Gateway benchmark: the latency the gateway adds over calling the upstream directly (same
client, same run, requests interleaved), and requests per second through the gateway with every
receipt committed to its store before the response, then how fast the chain settles them.

Run by scripts/bench-gateway.sh; prints the figures docs/performance.md records.
"""

import argparse
import statistics
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


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=500, help="latency samples per path")
    ap.add_argument("--threads", type=int, default=16, help="concurrent clients for req/s")
    ap.add_argument("--seconds", type=int, default=20, help="length of the req/s run")
    ap.add_argument("--upstream-latency-ms", type=int, default=0)
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
    finally:
        net.close()


if __name__ == "__main__":
    main()
