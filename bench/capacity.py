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
  API Gateway    10,000 requests/s across all REST APIs, burst 5,000
                 https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
  Lambda         1,000 concurrent executions; each function scales by 1,000 execution environments per 10 s
                 https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
                 https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html
  DynamoDB       one partition: 3,000 read units/s and 1,000 write units/s (one item never splits further)
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html
                 on-demand: 40,000 read request units/s and 40,000 write request units/s per table (the
                 table-level throughput quota, checked here against the table and each index apart)
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
                 https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode-max-throughput.html
  KMS            cryptographic operations, shared by the account in the region: symmetric 5,500 to 100,000/s
                 by region (5,500 used here, the lowest), RSA 500/s, ECC 300/s
                 https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html
Usage: capacity.py [AFTER.jsonl] [--before BEFORE.jsonl] [--signing kms|wrapped|both]
                   [--duration-ms IssueToken=18,IntrospectToken=10,CreateClient=19]
(--duration-ms replaces the measured warm p50, e.g. with a quieter run's or an AWS measurement; the Lambda ceiling
is 1,000 / duration. Before-files without a per-index breakdown count the row 1 unit and each index entry alike.)
Prints tables; asserts nothing.
"""
import json
import sys

APIGW_RPS = 10_000
LAMBDA_CONCURRENCY = 1_000
LAMBDA_SCALE_PER_10S = 1_000
PARTITION_RCU = 3_000
PARTITION_WCU = 1_000
TABLE_RRU = 40_000
TABLE_WRU = 40_000
KMS_RSA = 500
KMS_ECC = 300
KMS_SYMMETRIC = 5_500
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


def ceilings(op, row, one_client, signing, shards):
    """[(quota, requests/s)] for one operation."""
    duration_s = max(row["warm_p50_ms"], 0.001) / 1000
    limits = [("API Gateway 10,000 req/s per region", APIGW_RPS),
              ("Lambda 1,000 concurrent (%.1f ms each)" % (duration_s * 1000), LAMBDA_CONCURRENCY / duration_s)]
    calls = row["warm_aws_calls"].split()
    kms_signs = calls.count("Kms.Sign")
    if signing == "kms" and kms_signs:
        limits.append(("KMS RSA 500/s (account, region)", KMS_RSA / kms_signs))
    for (call, target), u in targets(row).items():
        if call == "DynamoDb.BatchGetItem":
            continue  # below: DynamoDB reports reads per table, not per key
        per_partition = PARTITION_RCU if call in ("DynamoDb.GetItem", "DynamoDb.Query") else PARTITION_WCU
        table_quota = TABLE_RRU if per_partition == PARTITION_RCU else TABLE_WRU
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
            limits.append(("DynamoDB %s 40,000 units/s" % t, table_quota / uu))
    reads = sum(u for (call, _), u in targets(row).items() if call == "DynamoDb.BatchGetItem")
    batch_keys = [float(x.rsplit("=", 1)[1]) for x in row["warm_capacity_units"].split()
                  if x.startswith("DynamoDb.BatchGetItem=")]
    if batch_keys:
        # One key of the first batch is the caller's client row (clients table), the rest are tokens-table rows.
        token_reads = sum(batch_keys) - 1
        limits.append(("DynamoDB tokens table 40,000 RRU/s (%g units)" % token_reads, TABLE_RRU / token_reads))
        if one_client:
            # The caller's client row and its client's revocation record are the same items on every request,
            # read strongly consistent: 1 unit each per request on a partition that cannot split below one item.
            limits.append(("DynamoDB one item (the client row, RV#CLIENT#<client>) 3,000 RCU/s", PARTITION_RCU))
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


def report(title, rows, shards, signing_modes):
    print(f"\n### {title}\n")
    print("| operation | signing | case | ceiling (req/s) | binds first | next |")
    print("|---|---|---|---|---|---|")
    for op, label in (("IssueToken", "client_credentials token"), ("IntrospectToken", "introspection"),
                      ("CreateClient", "client creation")):
        row = rows.get(op)
        if row is None:
            continue
        for signing in (signing_modes if op == "IssueToken" else ["-"]):
            for one_client in (False, True):
                limits = sorted(ceilings(op, row, one_client, signing, shards), key=lambda l: l[1])
                first, second = limits[0], limits[1] if len(limits) > 1 else ("-", 0)
                print(f"| {label} | {signing} | {'one client' if one_client else 'many clients'} | "
                      f"**{first[1]:,.0f}** | {first[0]} | {second[0]}: {second[1]:,.0f} |")
    token = rows.get("IssueToken")
    if token:
        concurrency = APIGW_RPS * token["warm_p50_ms"] / 1000
        print(f"\nAt 10,000 tokens/s one token function needs {concurrency:,.0f} concurrent executions; Lambda adds "
              f"{LAMBDA_SCALE_PER_10S:,} per 10 s per function, so from cold it takes about "
              f"{max(1, concurrency / LAMBDA_SCALE_PER_10S) * 10:.0f} s to get there.")


def units_line(rows):
    token = rows.get("IssueToken")
    if not token:
        return
    units = targets(token)
    writes = {k: v for k, v in units.items() if k[0] in ("DynamoDb.PutItem", "DynamoDb.UpdateItem")}
    print("write units per client_credentials token: %.0f (%s)" % (sum(writes.values()), ", ".join(
        f"{t}={u:g}" for (_, t), u in sorted(writes.items()))))


def main(argv):
    after = "bench/target/results/cold-start.jsonl"
    before = None
    signing = "both"
    durations = {}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--before":
            before = args.pop(0)
        elif arg == "--signing":
            signing = args.pop(0)
        elif arg == "--duration-ms":
            for pair in args.pop(0).split(","):
                name, ms = pair.split("=")
                durations[name] = float(ms)
        else:
            after = arg
    modes = ["kms", "wrapped"] if signing == "both" else [signing]
    rows = load(after)
    for name, ms in durations.items():
        for r in (rows,):
            if name in r:
                r[name]["warm_p50_ms"] = ms
    if before:
        # Only the token path changed: the other operations are taken from the same (after) file.
        old = dict(rows)
        old["IssueToken"] = dict(load(before)["IssueToken"], warm_p50_ms=rows["IssueToken"]["warm_p50_ms"])
        print("\nBefore (client-issued-index and subject-issued-index keyed by client/subject, 8 listing shards):")
        units_line(old)
        report("Ceilings before (" + before + ")", old, SHARDS_BEFORE, modes)
    print("\nAfter (subject index sharded 16 ways, client index gone, 16 listing shards):")
    units_line(rows)
    report("Ceilings after (" + after + ")", rows, SHARDS_AFTER, modes)


if __name__ == "__main__":
    main(sys.argv[1:])
