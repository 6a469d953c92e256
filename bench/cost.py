#!/usr/bin/env python3
"""Part 4 of the benchmark: cost per million requests on AWS, from what bench/cold-start.sh measured.

Inputs (measured): the warm in-process duration of the handler (p50 and p99 of the warm invocations, median over
the fresh JVMs), the AWS calls one warm request makes (counted by the CallCounter interceptor) and the DynamoDB
capacity units each consumed (ReturnConsumedCapacity=INDEXES on one extra untimed request: the table's units plus
every index entry written), all read from bench/target/results/cold-start.jsonl; the memory size from template.yaml
(Globals.Function.MemorySize).
Prices (us-east-1, list prices, no free tier; stated here so they can be checked and changed):
  Lambda x86          $0.0000166667 per GB-second, $0.20 per 1M requests, billed per 1 ms
                      (aws.amazon.com/lambda/pricing)
  API Gateway REST    $3.50 per 1M requests, first 333M a month (aws.amazon.com/api-gateway/pricing)
  KMS                 $0.03 per 10,000 requests involving RSA 2048 keys (RS256, the template default);
                      $0.15 per 10,000 other asymmetric requests (ES256 on ECC_NIST_P256); asymmetric Sign is not in
                      the free tier (aws.amazon.com/kms/pricing)
  DynamoDB on-demand  $0.625 per 1M write request units, $0.125 per 1M read request units (us-east-1 since the
                      November 2024 price cut; aws.amazon.com/dynamodb/pricing/on-demand). A strongly consistent
                      read of an item up to 4 KB is 1 RRU (a key not found is still charged 1 here); a write is
                      1 WRU per started KB of the item, plus the same for each index entry it writes; transactional
                      writes cost twice.
  Cognito M2M         $2.25 per 1,000 client_credentials token requests (the first tier, $0.00225 each) plus $6 per
                      app client per month (aws.amazon.com/cognito/pricing; billing code CUPM2MTokenRequestsFull)
Signing modes: `kms` pays one KMS Sign per token (the measured Kms.Sign call); `wrapped` (rows marked so, measured
with WRAPPED=1 in cold-start.sh) makes no KMS call per token. Its fixed costs, per container and per stack, are printed
below the table from these prices: each container re-reads the key ring (one strongly consistent GetItem of at most
8 KB, 2 RRU) once a minute and decrypts the active key once (KMS Decrypt, $0.03 per 10,000 symmetric requests); the
rotation function runs hourly (one GetItem; a PutItem and a GenerateDataKeyPairWithoutPlaintext about twice a period);
the key-wrapping key costs $1 a month plus $1 for each of its first two automatic yearly rotations.
  Auth0               sells machine-to-machine tokens as a monthly allowance of each plan (auth0.com/pricing), with no
                      published price per token: not priced here.
Every write the service makes per token is counted in the second table: the token's row and its three index entries
(measured), and the scheduled cleanup. Before TTL-first deletion the cleanup deleted every expired token itself:
a delete is 1 WRU for the row plus 1 for each index entry it removes, 4 WRU per token. Now it leaves expired rows to
DynamoDB's TTL, whose deletes are free of charge (DynamoDB developer guide, "Time to Live"), and deletes only what
TTL left past CLEANUP_TTL_GRACE_SECONDS (0 in the common case); what it still pays per token is the count of rows
that expired since its last run, an eventually consistent Select COUNT query on the keys-only expiry index, about
60 bytes an entry, 0.5 RRU per 4 KB: about 0.008 RRU per token. Its watermark row (one PutItem per run, 96 a day)
does not grow with tokens. The floor of this architecture (API Gateway REST + Lambda + a stored token) is what no
implementation of it can avoid per token: one REST request, one Lambda request at the minimum billed 1 ms, and the
token's row, 1 WRU; no read (the client cache answers it), no index entry, no KMS call.
Not counted: CloudWatch Logs (the functions log only warnings and errors), data transfer, the KMS key's $1/month,
DynamoDB storage, the Secrets Manager read at init.
Usage: cost.py [cold-start.jsonl] [--duration-ms D] (D overrides the measured duration, e.g. an AWS measurement)
With no fresh run (bench/target/results/cold-start.jsonl) it reads the committed bench/measured/cold-start-after-
issue14.jsonl with the warm durations docs/performance.md measured on an idle machine.
"""
import json
import os
import re
import statistics
import sys

