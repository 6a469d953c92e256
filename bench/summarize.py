#!/usr/bin/env python3
"""Turns the bench's JSON lines into the tables docs/performance.md shows. Reads numbers; decides nothing.

  summarize.py cold-start FILE.jsonl     cold start per function, ratio to the baseline, AWS calls per request
  summarize.py load FILE.jsonl           CPU ms per request, throughput and latency per endpoint and server
  summarize.py threads FILE.jsonl        token-service's CPU per request by thread group (bench/cpu.py split lines)
  summarize.py wrk OUT.txt SERVER ENDPOINT RUN LOAD [EXTRA_JSON]   one JSON line from wrk --latency output
"""
import re
import json
import statistics
import sys
from collections import defaultdict, OrderedDict


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def cold_start(rows):
    by = OrderedDict()
    for row in rows:
        by.setdefault(row["function"], []).append(row)
    base = by.get("Baseline")
    base_median = statistics.median(r["jvm_to_first_response_ms"] for r in base) if base else None
    print()
    print("| function | fresh JVM → first response, min / median (ms) | ratio to baseline (median) "
          "| handler init (ms, median) | first invoke (ms, median) | AWS calls at init (+ priming) | AWS calls per warm request "
          "| sequential round trips | warm p50 / p99 in process (ms) | warm process CPU per request (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, rs in by.items():
        t = [r["jvm_to_first_response_ms"] for r in rs]
        med = statistics.median(t)
        ratio = f"{med / base_median:.2f}" if base_median else "n/a"
        calls = rs[-1]["warm_aws_calls"] or "none"
        print(f"| {name} | {min(t):.0f} / {med:.0f} | {ratio} | "
              f"{statistics.median(r['handler_init_ms'] for r in rs):.0f} | "
              f"{statistics.median(r['first_invoke_ms'] for r in rs):.0f} | "
              f"{rs[-1]['init_aws_calls'] or 'none'}"
              + (f" (+ priming: {rs[-1]['priming_aws_calls'] or 'none'}, {statistics.median(r['priming_ms'] for r in rs):.0f} ms)"
                 if any(r.get("priming_ms") for r in rs) else "")
              + f" | {rs[-1]['warm_aws_calls_per_request']} ({calls}) | "
              f"{rs[-1]['warm_sequential_round_trips']} | "
              f"{statistics.median(r['warm_p50_ms'] for r in rs):.1f} / "
              f"{statistics.median(r['warm_p99_ms'] for r in rs):.1f} | "
              + (f"{statistics.median(r['warm_cpu_ms'] for r in rs):.2f} |" if all('warm_cpu_ms' in r for r in rs)
                 else "n/a |"))


def load(rows):
    """One row per endpoint and server: CPU ms per request (what survives a busy machine), req/s, p50/p99; for
    token-service also the figure without DynamoDB Local's threads; then token-service's ratio to each other server."""
    by = OrderedDict()
    for row in rows:
        by.setdefault((row["endpoint"], row["server"]), []).append(row)
    print()
    print("| endpoint | server | CPU ms / request (median of runs; runs) | req/s (median) | p50 / p99 ms (median) "
          "| warm-up: CPU ms / request by round | introspected token active after each window |")
    print("|---|---|---|---|---|---|---|")
    medians = {}
    for (endpoint, server), rs in sorted(by.items(), key=lambda kv: kv[0][0]):
        cpu = [r["cpu_ms_per_request"] for r in rs if r.get("cpu_ms_per_request") is not None]
        rps = statistics.median(r["requests_per_s"] for r in rs)
        errors = sum(r["non_2xx"] + r["socket_errors"] for r in rs)
        warm = rs[0].get("warm") or {}
        rounds = " → ".join(f"{x:.2f}" for x in warm.get("warm_cpu_ms_per_request", []))
        settled = "settled" if warm.get("warm_settled") else "still falling" if rounds else "not warmed"
        active = [r["token_active_after_window"] for r in rs if "token_active_after_window" in r]
        medians[(endpoint, server)] = statistics.median(cpu)
        print(f"| {endpoint} | {server} | **{statistics.median(cpu):.2f}** ({', '.join(f'{c:.2f}' for c in cpu)}) | "
              f"{rps:.0f}" + (f" ({errors} errors)" if errors else "") + " | "
              f"{statistics.median(r['p50_ms'] for r in rs):.1f} / {statistics.median(r['p99_ms'] for r in rs):.1f} | "
              f"{rounds} ({settled}) | {('yes' if all(active) else 'NO') if active else '—'} |")
        apart = [r["cpu_ms_per_request_without_dynamodb_local"] for r in rs
                 if r.get("cpu_ms_per_request_without_dynamodb_local") is not None]
        if apart:
            medians[(endpoint, server + " without DynamoDB Local")] = statistics.median(apart)
            print(f"| {endpoint} | {server} without DynamoDB Local's threads | **{statistics.median(apart):.2f}** "
                  f"({', '.join(f'{c:.2f}' for c in apart)}) | | | | |")
    print()
    print("| endpoint | ratio (CPU ms / request, medians) | value |")
    print("|---|---|---|")
    for (endpoint, ours), mine in medians.items():
        if not ours.startswith("token-service"):
            continue
        for (other_endpoint, other), theirs in medians.items():
            if other_endpoint == endpoint and not other.startswith("token-service") and theirs:
                print(f"| {endpoint} | {ours} / {other} | {mine / theirs:.2f} |")


def threads(rows):
    """token-service's CPU per request split by thread group, median over its measured windows per endpoint."""
    by = OrderedDict()
    for row in rows:
        by.setdefault((row.get("server", "token-service"), row["endpoint"]), []).append(row)
    if not by:
        return
    groups = list(rows[0]["cpu_ms_per_request_by_threads"].keys())
    print()
    print("| thread group | " + " | ".join(f"{s}, {e}: CPU ms / request (share)" for s, e in by) + " |")
    print("|---|" + "---|" * len(by))
    for group in groups:
        cells = []
        for key, rs in by.items():
            ms = statistics.median(r["cpu_ms_per_request_by_threads"][group] for r in rs)
            share = statistics.median(r["share"][group] for r in rs)
            cells.append(f"{ms:.3f} ({share * 100:.0f}%)")
        print(f"| {group} | " + " | ".join(cells) + " |")


def duration_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(path, server, endpoint, run, load_average, extra="{}"):
    text = open(path).read()
    percentile = lambda p: duration_ms(re.search(rf"^\s+{p}%\s+(\S+)", text, re.M).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    print(json.dumps({
        "server": server, "endpoint": endpoint, "run": int(run),
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "requests": int(re.search(r"(\d+) requests in", text).group(1)),
        "p50_ms": percentile(50), "p99_ms": percentile(99),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "load_average": load_average, **json.loads(extra)}))


if __name__ == "__main__":
    if sys.argv[1] == "wrk":
        wrk(*sys.argv[2:8])
    else:
        {"cold-start": cold_start, "load": load, "threads": threads}[sys.argv[1]](read(sys.argv[2]))
