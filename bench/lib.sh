# Shared by the bench scripts: classpaths, free ports, DynamoDB Local and moto on loopback, cleanup.
# Sourced, not run. Expects to be sourced from the repository root.
bench_root=$(pwd)
results=${BENCH_RESULTS:-$bench_root/bench/target/results}
mkdir -p "$results"
pids=()
# A negative id is a process group (a launcher script and its JVM).
bench_cleanup() { for pid in "${pids[@]}"; do kill -- "$pid" 2>/dev/null || true; done; }
trap bench_cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mvn_q() { mvn -B -q --no-transfer-progress "$@"; }

# Classpath of a module's dependencies plus its classes, cached per build: every scope (test jars included) unless a
# scope is given. The local runner is measured with "runtime", the classpath `mvn -pl local exec:java` runs it with:
# with the test scope it would also load the shared test jar's global SDK interceptor (AwsCallRecorder), which walks
# the stack on every AWS call (another thread's stack for a call made beside the request): a test-only cost that
# bench/load.sh measured as part of the runner's CPU until 2026-11-30 (docs/performance.md).
module_classpath() {
  local module=$1 scope=${2:-} file="$bench_root/$1/target/bench-classpath${2:+-$2}.txt"
  if [ ! -s "$file" ] || [ -n "$(find "$bench_root" -name pom.xml -not -path '*/target/*' -newer "$file")" ]; then
    mvn_q -pl "$module" dependency:build-classpath -Dmdep.outputFile="$file" ${scope:+-DincludeScope=$scope} >/dev/null
  fi
  echo "$(cat "$file"):$bench_root/$module/target/classes"
}

# Starts DynamoDB Local (in memory) and moto (KMS) in their own processes; sets ddb_port, kms_port.
start_backends() {
  local cp; cp=$(module_classpath bench)
  ddb_port=$(free_port)
  java -cp "$cp" com.amazonaws.services.dynamodbv2.local.main.ServerRunner -inMemory -sharedDb -port "$ddb_port" \
    >"$results/dynamodb.log" 2>&1 &
  pids+=($!)
  kms_port=$(free_port)
  python3 -m moto.server -H 127.0.0.1 -p "$kms_port" >"$results/moto.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    curl -s -o /dev/null "http://127.0.0.1:$ddb_port" && curl -fs -o /dev/null "http://127.0.0.1:$kms_port/moto-api/" && return 0
    sleep 0.2
  done
  echo "DynamoDB Local or moto did not start" >&2; return 1
}