LAMBDA_GB_SECOND = 0.0000166667
LAMBDA_REQUEST = 0.20 / 1e6
API_GATEWAY_REST = 3.50 / 1e6
KMS_RSA_2048 = 0.03 / 1e4
KMS_OTHER_ASYMMETRIC = 0.15 / 1e4
KMS_SYMMETRIC = 0.03 / 1e4
DYNAMODB_WRU = 0.625 / 1e6
DYNAMODB_RRU = 0.125 / 1e6
COGNITO_M2M_TOKEN = 2.25 / 1e3
FRESH_RUN = "bench/target/results/cold-start.jsonl"
COMMITTED_RUN = "bench/measured/cold-start-after-issue14.jsonl"
# Warm p50 in process on an idle machine (docs/performance.md, "Cold start" and "Compilation level"), for the committed run.
IDLE_DURATIONS_MS = {"IssueToken": 17.9, "IssueToken+WRAPPED": 7.5, "IntrospectToken": 9.7, "IntrospectToken+WRAPPED": 9.7}
CLEANUP_WRU_BEFORE = 4        # a delete of the row and its three index entries, every token
CLEANUP_WRU_AFTER = 0         # TTL deletes (free); the cleanup only what TTL left past the grace
CLEANUP_RRU_AFTER = 60 / 4096 * 0.5  # the COUNT of each expired token's keys-only index entry, eventually consistent

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
# Request units per call when a measurement has none (older result files): one unit per item, no index writes.
UNITS = {
    "DynamoDb.GetItem": ("rru", 1),
    "DynamoDb.BatchGetItem": ("rru", 4),
    "DynamoDb.PutItem": ("wru", 1),
    "DynamoDb.UpdateItem": ("wru", 1),
    "DynamoDb.TransactWriteItems": ("wru", 2 * 3),  # client row and two quota counters, transactional
    "Kms.Sign": ("kms", 1),
    "Kms.Decrypt": ("kms", 1),
}


def memory_mb(template="template.yaml"):
    text = open(template).read()
    return int(re.search(r"^Globals:.*?MemorySize:\s*(\d+)", text, re.S | re.M).group(1))


def measured_calls(row):
    """(call, units) pairs: the measured capacity units where the result file has them."""
    if row.get("warm_capacity_units"):
        pairs = [item.rsplit("=", 1) for item in row["warm_capacity_units"].split()]
        return [(call, float(units) if call.startswith("DynamoDb.") else UNITS.get(call, (None, 0))[1])
                for call, units in pairs]
    return [(call, UNITS.get(call, (None, 0))[1]) for call in row["warm_aws_calls"].split()]


