#!/usr/bin/env bash
# Parts 1 and 2 of the benchmark: cold start per function and AWS calls per operation.
# For each function, RUNS fresh JVMs (default 5) build its handler the way the Lambda Java runtime does and answer
# one event (events/ with real credentials), against DynamoDB Local and moto (KMS) on loopback, each in its own
# process; then WARM more invocations (default 50) count AWS calls and sequential round trips per request with a
# global SDK interceptor (bench CallCounter). Beside them, the baseline: a handler doing one enhanced-client GetItem
# as the AWS samples do (bean schema, Apache client, default credential chain), from its own jar.
# Prints one JSON line per run (also to bench/target/results/cold-start.jsonl) and a summary table. Asserts nothing.
# Knobs: RUNS, WARM, FUNCTIONS (names below), CDS=1 adds the token endpoint with an AppCDS archive, PRIME=1 adds
# the token and introspection endpoints with their SnapStart priming hooks run after init (as before a snapshot),
# WRAPPED=1 adds the token and introspection endpoints in the `wrapped` signing mode (key ring read and one Decrypt
# at the first request, local signing after; the functions without a suffix sign with KMS Sign), TIERED=1 adds those
# two in `wrapped` mode again with the JVM's default tiered compilation (C1 then C2) instead of template.yaml's
# C1 only (-XX:TieredStopAtLevel=1), for the cold start and the warm CPU it trades, SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${RUNS:-5}
warm=${WARM:-50}
functions=${FUNCTIONS:-"IssueToken IntrospectToken GetJwks CreateClient ListTokens Baseline"}

if [ -z "${SKIP_BUILD:-}" ]; then
  mvn_q install -DskipTests
  mvn_q -pl bench -Pbaseline-jar package -DskipTests
fi
lambda_jar=functions/target/functions-0.1.0-SNAPSHOT-lambda.jar
baseline_jar=bench/target/bench-0.1.0-SNAPSHOT-baseline.jar
# The harness (ColdStart, CallCounter and its global-interceptor registration) and the Lambda runtime's event
# serialisation library sit beside either function's jar, as the runtime's own classes sit beside a deployed jar.
# That library loads org.joda.time.DateTime from the function's class loader for every event type (so a deployed
# jar needs Joda too; aws/aws-lambda-java-libs#72, and functions/pom.xml keeps it): it is added here for both
# jars alike, so the baseline jar gets the same.
bench_cp=$(module_classpath bench | tr ':' '\n')
harness="bench/target/bench-0.1.0-SNAPSHOT.jar:$(grep aws-lambda-java-serialization <<<"$bench_cp"):$(grep /joda-time- <<<"$bench_cp")"
start_backends

export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$ddb_port" AWS_ENDPOINT_URL_KMS="http://127.0.0.1:$kms_port"
export CLIENTS_TABLE=clients TOKENS_TABLE=tokens CONSENTS_TABLE=consents
export CLIENT_QUOTA_PER_OWNER=1000000 CLIENT_QUOTA_PER_TENANT=1000000
export SECRET_PEPPER=$(head -c 32 /dev/urandom | base64)
KMS_SIGNING_KEY_ID=$(AWS_ENDPOINT_URL="http://127.0.0.1:$kms_port" python3 -c '
import boto3
print(boto3.client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"])')
export KMS_SIGNING_KEY_ID
events=$(mktemp -d)
java -cp "$(module_classpath bench)" dev.tokenservice.bench.Seed template.yaml events "$events" >/dev/null
if [ -n "${WRAPPED:-}${TIERED:-}" ]; then
  wrapping_key=$(java -cp "$(module_classpath bench)" dev.tokenservice.bench.WrappedKeyRing)
  # Events of their own: the token to introspect must be signed by the key ring's key.
  SIGNING_MODE=wrapped KEY_WRAPPING_KEY_ID="$wrapping_key" java -cp "$(module_classpath bench)" \
    dev.tokenservice.bench.Seed template.yaml events "$events/wrapped" >/dev/null
  functions="$functions IssueToken+WRAPPED IntrospectToken+WRAPPED"
  [ -n "${TIERED:-}" ] && functions="$functions IssueToken+WRAPPED+TIERED IntrospectToken+WRAPPED+TIERED"
fi

jvm_flags=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1)   # template.yaml: every function but wrapped signing (+TIERED)
handler_of() {
  case $1 in
    IssueToken) echo dev.tokenservice.functions.oauth.IssueTokenHandler ;;
    IntrospectToken) echo dev.tokenservice.functions.oauth.IntrospectTokenHandler ;;
    GetJwks) echo dev.tokenservice.functions.wellknown.GetJwksHandler ;;
    CreateClient) echo dev.tokenservice.functions.clients.CreateClientHandler ;;
    ListTokens) echo dev.tokenservice.functions.agilicus.ListTokensHandler ;;
    Baseline) echo dev.tokenservice.bench.baseline.GetItemHandler ;;
  esac
}
cds_archive="$results/token-endpoint.jsa"
[ -n "${PRIME:-}" ] && functions="$functions IssueToken+PRIME IntrospectToken+PRIME"
if [ -n "${CDS:-}" ]; then
  functions="$functions IssueToken+CDS"
  # A dynamic AppCDS archive of the token endpoint's classes, dumped at the exit of one training run.
  BENCH_LAUNCH_US=${EPOCHREALTIME/./} java "${jvm_flags[@]}" -XX:ArchiveClassesAtExit="$cds_archive" \
    -cp "$lambda_jar:$harness" dev.tokenservice.bench.ColdStart "$(handler_of IssueToken)" "$events/IssueToken.json" 5 \
    >/dev/null 2>"$results/cds-dump.log"
fi

out="$results/cold-start.jsonl"
: >"$out"
echo "# cold start: $runs fresh JVMs per function, $warm warm invocations each; $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
for run in $(seq 1 "$runs"); do
  for function in $functions; do        # interleaved, so that load from other processes spreads evenly
    flags=("${jvm_flags[@]}")
    name=${function%%+*}
    prime=0
    mode=(env)
    event_dir=
    [[ $function == *+WRAPPED* ]] && event_dir=wrapped/
    [[ $function == *+TIERED ]] && flags=(-XX:+TieredCompilation -XX:TieredStopAtLevel=4)
    case $function in
      *+WRAPPED*) mode=(env SIGNING_MODE=wrapped KEY_WRAPPING_KEY_ID="$wrapping_key") ;;
      *+CDS) flags+=(-XX:SharedArchiveFile="$cds_archive") ;;
      *+PRIME) prime=1 ;;
    esac
    if [ "$name" = Baseline ]; then cp="$baseline_jar:$harness"; else cp="$lambda_jar:$harness"; fi
    line=$("${mode[@]}" BENCH_PRIME=$prime BENCH_LAUNCH_US=${EPOCHREALTIME/./} java "${flags[@]}" -cp "$cp" dev.tokenservice.bench.ColdStart \
      "$(handler_of "$name")" "$events/${event_dir:-}$name.json" "$warm")
    echo "{\"function\":\"$function\",\"run\":$run,${line#\{}" | tee -a "$out"
  done
done
echo "# load after: $(uptime | sed 's/.*load average: //')"
python3 bench/summarize.py cold-start "$out"
