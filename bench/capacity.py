#!/usr/bin/env python3
"""Part 5 of the benchmark: the ceiling on AWS, in requests per second, of token issuance, introspection and client
creation, and which quota binds first; for many clients sharing the load and for one client sending all of it; in
both signing modes (kms: one KMS Sign per token; wrapped: zero KMS calls per token).

Inputs (measured, never estimated): bench/target/results/cold-start.jsonl as bench/cold-start.sh writes it: the AWS
calls of one warm request (CallCounter), the DynamoDB capacity units of each call with ReturnConsumedCapacity=INDEXES
(table and every index entry apart, in warm_capacity_targets), and the warm in-process duration (Lambda concurrency
needed per request/s). Which partition key each unit lands on, and over how many partitions it spreads, follows from
the code (the keys in shared/.../tokens/TokenKeys.java, ExpiryShards, ClientRegistry) and is written out below, per
call, with the line it comes from.

AWS documented default quotas (per account and region unless said; all adjustable but the per-partition ones):
  API Gateway    10,000 requests/s, burst 5,000, shared by every REST, HTTP and WebSocket API of the account in the
                 region (2,500/s, burst 1,250, in some newer regions; --apigw N models those)
                 https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
  the template   its own stage throttles come first: TokenEndpointRateLimit (default 500/s) on POST /oauth2/token,
                 /oauth2/introspect and /oauth2/revoke, DefaultRateLimit (default 1,000/s) on every other method;
                 raised with `sam deploy --parameter-overrides TokenEndpointRateLimit=... DefaultRateLimit=...`
                 (read from template.yaml's defaults here)
  Lambda         1,000 concurrent executions; each function scales by 1,000 execution environments per 10 s
                 https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
                 https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html
  DynamoDB       one partition: 3,000 read units/s and 1,000 write units/s (one item never splits further)
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html
                 on-demand: 40,000 read request units/s and 40,000 write request units/s per table (the
                 table-level throughput quota, checked here against the table and each index apart)
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
                 a NEW on-demand table (and each new index) takes 4,000 writes/s and 12,000 reads/s at once (its
                 warm throughput) and grows with traffic (double the previous peak within 30 minutes); the template
                 parameter TokensTableWarmWritesPerSecond pre-warms the tokens table and its three per-token indexes
                 (billed once for the increase: https://aws.amazon.com/dynamodb/pricing/on-demand/)
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/pre-warming-on-demand-capacity-mode.html
  KMS            cryptographic operations, shared by the account in the region: 1,000/s for RSA and 1,000/s for ECC
                 asymmetric keys, at least 10,000/s symmetric (more in the largest regions)
                 https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html ("Request quotas")
The per-container client cache (DESIGN.md section 3, CLIENT_CACHE_SECONDS, default 1; --client-cache 0 models it off):
a container reads a client's row (and the client's revocation record) at most once per CLIENT_CACHE_SECONDS when the
presented secret matches, so one client's hot items see (containers / seconds) reads, containers = rate x duration.
With no fresh run (bench/target/results/cold-start.jsonl) the committed measurement
bench/measured/cold-start-after-issue14.jsonl is used, with the warm durations docs/performance.md
measured on an idle machine (its own were taken at load average 16).
Usage: capacity.py [AFTER.jsonl] [--before BEFORE.jsonl] [--signing kms|wrapped|both] [--client-cache SECONDS]
                   [--apigw REQUESTS_PER_SECOND] [--duration-ms IssueToken=18,IntrospectToken=10,CreateClient=19]
(--duration-ms replaces the measured warm p50, e.g. with a quieter run's or an AWS measurement; the Lambda ceiling
is 1,000 / duration. Before-files without a per-index breakdown count the row 1 unit and each index entry alike.)
Prints tables; asserts nothing.
"""
import json
import os
import re
import sys