def per_million(calls, duration_ms, memory, kms_price=KMS_RSA_2048):
    billed_ms = -(-duration_ms // 1)  # Lambda bills whole milliseconds, rounded up
    parts = {
        "API Gateway (REST)": API_GATEWAY_REST,
        "Lambda requests": LAMBDA_REQUEST,
        "Lambda duration": billed_ms / 1000 * memory / 1024 * LAMBDA_GB_SECOND,
        "KMS": 0.0, "DynamoDB reads": 0.0, "DynamoDB writes": 0.0,
    }
    for call, units in calls:
        kind = "kms" if call.startswith("Kms.") else "wru" if call.split(".")[-1] in WRITES else "rru"
        if kind == "kms":
            parts["KMS"] += units * (KMS_SYMMETRIC if call == "Kms.Decrypt" else kms_price)
        elif kind == "rru":
            parts["DynamoDB reads"] += units * DYNAMODB_RRU
        elif kind == "wru":
            parts["DynamoDB writes"] += units * DYNAMODB_WRU
    return {k: v * 1e6 for k, v in parts.items()}


def main(argv):
    path = next((a for a in argv if not a.startswith("--") and a.endswith(".jsonl")), None)
    override = float(argv[argv.index("--duration-ms") + 1]) if "--duration-ms" in argv else None
    idle = False
    if path is None:
        path = FRESH_RUN if os.path.exists(FRESH_RUN) else COMMITTED_RUN
        idle = path == COMMITTED_RUN
        if idle:
            print(f"(no fresh run in {FRESH_RUN}: the committed {COMMITTED_RUN}, idle-machine durations "
                  f"{IDLE_DURATIONS_MS})")
    rows = [json.loads(l) for l in open(path) if l.startswith("{")]
    if idle:
        for r in rows:
            if r["function"] in IDLE_DURATIONS_MS:
                r["warm_p50_ms"] = r["warm_p99_ms"] = IDLE_DURATIONS_MS[r["function"]]
    memory = memory_mb()
    print(f"\n# cost per million requests, us-east-1 list prices, {memory} MB functions (template.yaml); "
          "durations are the warm in-process handler times measured against DynamoDB Local and moto")
    print("| operation | AWS calls per request (DynamoDB capacity units) | billed duration (ms) | API Gateway | Lambda (requests + duration) "
          "| KMS | DynamoDB | total per 1M | Cognito M2M per 1M | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for function, label in (("IssueToken", "client_credentials token, `kms` signing"),
                            ("IssueToken+WRAPPED", "client_credentials token, `wrapped` signing"),
                            ("IntrospectToken", "introspection, `kms` mode"),
                            ("IntrospectToken+WRAPPED", "introspection, `wrapped` mode")):
        rs = [r for r in rows if r["function"] == function]
        if not rs:
            continue
        calls = measured_calls(rs[-1])
        for stat in ("p50", "p99"):
            duration = override if override is not None else statistics.median(r[f"warm_{stat}_ms"] for r in rs)
            parts = per_million(calls, duration, memory)
            total = sum(parts.values())
            lam = parts["Lambda requests"] + parts["Lambda duration"]
            ddb = parts["DynamoDB reads"] + parts["DynamoDB writes"]
            cognito = COGNITO_M2M_TOKEN * 1e6 if function.startswith("IssueToken") else None
            described = " ".join(f"{call.split('.')[-1]} ({units:g} {'WRU' if call.split('.')[-1] in WRITES else 'RRU'})"
                                 if call.startswith("DynamoDb.") else call.split('.')[-1] for call, units in calls)
            print(f"| {label} (duration {'given' if override is not None else stat}) | {described} | "
                  f"{-(-duration // 1):.0f} | ${parts['API Gateway (REST)']:.2f} | ${lam:.2f} | ${parts['KMS']:.2f} | "
                  f"${ddb:.2f} | **${total:.2f}** | " + (f"${cognito:,.0f} | {cognito / total:,.0f}x cheaper |"
                                                         if cognito else "n/a (Cognito has no introspection) | |"))
            if override is not None or idle:
                break
    print_all_writes(rows, memory, override, idle)
    print_wrapped_fixed_costs()


def print_all_writes(rows, memory, override, idle):
    """Per million client_credentials tokens, each signing mode: every write counted, cleanup included, before and
    after TTL-first deletion, beside the floor of this architecture and Cognito."""
    token = [r for r in rows if r["function"] == "IssueToken"]
    if not token:
        return
    calls = measured_calls(token[-1])
    floor = (API_GATEWAY_REST + LAMBDA_REQUEST + 0.001 * memory / 1024 * LAMBDA_GB_SECOND + DYNAMODB_WRU) * 1e6
    print("\n# every write per million client_credentials tokens, cleanup included (us-east-1 list prices)")
    print("| signing | duration (ms) | API Gateway + Lambda | KMS | reads | token row + index entries | cleanup "
          "| total per 1M | above the floor | Cognito M2M per 1M |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for mode in ("kms", "wrapped"):
        function = "IssueToken" if mode == "kms" else "IssueToken+WRAPPED"
        measured = [r for r in rows if r["function"] == function]
        if override is not None:
            duration = override
        elif measured:
            duration = statistics.median(r["warm_p50_ms"] for r in measured)
        elif idle:
            duration = IDLE_DURATIONS_MS[function]
        else:
            continue
        mode_calls = [c for c in calls if not (mode == "wrapped" and c[0] == "Kms.Sign")]
        parts = per_million(mode_calls, duration, memory)
        fixed = parts["API Gateway (REST)"] + parts["Lambda requests"] + parts["Lambda duration"]
        for label, cleanup_wru, cleanup_rru in (("before: the cleanup deletes every token", CLEANUP_WRU_BEFORE, 0),
                                                ("after: TTL deletes, the cleanup only what TTL left",
                                                 CLEANUP_WRU_AFTER, CLEANUP_RRU_AFTER)):
            cleanup = (cleanup_wru * DYNAMODB_WRU + cleanup_rru * DYNAMODB_RRU) * 1e6
            total = fixed + parts["KMS"] + parts["DynamoDB reads"] + parts["DynamoDB writes"] + cleanup
            print(f"| `{mode}`, {label} | {-(-duration // 1):.0f} | ${fixed:.2f} | ${parts['KMS']:.2f} | "
                  f"${parts['DynamoDB reads']:.2f} | ${parts['DynamoDB writes']:.2f} | ${cleanup:.3f} | "
                  f"**${total:.2f}** | {(total / floor - 1) * 100:+.0f} % | ${COGNITO_M2M_TOKEN * 1e6:,.0f} |")
    print(f"| floor: one REST request, one Lambda request at 1 ms, the row's 1 WRU | 1 | | | | | | **${floor:.2f}** | "
          f"0 % | ${COGNITO_M2M_TOKEN * 1e6:,.0f} |")
    print("Reads: the client row's strongly consistent GetItem as measured; the client cache (CLIENT_CACHE_SECONDS) "
          "leaves about one per container and second. Auth0: no public per-token price (plans with monthly M2M "
          "token allowances).")


def print_wrapped_fixed_costs():
    """The `wrapped` mode's costs that do not grow with tokens (see the module comment for the figures)."""
    ring_read_per_container_hour = 60 * 2 * DYNAMODB_RRU
    decrypt_per_container_start = KMS_SYMMETRIC
    rotation_per_month = 24 * 30 * 2 * DYNAMODB_RRU + 2 * 8 * DYNAMODB_WRU + 2 * KMS_SYMMETRIC
    print(f"\n`wrapped` mode, costs that do not grow with tokens: key ring re-read ${ring_read_per_container_hour:.6f} "
          f"per container-hour; Decrypt ${decrypt_per_container_start:.6f} per container start; the rotation function "
          f"about ${rotation_per_month:.4f} a month (plus its Lambda invocations); the key-wrapping key $1-3 a month. "
          f"1,000 warm containers all month: ${ring_read_per_container_hour * 1000 * 720:.2f}.")


if __name__ == "__main__":
    main(sys.argv[1:])
