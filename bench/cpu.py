#!/usr/bin/env python3
"""CPU time of a server's own processes, from /proc (Linux), for CPU milliseconds per request.

  cpu.py total PID                 CPU seconds (user + system) of PID and every process below it, alive ones
                                   with their own reaped children (cutime/cstime): a launcher script and its JVM
  cpu.py threads PID OUT.json      every thread of PID: name and CPU seconds, for the per-thread split
  cpu.py split BEFORE.json AFTER.json REQUESTS
                                   the CPU each group of threads spent between the two snapshots, per request,
                                   as one JSON line (groups: see GROUPS)
  cpu.py without-dynamodb-local SPLIT.json
                                   from such a line: the CPU ms per request of every thread but DynamoDB Local's

Reads numbers; decides nothing. Thread names are /proc's comm, cut at 15 characters by the kernel.
"""
import json
import os
import re
import sys

TICKS = os.sysconf("SC_CLK_TCK")

# First match wins. Names as the JVM, Jetty, DynamoDB Local and the runner give them (see bench/load.sh).
GROUPS = [
    ("DynamoDB Local: Jetty threads (its HTTP and request handling)", r"^qtp\d+"),
    ("DynamoDB Local: SQLite queue thread", r"^SQLiteQueue"),
    ("runner: JDK HTTP server dispatcher", r"^HTTP-Dispatcher"),
    ("runner: handler threads (API Gateway event, handler, AWS SDK client side, JSON)", r"^local-api-"),
    ("signing (RS256 on the side-by-side threads, beside the PutItem)", r"^side-by-side"),
    ("AWS SDK timers and unnamed pools (pool-N-thread-M)", r"^(sdk-|pool-)"),
    ("JIT compilers", r"^C[12] CompilerThre"),
    ("GC", r"^(GC Thread|G1 )"),
    ("VM thread (safepoints)", r"^VM Thread"),
]


def stat_fields(path):
    with open(path) as f:
        text = f.read()
    # comm may hold spaces and parentheses: split after the last ')'.
    name = text[text.index("(") + 1:text.rindex(")")]
    return name, text[text.rindex(")") + 2:].split()


def process_seconds(pid, with_children=True):
    _, fields = stat_fields(f"/proc/{pid}/stat")
    # fields[0] is state (field 3); utime=14, stime=15, cutime=16, cstime=17 (1-based) -> 11..14 here
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def descendants(root):
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                _, fields = stat_fields(f"/proc/{entry}/stat")
                parents[int(entry)] = int(fields[1])
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
    found, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent:
                found.append(pid)
                frontier.append(pid)
    return found


def total(pid):
    seconds = 0.0
    for p in descendants(int(pid)):
        try:
            seconds += process_seconds(p)
        except FileNotFoundError:
            pass
    print(f"{seconds:.3f}")


def threads(pid, out):
    snapshot = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name, fields = stat_fields(f"/proc/{pid}/task/{tid}/stat")
            snapshot[tid] = [name, (int(fields[11]) + int(fields[12])) / TICKS]
        except FileNotFoundError:
            pass
    with open(out, "w") as f:
        json.dump(snapshot, f)


def split(before_path, after_path, requests):
    before = json.load(open(before_path))
    after = json.load(open(after_path))
    requests = int(requests)
    groups = {name: 0.0 for name, _ in GROUPS}
    groups["other threads"] = 0.0
    others = {}
    for tid, (name, seconds) in after.items():
        spent = seconds - (before.get(tid, [name, 0.0])[1] if before.get(tid, [name])[0] == name else 0.0)
        if spent <= 0:
            continue
        for group, pattern in GROUPS:
            if re.match(pattern, name):
                groups[group] += spent
                break
        else:
            groups["other threads"] += spent
            others[name] = others.get(name, 0.0) + spent
    whole = sum(groups.values())
    print(json.dumps({
        "requests": requests,
        "cpu_ms_per_request_by_threads": {g: round(s * 1000 / requests, 3) for g, s in groups.items()},
        "share": {g: round(s / whole, 3) if whole else 0 for g, s in groups.items()},
        "other_threads_ms_per_request": {n: round(s * 1000 / requests, 3)
                                         for n, s in sorted(others.items(), key=lambda kv: -kv[1])[:8]},
    }))


def without_dynamodb_local(split_path):
    groups = json.load(open(split_path))["cpu_ms_per_request_by_threads"]
    print(round(sum(ms for group, ms in groups.items() if not group.startswith("DynamoDB Local")), 3))


if __name__ == "__main__":
    {"total": total, "threads": threads, "split": split, "without-dynamodb-local": without_dynamodb_local}[sys.argv[1]](*sys.argv[2:])