FRESH_RUN = "bench/target/results/cold-start.jsonl"
COMMITTED_RUN = "bench/measured/cold-start-after-issue14.jsonl"
# Warm p50 in process on an idle machine, docs/performance.md (2026-11-23): used with the committed measurement.
IDLE_DURATIONS_MS = {"IssueToken": 17.9, "IntrospectToken": 9.7, "CreateClient": 19.2}
APIGW_RPS = 10_000
LAMBDA_CONCURRENCY = 1_000
LAMBDA_SCALE_PER_10S = 1_000
PARTITION_RCU = 3_000
PARTITION_WCU = 1_000
TABLE_RRU = 40_000
TABLE_WRU = 40_000
KMS_RSA = 1_000
KMS_ECC = 1_000
KMS_SYMMETRIC = 10_000
WARM_WRITES = 4_000   # a new on-demand table's and index's warm throughput, per second
WARM_READS = 12_000
GOAL = 10_000         # one client: 10,000 tokens/s and 10,000 introspections/s
SHARDS_BEFORE = {"listing": 8, "expiry": 16}
SHARDS_AFTER = {"listing": 16, "subject": 16, "expiry": 16}
MANY = None  # spreads over as many partitions as there are clients/tokens: no partition bound

# Where each operation's units land. (call, target, key, partitions for many clients, partitions for one client).
# target: "table" or an index name as DynamoDB reports it; the units come from the measurement.
LAYOUT = {
    "IssueToken": [
        # OAuth client authentication: GetItem of the client row, strongly consistent (ClientRegistry).
        ("DynamoDb.GetItem", "clients", "clients: client_id", MANY, 1),
        # The token row, AT#<jti> (TokenKeys.accessToken).
        ("DynamoDb.PutItem", "tokens", "tokens: AT#<jti>", MANY, MANY),
        # Before: client-issued-index and subject-issued-index keyed by client id / subject (= client id).
        ("DynamoDb.PutItem", "tokens/client-issued-index", "client_id", MANY, 1),
        ("DynamoDb.PutItem", "tokens/subject-issued-index", "subject", MANY, 1),
        # After: subject + the jti's shard (TokenKeys.subjectShard), 16 per subject.
        ("DynamoDb.PutItem", "tokens/subject-shard-issued-index", "subject#<0..15>", MANY, "subject"),
        # Every access token of every client: AT#0..AT#7 before, AT#0..AT#15 after (TokenKeys.listShard).
        ("DynamoDb.PutItem", "tokens/listing-issued-index", "AT#<shard>", "listing", "listing"),
        # Expiry day + one of 16 shards (ExpiryShards.of): every token expiring the same day.
        ("DynamoDb.PutItem", "tokens/expiry-index", "<day>#<0..15>", "expiry", "expiry"),
    ],
    "IntrospectToken": [
        # One BatchGetItem: caller's client row, the token row, and the revocation records RV#CLIENT#<client>,
        # RV#SUBCLIENT#<client>#<subject>, RV#SUB#<subject> (TokenKeys.revocationRecords). For one client
        # introspecting its own tokens, the client row and the three records are the same four items every time.
        ("DynamoDb.BatchGetItem", "tokens+clients", "client row and 3 revocation records", MANY, 1),
    ],
    "CreateClient": [
        # Caller's token state (BatchGetItem) then TransactWriteItems: the client row plus the counters
        # quota#owner#<creator> and quota#tenant#<tenant> (ClientRegistry.countClient), and the client's entries
        # in creator-created-index (by creator) and tenant-created-index (one tenant per deployment).
        ("DynamoDb.TransactWriteItems", "clients/tenant-created-index", "tenant", 1, 1),
        ("DynamoDb.TransactWriteItems", "clients/creator-created-index", "created_by", MANY, 1),
    ],
}


def load(path):
    rows = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            row = json.loads(line)
            rows[row["handler"].replace("Handler", "")] = row
    return rows


