#!/usr/bin/env python3
"""Audit throughput bench: the real `zisctl audit` against the real sandbox.

1. Latency regime: sandbox with --synthetic 100x100 and 20 ms per request; `zisctl audit
   --output json` at the default concurrency (8) and at --concurrency 1, each RUNS times. Prints
   both medians, their ratio, the lower bound (requests x latency / concurrency) and peak RSS;
   then the same audit with --no-bundles, and what reading the bundles (used_by) adds.
   Targets: >= 6x faster than concurrency 1, within 1.3x of the bound, <= 30 MB RSS.
   Then where the time beyond the bound goes: the sandbox's real time per request (a
   keep-alive probe), the requests that must go in turn (the registry before the tokens),
   and the same audit without latency (the fixed cost).
2. Signed in with OAuth (client credentials, the sandbox's confidential client; tokens in a
   0600 file in a temporary data directory): a first audit mints a ZIS token per integration
   and keeps them in the store; a second one within their lifetime mints nothing. Prints the
   requests (and mints) and the time of each, with and without bundles, over OAUTH_RUNS pairs.
3. Rate-limited regime: the same account with a budget of BUDGET requests per WINDOW seconds,
   so the audit spans at least three windows. Prints the time, the least time the limit
   permits, and the 429s met. Target: within 1.15x of that bound, a handful of 429s.

Usage: python3 benches/audit_throughput.py [--runs 5] [--oauth-runs 3] [--rl-runs 3]
       [--binary target/release/zisctl]
(builds the release binary first unless --binary is given).
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def start_sandbox(binary, *extra):
    p = subprocess.Popen(
        [binary, "sandbox", "--addr", "127.0.0.1:0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    env, oauth = {}, {}
    for line in p.stdout:
        m = re.match(r"^(?:export )?(ZISCTL_BASE_URL|ZENDESK_EMAIL|ZENDESK_API_TOKEN)=(.*)$", line.strip())
        if m:
            env[m.group(1)] = m.group(2)
        m = re.match(r"^(?:export )?(ZENDESK_OAUTH_CLIENT_ID|ZENDESK_OAUTH_CLIENT_SECRET)=(.*)$", line.strip())
        if m:
            oauth[m.group(1)] = m.group(2)
        if len(env) == 3:
            break
    if len(env) != 3:
        p.kill()
        sys.exit("the sandbox did not print its address")
    start_sandbox.oauth = oauth
    return p, env


def sandbox_call(env, method, path, body=None):
    req = urllib.request.Request(env["ZISCTL_BASE_URL"] + path, method=method)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data=data) as r:
        text = r.read().decode()
        return json.loads(text) if text else None


def run_audit(binary, env, tmp, *extra, child_env=None):
    """One audit; returns (seconds, peak RSS in kB, requests the sandbox counted). `child_env`:
    variables on top of `env` for zisctl alone."""
    sandbox_call(env, "POST", "/_sandbox/stats/reset")
    cmd = ["/usr/bin/time", "-v", binary, "audit", "--output", "json", *extra]
    full_env = dict(os.environ, **env)
    full_env.update(child_env or {})
    full_env["ZISCTL_CONFIG"] = os.path.join(tmp, "none.toml")
    full_env["ZISCTL_AUDIT_LOG"] = os.path.join(tmp, "audit.jsonl")
    open(full_env["ZISCTL_CONFIG"], "w").close()
    t0 = time.perf_counter()
    p = subprocess.run(
        cmd + ["--log-file", os.path.join(tmp, "zisctl.log")],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"audit failed ({p.returncode}): {p.stderr[-2000:]}")
    rows = json.loads(p.stdout)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    stats = sandbox_call(env, "GET", "/_sandbox/stats")
    return elapsed, rss, stats, len(rows)


def probe_latency(env, n=30):
    """The sandbox's real time per request: median of n sequential keep-alive GETs of the
    registry (one HTTP connection, as zisctl reuses its connections)."""
    import base64
    import http.client

    host, port = env["ZISCTL_BASE_URL"].split("//", 1)[1].rstrip("/").split(":")
    auth = base64.b64encode(
        f"{env['ZENDESK_EMAIL']}/token:{env['ZENDESK_API_TOKEN']}".encode()
    ).decode()
    conn = http.client.HTTPConnection(host, int(port))
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request(
            "GET", "/api/services/zis/registry/integrations", headers={"Authorization": "Basic " + auth}
        )
        conn.getresponse().read()
        times.append(time.perf_counter() - t0)
    conn.close()
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rl-runs", type=int, default=3)
    ap.add_argument("--oauth-runs", type=int, default=3)
    ap.add_argument("--binary")
    ap.add_argument("--synthetic", default="100x100")
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=8, help="zisctl audit's default")
    ap.add_argument("--budget", type=int, default=60)
    ap.add_argument("--window", type=int, default=2)
    args = ap.parse_args()
    binary = args.binary
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "zisctl")
    tmp = tempfile.mkdtemp(prefix="zisctl-bench-")
    lat = args.latency_ms / 1000.0
    conc = args.concurrency

    print(f"# latency regime: --synthetic {args.synthetic} --latency-ms {args.latency_ms}")
    sb, env = start_sandbox(binary, "--synthetic", args.synthetic, "--latency-ms", str(args.latency_ms))
    try:
        results = {}
        for c in (conc, 1):
            times, rsss = [], []
            for _ in range(args.runs):
                t, rss, stats, n = run_audit(binary, env, tmp, "--concurrency", str(c))
                times.append(t)
                rsss.append(rss)
            reqs = stats["requests"]
            bound = reqs * lat / c
            med = statistics.median(times)
            results[c] = (med, reqs)
            print(
                f"concurrency {c}: median {med:.3f} s over {args.runs} runs "
                f"(min {min(times):.3f}, max {max(times):.3f}); {n} connections; "
                f"{reqs} requests; bound {bound:.3f} s; {med / bound:.2f}x the bound "
                f"(target <= 1.3x); peak RSS {max(rsss) / 1024:.1f} MB (target <= 30 MB)"
            )
        med, reqs = results[conc]
        print(f"speed-up over concurrency 1: {results[1][0] / med:.2f}x (target >= 6x)")

        # What reading the bundles (used_by) costs: the same audit with --no-bundles.
        times, rsss = [], []
        for _ in range(args.runs):
            t, rss, stats, n = run_audit(binary, env, tmp, "--concurrency", str(conc), "--no-bundles")
            times.append(t)
            rsss.append(rss)
        bare = statistics.median(times)
        print(
            f"without bundles (--no-bundles): median {bare:.3f} s over {args.runs} runs "
            f"(min {min(times):.3f}, max {max(times):.3f}); {stats['requests']} requests; "
            f"peak RSS {max(rsss) / 1024:.1f} MB; reading the bundles adds {med - bare:+.3f} s "
            f"({(med / bare - 1) * 100:+.0f}%) and {reqs - stats['requests']} requests"
        )

        # Where the time beyond the bound goes.
        real = probe_latency(env)
        # The registry comes first (the tokens need its client ids); the rest fills the slots.
        rounds = 1 + math.ceil((reqs - 1) / conc)
        sandbox_call(env, "POST", "/_sandbox/switches", {"latency_ms": 0})
        zero = statistics.median(
            run_audit(binary, env, tmp, "--concurrency", str(conc))[0] for _ in range(args.runs)
        )
        sandbox_call(env, "POST", "/_sandbox/switches", {"latency_ms": args.latency_ms})
        print(
            f"  the sandbox answers in {real * 1000:.2f} ms a request for the nominal "
            f"{args.latency_ms} ms (tokio timer granularity + serving)"
        )
        print(
            f"  {rounds} requests in turn at best ({reqs} requests, {conc} at once, the "
            f"registry first): {rounds * lat:.3f} s at {args.latency_ms} ms, "
            f"{rounds * real:.3f} s at {real * 1000:.2f} ms"
        )
        print(
            f"  the same audit without latency: {zero:.3f} s (process start, parsing, audit, "
            f"JSON, exit, and serving at full speed)"
        )
        print(
            f"  => of the {med:.3f} s measured, {rounds * real:.3f} s are requests in turn at the "
            f"sandbox's real latency and {med - rounds * real:.3f} s the rest (the latency-free "
            f"run's {zero:.3f} s, part of which overlaps the waits); "
            f"{med / (reqs * real / conc):.2f}x the bound at the real latency"
        )
    finally:
        sb.terminate()
        sb.wait()

    print(
        f"\n# signed in with OAuth (client credentials): --synthetic {args.synthetic} "
        f"--latency-ms {args.latency_ms}"
    )
    sb, env = start_sandbox(binary, "--synthetic", args.synthetic, "--latency-ms", str(args.latency_ms))
    oauth = start_sandbox.oauth
    if len(oauth) != 2:
        sb.kill()
        sys.exit("the sandbox did not print its confidential OAuth client")
    try:
        for extra in ((), ("--no-bundles",)):
            firsts, seconds = [], []
            for i in range(args.oauth_runs):
                # A fresh store each pair: the first audit mints, the second finds the tokens.
                data = os.path.join(tmp, f"oauth-data-{'-'.join(extra) or 'bundles'}-{i}")
                child = dict(
                    oauth,
                    ZENDESK_API_TOKEN="",
                    ZISCTL_TOKEN_STORE="file",
                    XDG_DATA_HOME=data,
                )
                pair = []
                for _ in range(2):
                    t, rss, stats, n = run_audit(
                        binary, env, tmp, "--concurrency", str(conc), *extra, child_env=child
                    )
                    mints = stats["by_route"].get("POST /api/v2/oauth/tokens", 0)
                    pair.append((t, stats["requests"], mints))
                firsts.append(pair[0])
                seconds.append(pair[1])
            f_t = statistics.median(r[0] for r in firsts)
            s_t = statistics.median(r[0] for r in seconds)
            label = " ".join(extra) or "with bundles"
            print(
                f"{label}: first audit {firsts[0][1]} requests ({firsts[0][2]} mints), median "
                f"{f_t:.3f} s; second audit {seconds[0][1]} requests ({seconds[0][2]} mints), "
                f"median {s_t:.3f} s, over {args.oauth_runs} pairs; requests per pair: "
                + ", ".join(f"{a[1]}/{b[1]}" for a, b in zip(firsts, seconds))
            )
    finally:
        sb.terminate()
        sb.wait()

    print(
        f"\n# rate-limited regime: {args.budget} requests per {args.window} s window, no latency"
    )
    sb, env = start_sandbox(
        binary,
        "--synthetic",
        args.synthetic,
        "--rate-limit",
        str(args.budget),
        "--rate-window-secs",
        str(args.window),
    )
    try:
        runs = []
        for _ in range(args.rl_runs):
            # A fresh window begins right before each run.
            sandbox_call(
                env, "POST", "/_sandbox/switches", {"rate_limit": args.budget, "rate_window_secs": args.window}
            )
            t, rss, stats, n = run_audit(binary, env, tmp)
            ok = stats["requests"] - stats["rate_limited"]
            windows = math.ceil(ok / args.budget)
            bound = (windows - 1) * args.window
            runs.append((t, stats["rate_limited"], rss))
            print(
                f"time {t:.3f} s; {ok} requests answered over {windows} windows; least time the "
                f"limit permits {bound:.3f} s (+ the last window's requests); "
                f"{t / max(bound, 1e-9):.2f}x (target <= 1.15x); 429s met: {stats['rate_limited']}; "
                f"peak RSS {rss / 1024:.1f} MB"
            )
        t = statistics.median(r[0] for r in runs)
        print(
            f"median {t:.3f} s = {t / max(bound, 1e-9):.2f}x the least time; 429s per run: "
            f"{', '.join(str(r[1]) for r in runs)}"
        )
    finally:
        sb.terminate()
        sb.wait()


if __name__ == "__main__":
    main()
