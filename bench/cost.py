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
Not counted: CloudWatch Logs (the functions log only warnings and errors), data transfer, the KMS key's $1/month,
DynamoDB storage (token rows expire by TTL; TTL deletes are free), the Secrets Manager read at init.
Usage: cost.py [cold-start.jsonl] [--duration-ms D] (D overrides the measured duration, e.g. an AWS measurement)
"""
import json
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
    path = next((a for a in argv if not a.startswith("--") and a.endswith(".jsonl")), "bench/target/results/cold-start.jsonl")
    override = float(argv[argv.index("--duration-ms") + 1]) if "--duration-ms" in argv else None
    rows = [json.loads(l) for l in open(path) if l.startswith("{")]
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
            if override is not None:
                break
    print_wrapped_fixed_costs()


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