def targets(row):
    """{(call, target): units}: measured by table and index where the file has them, else from the call totals."""
    found = {}
    for item in (row.get("warm_capacity_targets") or "").split():
        name, units = item.rsplit("=", 1)
        call, target = name.split(":", 1)
        found[(call, target)] = found.get((call, target), 0) + float(units)
    if not found:
        for item in row["warm_capacity_units"].split():
            call, units = item.rsplit("=", 1)
            found[(call, "total")] = found.get((call, "total"), 0) + float(units)
    return found


def template_throttles(path="template.yaml"):
    """The stage throttles template.yaml deploys by default: {operation: (parameter, requests/s)}."""
    text = open(path).read()

    def default(name):
        match = re.search(r"^  %s:\n(?:    .*\n)*?    Default: (\d+)" % name, text, re.M)
        return int(match.group(1)) if match else None
    token, other = default("TokenEndpointRateLimit"), default("DefaultRateLimit")
    return {"IssueToken": ("TokenEndpointRateLimit", token), "IntrospectToken": ("TokenEndpointRateLimit", token),
            "CreateClient": ("DefaultRateLimit", other)}


class Scenario:
    """Which limits a stack has: the template's throttles or raised ones, a new table or a warm one."""

    def __init__(self, title, throttles, fresh_table, apigw, cache_seconds):
        self.title, self.throttles, self.fresh_table = title, throttles, fresh_table
        self.apigw, self.cache_seconds = apigw, cache_seconds

    def table_limit(self, reads):
        if self.fresh_table:
            return (WARM_READS, "12,000 RRU/s (new table's warm throughput)") if reads else \
                (WARM_WRITES, "4,000 WRU/s (new table's warm throughput)")
        return (TABLE_RRU, "40,000 RRU/s") if reads else (TABLE_WRU, "40,000 WRU/s")


def hot_item(name, units_per_request, duration_s, scenario, cached):
    """(quota, requests/s) of one item read on every request, or once per container per cache period when cached."""
    if cached and scenario.cache_seconds > 0:
        # rate x duration containers, each reading the item once per cache period: rate <= 3,000 x period / duration
        return ("DynamoDB one item (%s), cached %gs per container" % (name, scenario.cache_seconds),
                PARTITION_RCU * scenario.cache_seconds / duration_s / units_per_request)
    return ("DynamoDB one item (%s) 3,000 RCU/s" % name, PARTITION_RCU / units_per_request)


