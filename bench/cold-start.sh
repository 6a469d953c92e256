#!/usr/bin/env bash
# Prints cold-start and AWS-call numbers for POST /oauth2/token: a fresh JVM builds the handler the way
# Lambda does and answers one token request, against DynamoDB Local and moto (KMS), each in its own
# process on loopback. RUNS=N sets the runs per signing mode (default 5). Numbers only; nothing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}

mvn -B -q --no-transfer-progress install -DskipTests
work=$(mktemp -d)
mvn -B -q --no-transfer-progress -pl bench dependency:build-classpath -Dmdep.outputFile="$work/classpath"
cp="$(cat "$work/classpath"):bench/target/classes"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

ddb_port=$(free_port)
java -cp "$cp" com.amazonaws.services.dynamodbv2.local.main.ServerRunner -inMemory -sharedDb -port "$ddb_port" \
  >"$work/dynamodb.log" 2>&1 &
pids+=($!)
kms_port=$(free_port)
python3 -m moto.server -H 127.0.0.1 -p "$kms_port" >"$work/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  curl -s -o /dev/null "http://127.0.0.1:$ddb_port" && curl -fs -o /dev/null "http://127.0.0.1:$kms_port/moto-api/" && break
  sleep 0.2
done

export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port"
export CLIENTS_TABLE=clients TOKENS_TABLE=tokens CONSENTS_TABLE=consents
export SECRET_PEPPER=$(head -c 32 /dev/urandom | base64)
read -r client_id client_secret < <(java -cp "$cp" dev.tokenservice.bench.Seed template.yaml | tail -n 1)
kms_key=$(AWS_ENDPOINT_URL="http://127.0.0.1:$kms_port" python3 -c '
import boto3
print(boto3.client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"])')

jvm_flags=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1)   # as template.yaml's JAVA_TOOL_OPTIONS
echo "# POST /oauth2/token cold start: $runs fresh JVMs per signing mode ($(nproc) cores)"
for mode in local-key-file kms; do
  for run in $(seq 1 "$runs"); do
    if [ "$mode" = kms ]; then
      env AWS_ENDPOINT_URL_KMS="http://127.0.0.1:$kms_port" KMS_SIGNING_KEY_ID="$kms_key" \
        java "${jvm_flags[@]}" -cp "$cp" dev.tokenservice.bench.ColdStart events/IssueTokenFunction.json "$client_id" "$client_secret"
    else
      env LOCAL_SIGNING_KEY_FILE="$work/signing-key.json" \
        java "${jvm_flags[@]}" -cp "$cp" dev.tokenservice.bench.ColdStart events/IssueTokenFunction.json "$client_id" "$client_secret"
    fi | sed "s/^/$mode run $run: /"
  done
done
