#!/usr/bin/env bash
# The whole benchmark in one run (docs/performance.md): builds once, then
#   1+2  bench/cold-start.sh  cold start per function vs the GetItem baseline; AWS calls and sequential round trips
#   3    bench/load.sh        CPU ms per request, req/s and p50/p99 per endpoint: token-service (local runner) beside
#                             Keycloak and Ory Hydra (opaque and JWT; built from the Go module proxy, needs go and gcc)
#   4    bench/cost.py        cost per million tokens on AWS from the measured durations, vs Cognito M2M
# and prints the tables (also saved to bench/target/results/summary.md). Numbers only; nothing is asserted.
# About 25 minutes with the defaults on 2 cores (the load part stops starting windows after TIME_CAP). Knobs (see each
# script): RUNS, WARM, CDS, PRIME and WRAPPED (default 1 here), DURATION, LOAD_RUNS, WARM_ROUND, WARM_MAX_ROUNDS,
# WARM_TOLERANCE, CONNECTIONS, THREADS, TIME_CAP, SERVERS, KEYCLOAK_VERSION, HYDRA_VERSION; QUICK=1 for a shorter smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${QUICK:-}" ]; then
  export RUNS=${RUNS:-2} WARM=${WARM:-20} DURATION=${DURATION:-5} WARM_ROUND=${WARM_ROUND:-3} WARM_MAX_ROUNDS=${WARM_MAX_ROUNDS:-2} \
    LOAD_RUNS=${LOAD_RUNS:-1}
fi
export CDS=${CDS:-1} PRIME=${PRIME:-1} WRAPPED=${WRAPPED:-1}
results=bench/target/results
mkdir -p "$results"
mvn -B -q --no-transfer-progress install -DskipTests
mvn -B -q --no-transfer-progress -pl bench -Pbaseline-jar package -DskipTests
started=$(date +%s)
{
  echo "# token-service benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"
  echo "# load average at start: $(uptime | sed 's/.*load average: //')"
  SKIP_BUILD=1 bash bench/cold-start.sh | grep -v '^{'
  SKIP_BUILD=1 bash bench/load.sh | grep -v '^{'
  python3 bench/cost.py "$results/cold-start.jsonl"
  echo
  echo "# finished in $(( $(date +%s) - started )) s; load average at end: $(uptime | sed 's/.*load average: //')"
} | tee "$results/summary.md"