def ceilings(op, row, one_client, signing, shards, scenario):
    """[(quota, requests/s)] for one operation."""
    duration_s = max(row["warm_p50_ms"], 0.001) / 1000
    cached = scenario.cache_seconds > 0
    limits = [("API Gateway %s req/s, every API of the account in the region" % f"{scenario.apigw:,}", scenario.apigw),
              ("Lambda 1,000 concurrent (%.1f ms each)" % (duration_s * 1000), LAMBDA_CONCURRENCY / duration_s)]
    if scenario.throttles:
        parameter, rate = scenario.throttles[op]
        limits.append(("template %s %s/s (stage method throttle)" % (parameter, f"{rate:,}"), rate))
    calls = row["warm_aws_calls"].split()
    kms_signs = calls.count("Kms.Sign")
    if signing == "kms" and kms_signs:
        limits.append(("KMS RSA 1,000/s (account, region)", KMS_RSA / kms_signs))
    for (call, target), u in targets(row).items():
        if call == "DynamoDb.BatchGetItem":
            continue  # below: DynamoDB reports reads per table, not per key
        reads = call in ("DynamoDb.GetItem", "DynamoDb.Query")
        per_partition = PARTITION_RCU if reads else PARTITION_WCU
        table_quota, table_label = scenario.table_limit(reads)
        if op == "IssueToken" and call == "DynamoDb.GetItem":
            # The client row of client authentication: per item, cached or not, never a table bound worth showing.
            if one_client:
                limits.append(hot_item("the client row", u, duration_s, scenario, cached))
            continue
        if target == "total" and call != "DynamoDb.PutItem":
            entries = [("clients", u)]
        elif target == "total":
            # No breakdown in the file (measured before this change): the row 1 unit, the rest 1 per index entry.
            entries = [("tokens", 1.0)] + [(t, (u - 1) / 4) for t in (
                "tokens/client-issued-index", "tokens/subject-issued-index",
                "tokens/listing-issued-index", "tokens/expiry-index")]
        else:
            entries = [(target, u)]
        for t, uu in entries:
            if uu <= 0:
                continue
            limits.extend(partition_limits(op, call, t, uu, per_partition, one_client, shards))
            limits.append(("DynamoDB %s %s" % (t, table_label), table_quota / uu))
    batch_keys = [float(x.rsplit("=", 1)[1]) for x in row["warm_capacity_units"].split()
                  if x.startswith("DynamoDb.BatchGetItem=")]
    if batch_keys:
        # The first batch: the caller's client row (clients table), the token row and 3 revocation records. With
        # the cache, the client row and the client's revocation record come from it.
        token_reads = sum(batch_keys) - 1 - (1 if cached else 0)
        table_quota, table_label = scenario.table_limit(True)
        limits.append(("DynamoDB tokens table %s (%g units)" % (table_label, token_reads), table_quota / token_reads))
        if one_client:
            limits.append(hot_item("the client row, RV#CLIENT#<client>", 1, duration_s, scenario, cached))
            # A client_credentials token's subject is its client: RV#SUB#<client> and RV#SUBCLIENT#<client>#<client>
            # are the same two items on every introspection of that client's tokens, uncached (DESIGN.md section 3
            # caches only the client-level record), 1 RCU each even when absent.
            limits.append(("DynamoDB one item (RV#SUB#<client>, RV#SUBCLIENT#<client>#<client>) 3,000 RCU/s",
                           PARTITION_RCU))
    if op == "CreateClient":
        # quota#tenant#<tenant>: one item in the clients table, 2 units per transactional write, every creation.
        limits.append(("DynamoDB item quota#tenant#<tenant> 1,000 WCU/s (2 per transactional write)",
                       PARTITION_WCU / 2.0))
    return limits


def partition_limits(op, call, target, units, per_partition, one_client, shards):
    """The ceiling of each partition key this call's units land on: per-partition rate x partitions / units."""
    out = []
    for c, t, key, many, one in LAYOUT.get(op, []):
        if c != call or t != target:
            continue
        spread = one if one_client else many
        if isinstance(spread, str):
            spread = shards.get(spread)
        if spread is None:
            continue
        out.append(("DynamoDB partition %s (%s) %s/s x %d" % (t, key, f"{per_partition:,}", spread),
                    per_partition * spread / units))
    return out


def report(rows, shards, signing_modes, scenario):
    print(f"\n#### {scenario.title}\n")
    print("| operation | signing | case | ceiling (req/s) | binds first | next |")
    print("|---|---|---|---|---|---|")
    found = {}
    for op, label in (("IssueToken", "client_credentials token"), ("IntrospectToken", "introspection"),
                      ("CreateClient", "client creation")):
        row = rows.get(op)
        if row is None:
            continue
        for signing in (signing_modes if op == "IssueToken" else ["-"]):
            for one_client in (False, True):
                limits = sorted(ceilings(op, row, one_client, signing, shards, scenario), key=lambda l: l[1])
                first, second = limits[0], limits[1] if len(limits) > 1 else ("-", 0)
                found[(op, signing, one_client)] = limits
                print(f"| {label} | {signing} | {'one client' if one_client else 'many clients'} | "
                      f"**{first[1]:,.0f}** | {first[0]} | {second[0]}: {second[1]:,.0f} |")
    return found


