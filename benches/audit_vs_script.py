#!/usr/bin/env python3
"""zisctl audit against the best simple script (issue 16), in the same run.

Starts `zisctl sandbox --synthetic 100x100 --latency-ms 20` (the binary given, release by
default), then alternates RUNS times: benches/audit_script.py (8 threads, keep-alive,
standard library), `zisctl audit -o json --no-bundles` (the same requests: the registry,
per integration a mint, its connections and its OAuth clients) and `zisctl audit -o json`
(the default, which also reads every integration's bundles for `used_by`). Each writes its
rows to /dev/null. Prints each one's median wall time, requests (the sandbox's count) and
rows, the ratio zisctl / script for the same work, and the machine's load.

Usage: python3 benches/audit_vs_script.py [--runs 9] [--binary target/release/zisctl]
       [--synthetic 100x100] [--latency-ms 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from audit_throughput import sandbox_call, start_sandbox  # noqa: E402


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def timed(cmd, env, count_rows=False):
    """Wall time of one run with stdout to /dev/null (or read, to count the rows), and the
    requests the sandbox counted."""
    sandbox_call(env, "POST", "/_sandbox/stats/reset")
    t0 = time.perf_counter()
    if count_rows:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    else:
        with open(os.devnull, "wb") as null:
            p = subprocess.run(cmd, env=env, stdout=null, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.decode()[-2000:]}")
    rows = len(json.loads(p.stdout)) if count_rows else None
    return elapsed, sandbox_call(env, "GET", "/_sandbox/stats")["requests"], rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "zisctl"))
    ap.add_argument("--synthetic", default="100x100")
    ap.add_argument("--latency-ms", type=int, default=20)
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} is missing: cargo build --release --locked")
    tmp = tempfile.mkdtemp(prefix="zisctl-vs-script-")
    sb, sbenv = start_sandbox(args.binary, "--synthetic", args.synthetic, "--latency-ms", str(args.latency_ms))
    env = dict(os.environ, **sbenv)
    env["ZISCTL_CONFIG"] = os.path.join(tmp, "none.toml")
    env["ZISCTL_AUDIT_LOG"] = os.path.join(tmp, "audit.jsonl")
    open(env["ZISCTL_CONFIG"], "w").close()
    log = ["--log-file", os.path.join(tmp, "zisctl.log")]
    contenders = {
        "script (8 threads, keep-alive)": [sys.executable, os.path.join(ROOT, "benches", "audit_script.py")],
        "zisctl audit -o json --no-bundles": [args.binary, "audit", "-o", "json", "--no-bundles", *log],
        "zisctl audit -o json": [args.binary, "audit", "-o", "json", *log],
    }
    try:
        loads = [loadavg()]
        # One warm-up each (page cache, the sandbox's first connections), rows counted.
        info = {}
        for name, cmd in contenders.items():
            _, reqs, rows = timed(cmd, env, count_rows=True)
            info[name] = (reqs, rows)
        times = {name: [] for name in contenders}
        for _ in range(args.runs):
            for name, cmd in contenders.items():
                times[name].append(timed(cmd, env)[0])
        loads.append(loadavg())
    finally:
        sb.kill()
    print(
        f"# sandbox --synthetic {args.synthetic} --latency-ms {args.latency_ms}; {args.runs} runs "
        f"each, alternating; load average (1/5/15 min) {loads[0]} before, {loads[-1]} after; "
        f"{os.cpu_count()} CPUs"
    )
    med = {}
    for name, ts in times.items():
        med[name] = statistics.median(ts)
        reqs, rows = info[name]
        print(
            f"{name:36} median {med[name]:.3f} s (min {min(ts):.3f}, max {max(ts):.3f}); "
            f"{reqs} requests; {rows} rows"
        )
    script, same, full = (med[n] for n in contenders)
    print(f"zisctl --no-bundles / script (same requests): {same / script:.2f}x")
    print(f"zisctl (with bundles) / script: {full / script:.2f}x")


if __name__ == "__main__":
    main()