def goal(found, scenario):
    """The goal: one client at 10,000 tokens/s and 10,000 introspections/s, API Gateway binding first."""
    print(f"\nGoal, one client at {GOAL:,} tokens/s and {GOAL:,} introspections/s with API Gateway binding first "
          f"({scenario.title}):")
    for op, signing, what in (("IssueToken", "wrapped", "tokens"), ("IssueToken", "kms", "tokens (kms)"),
                              ("IntrospectToken", "-", "introspections")):
        limits = found.get((op, signing, True))
        if not limits:
            continue
        below = [l for l in limits if l[1] < GOAL and not l[0].startswith("API Gateway")]
        first = limits[0]
        verdict = "met" if first[0].startswith("API Gateway") and first[1] >= GOAL and not below else "NOT met"
        print(f"- {what}: {verdict}; binds first: {first[0]} at {first[1]:,.0f}/s" +
              ("" if not below else "; below the goal: " + "; ".join(f"{n} {v:,.0f}/s" for n, v in below)))
    print(f"- both together are {2 * GOAL:,} requests/s through API Gateway, whose {scenario.apigw:,}/s is the "
          "account's in the region, shared with every other API there: an increase through Service Quotas first.")


def units_line(rows):
    token = rows.get("IssueToken")
    if not token:
        return
    units = targets(token)
    writes = {k: v for k, v in units.items() if k[0] in ("DynamoDb.PutItem", "DynamoDb.UpdateItem")}
    print("write units per client_credentials token: %.0f (%s)" % (sum(writes.values()), ", ".join(
        f"{t}={u:g}" for (_, t), u in sorted(writes.items()))))


def main(argv):
    after = None
    before = None
    signing = "both"
    durations = {}
    cache_seconds = 1.0
    apigw = APIGW_RPS
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--before":
            before = args.pop(0)
        elif arg == "--signing":
            signing = args.pop(0)
        elif arg == "--client-cache":
            cache_seconds = float(args.pop(0))
        elif arg == "--apigw":
            apigw = int(args.pop(0))
        elif arg == "--duration-ms":
            for pair in args.pop(0).split(","):
                name, ms = pair.split("=")
                durations[name] = float(ms)
        else:
            after = arg
    if after is None:
        if os.path.exists(FRESH_RUN):
            after = FRESH_RUN
        else:
            after = COMMITTED_RUN
            durations = {**IDLE_DURATIONS_MS, **durations}
            print(f"(no fresh run in {FRESH_RUN}: the committed measurement {COMMITTED_RUN}, with the idle-machine "
                  f"warm durations {IDLE_DURATIONS_MS} unless --duration-ms says otherwise)")
    modes = ["kms", "wrapped"] if signing == "both" else [signing]
    rows = load(after)
    for name, ms in durations.items():
        if name in rows:
            rows[name]["warm_p50_ms"] = ms
    if before:
        # Only the token path changed: the other operations are taken from the same (after) file.
        old = dict(rows)
        old["IssueToken"] = dict(load(before)["IssueToken"], warm_p50_ms=rows["IssueToken"]["warm_p50_ms"])
        print("\nBefore (client-issued-index and subject-issued-index keyed by client/subject, 8 listing shards):")
        units_line(old)
        report(old, SHARDS_BEFORE, modes, Scenario("Ceilings before (" + before + "), warm stack, no template "
                                                   "throttles, no client cache", None, False, apigw, 0))
    print(f"\nMeasured: {after}; client cache {cache_seconds:g} s (CLIENT_CACHE_SECONDS); API Gateway {apigw:,}/s.")
    units_line(rows)
    throttles = template_throttles()
    scenarios = [
        Scenario("Default parameters, fresh stack (template throttles, new tables' warm throughput)",
                 throttles, True, apigw, cache_seconds),
        Scenario("Fresh stack, throttles raised (TokenEndpointRateLimit and DefaultRateLimit >= 10,000), tables new",
                 None, True, apigw, cache_seconds),
        Scenario("Warm stack: throttles raised, tables warmed by traffic or TokensTableWarmWritesPerSecond=10000",
                 None, False, apigw, cache_seconds),
    ]
    found = None
    for scenario in scenarios:
        found = report(rows, SHARDS_AFTER, modes, scenario)
    goal(found, scenarios[-1])


if __name__ == "__main__":
    main(sys.argv[1:])
