#!/usr/bin/env bash
# Part 3 of the benchmark: CPU milliseconds per request of each server's own processes, beside req/s and p50/p99,
# per endpoint, for
#   token-service  the local runner (template.yaml's API on loopback, DynamoDB Local in process, local RS256 key file)
#   keycloak       org.keycloak:keycloak-quarkus-dist resolved by Maven (dependency:copy), start-dev (H2), a confidential client
#   hydra-opaque   Ory Hydra v2 built from the Go module proxy with SQLite, opaque (HMAC) access tokens
#   hydra-jwt      the same, JWT access tokens (RS256 with Hydra's own RSA-4096 key)
# each with a client set up like ours (client_credentials, client_secret_basic). CPU comes from /proc/<pid>/stat
# (utime+stime of the server's process tree, children included) read right before and after each wrk window
# (bench/cpu.py), divided by the requests wrk completed in it: unlike req/s it barely moves with what else the
# machine runs. Each server and endpoint is first warmed in WARM_ROUND windows until its CPU per request stops
# falling (less than WARM_TOLERANCE lower than the window before) or WARM_MAX_ROUNDS ran, and says which; then
# LOAD_RUNS measured rounds interleave the servers (round 1: every server on every endpoint, then round 2, ...), so
# a busy moment of the machine hits all of them. Every introspection window uses a token fetched just before it and
# checks after it that the token is still active (Keycloak's tokens live 300 s). For token-service each measured
# window also records the per-thread CPU split (/proc/<pid>/task/*/stat; bench/cpu.py split) in threads.jsonl, and
# its JSON line the CPU per request without DynamoDB Local's threads (the emulator runs in the runner's JVM; on AWS
# DynamoDB's work is not on the function's CPU, and Hydra's SQLite and Keycloak's H2 are in their processes too).
# With BASELINE_REV (a git revision), the server token-service-baseline is the local runner of that revision, built
# from `git archive` into bench/target/baseline-<rev> (its modules' classes, this checkout's dependency jars), so that a
# change is measured before and after in the same run: SERVERS="token-service token-service-baseline keycloak".
# Prints one JSON line per window (also to bench/target/results/load.jsonl) and the side-by-side table. Loopback
# only; wrk always runs with -d (and --timeout 30s, so that a request slowed by a busy machine is counted rather than
# dropped while its CPU still is), and no new window starts after TIME_CAP seconds. Asserts nothing.
# Knobs: DURATION (s per measured window, 20), LOAD_RUNS (2), WARM_ROUND (s, 10), WARM_MAX_ROUNDS (6),
#        WARM_TOLERANCE (0.05), CONNECTIONS (16), THREADS (wrk, 2), TIME_CAP (s, 2400),
#        SERVERS ("token-service keycloak hydra-opaque hydra-jwt"), KEYCLOAK_VERSION (26.7.3),
#        HYDRA_VERSION (v2.3.0), HYDRA_BIN (a hydra binary built as hydra_binary below builds it), SKIP_BUILD=1,
#        KEYCLOAK_START_TIMEOUT (s, 900), ENDPOINTS (comma-separated, default "client_credentials token,introspection,JWKS"), BASELINE_REV.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${DURATION:-20}
load_runs=${LOAD_RUNS:-2}
warm_round=${WARM_ROUND:-10}
warm_max=${WARM_MAX_ROUNDS:-6}
warm_tolerance=${WARM_TOLERANCE:-0.05}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}
time_cap=${TIME_CAP:-2400}
servers=${SERVERS:-"token-service keycloak hydra-opaque hydra-jwt"}
kc_version=${KEYCLOAK_VERSION:-26.7.3}
hydra_version=${HYDRA_VERSION:-v2.3.0}
IFS=, read -r -a endpoints <<<"${ENDPOINTS:-client_credentials token,introspection,JWKS}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || mvn_q install -DskipTests
out="$results/load.jsonl"
thread_out="$results/threads.jsonl"
: >"$out"
: >"$thread_out"
work=$(mktemp -d)
started=$(date +%s)

declare -A pid_of credentials_of token_url_of introspect_url_of introspect_authenticates jwks_url_of warm_note

# wrk script for a form POST, with HTTP Basic client credentials when given.
form_script() { # file basic body
  {
    echo 'wrk.method = "POST"'
    echo "wrk.body = \"$3\""
    echo 'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"'
    if [ -n "$2" ]; then echo "wrk.headers[\"Authorization\"] = \"Basic $2\""; fi
  } >"$1"
}

wait_for_line() { # file pattern seconds [pid: give up when it has exited]
  for _ in $(seq 1 $(($3 * 5))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "no '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }

new_token() { # server
  curl -fsS -u "${credentials_of[$1]}" -d grant_type=client_credentials "${token_url_of[$1]}" | json_field access_token
}

introspect() { # server token -> the introspection answer
  if [ -n "${introspect_authenticates[$1]}" ]; then
    curl -fsS -u "${credentials_of[$1]}" --data-urlencode "token=$2" "${introspect_url_of[$1]}"
  else
    curl -fsS --data-urlencode "token=$2" "${introspect_url_of[$1]}"
  fi
}

basic_of() { printf '%s' "${credentials_of[$1]}" | base64 -w0; }

# Prepares the wrk arguments of one (server, endpoint) window; for introspection a token fetched now.
prepare() { # server endpoint -> sets target_url, target_args, target_token
  local server=$1 endpoint=$2 basic=""
  target_args=() target_token=""
  case $endpoint in
    "client_credentials token")
      form_script "$work/$server-token.lua" "$(basic_of "$server")" "grant_type=client_credentials"
      target_url=${token_url_of[$server]} target_args=(-s "$work/$server-token.lua") ;;
    introspection)
      target_token=$(new_token "$server")
      if [ -n "${introspect_authenticates[$server]}" ]; then basic=$(basic_of "$server"); fi
      form_script "$work/$server-introspect.lua" "$basic" "token=$target_token"
      target_url=${introspect_url_of[$server]} target_args=(-s "$work/$server-introspect.lua") ;;
    JWKS)
      target_url=${jwks_url_of[$server]} ;;
  esac
}

# One wrk window; sets window_requests and window_cpu_ms (CPU ms per request of the server's processes).
window() { # server endpoint seconds [per-thread split file]
  local server=$1 pid=${pid_of[$1]} before after
  prepare "$server" "$2"
  if [ -n "${4:-}" ]; then python3 bench/cpu.py threads "$pid" "$work/threads-before.json"; fi
  before=$(python3 bench/cpu.py total "$pid")
  wrk -t"$threads" -c"$connections" -d"${3}s" --timeout 30s --latency "${target_args[@]}" "$target_url" >"$work/wrk.txt"
  after=$(python3 bench/cpu.py total "$pid")
  if [ -n "${4:-}" ]; then python3 bench/cpu.py threads "$pid" "$work/threads-after.json"; fi
  window_requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$work/wrk.txt")
  window_cpu_ms=$(python3 -c "print(round(($after - $before) * 1000 / max(1, $window_requests), 3))")
  window_active=""
  if [ "$2" = introspection ]; then
    window_active=false
    if introspect "$server" "$target_token" | grep -q '"active":true'; then window_active=true; fi
  fi
}

out_of_time() { [ $(( $(date +%s) - started )) -ge "$time_cap" ]; }

# Warms one endpoint until its CPU per request stops falling; remembers how that went for the JSON lines.
warm() { # server endpoint
  local server=$1 endpoint=$2 previous="" rounds=() settled=false
  for round in $(seq 1 "$warm_max"); do
    out_of_time && break
    window "$server" "$endpoint" "$warm_round"
    rounds+=("$window_cpu_ms")
    if [ -n "$previous" ] && python3 -c "import sys; sys.exit(0 if $window_cpu_ms >= $previous * (1 - $warm_tolerance) else 1)"; then
      settled=true
      break
    fi
    previous=$window_cpu_ms
  done
  warm_note["$server|$endpoint"]="{\"warm_cpu_ms_per_request\": [$(IFS=,; echo "${rounds[*]}")], \"warm_settled\": $settled, \"warm_round_s\": $warm_round}"
  echo "# warmed $server / $endpoint: CPU ms per request by ${warm_round}s round ${rounds[*]} (settled: $settled)" >&2
}

measure() { # server endpoint run
  local server=$1 endpoint=$2 run=$3 split=""
  case $server in token-service*) split=1 ;; esac
  window "$server" "$endpoint" "$duration" "$split"
  local extra="{\"cpu_ms_per_request\": $window_cpu_ms, \"window_s\": $duration"
  if [ -n "$split" ]; then
    python3 bench/cpu.py split "$work/threads-before.json" "$work/threads-after.json" "$window_requests" >"$work/split.json"
    extra+=", \"cpu_ms_per_request_without_dynamodb_local\": $(python3 bench/cpu.py without-dynamodb-local "$work/split.json")"
  fi
  if [ -n "$window_active" ]; then extra+=", \"token_active_after_window\": $window_active"; fi
  extra+=", \"warm\": ${warm_note["$server|$endpoint"]:-null}}"
  python3 bench/summarize.py wrk "$work/wrk.txt" "$server" "$endpoint" "$run" "$(uptime | sed 's/.*load average: //')" "$extra" \
    | tee -a "$out"
  if [ -n "$split" ]; then
    python3 -c "import json,sys; d=json.load(sys.stdin); d.update(server='$server', endpoint='$endpoint', run=$run); print(json.dumps(d))" \
      <"$work/split.json" >>"$thread_out"
  fi
}

start_token_service() { # [server name] [classpath]
  local server=${1:-token-service} cp=${2:-$(module_classpath local runtime)}
  local log="$work/$server.log" url id secret token
  # Lift template.yaml's throttling (method throttling and usage plan), which would otherwise cap the load.
  java -Xmx512m -cp "$cp" dev.tokenservice.local.LocalServer --port 0 --data "$work/$server-data" \
    --template template.yaml \
    --parameter TokenEndpointRateLimit=1000000 --parameter TokenEndpointBurstLimit=1000000 \
    --parameter DefaultRateLimit=1000000 --parameter DefaultBurstLimit=1000000 \
    --parameter ManagementRateLimit=1000000 --parameter ManagementBurstLimit=1000000 \
    --parameter ManagementDailyQuota=1000000000 >"$log" 2>&1 &
  pid_of[$server]=$!
  pids+=($!)
  wait_for_line "$log" "token-service listening on" 180 "${pid_of[$server]}"
  url=$(sed -n 's/.*token-service listening on \(\S*\).*/\1/p' "$log")
  id=$(sed -n 's/.*bootstrap admin client_id: \(\S*\).*/\1/p' "$log")
  secret=$(sed -n 's/.*bootstrap admin client_secret: \(\S*\).*/\1/p' "$log")
  credentials_of[$server]="$id:$secret"
  token_url_of[$server]="$url/oauth2/token"
  introspect_url_of[$server]="$url/oauth2/introspect"
  introspect_authenticates[$server]=1
  jwks_url_of[$server]="$url/.well-known/jwks.json"
}

# The local runner of another revision (BASELINE_REV), built apart from this checkout: its modules' classes from
# `mvn package` in an exported tree (nothing installed, so this checkout's jars stay as they are) before this
# checkout's dependency jars. Prints the classpath.
baseline_classpath() {
  local rev=${BASELINE_REV:?"token-service-baseline needs BASELINE_REV, a git revision"} dir jars
  dir="$bench_root/bench/target/baseline-$(git rev-parse --short "$rev")"
  if [ ! -d "$dir/local/target/classes" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git archive "$rev" | tar -x -C "$dir"
    (cd "$dir" && mvn_q -o package -DskipTests -pl local -am) >&2
  fi
  jars=$(module_classpath local runtime | tr ':' '\n' | grep -v '/dev/tokenservice/' | grep -v "^$bench_root/" | paste -sd:)
  echo "$dir/local/target/classes:$dir/functions/target/classes:$dir/shared/target/classes:$jars"
}

start_keycloak() {
  local cache=bench/target/keycloak home zip log="$work/keycloak.log" port base admin secret
  home="$cache/keycloak-$kc_version"
  if [ ! -x "$home/bin/kc.sh" ]; then
    mkdir -p "$cache"
    zip="$cache/keycloak-quarkus-dist-$kc_version.zip"
    # Through Maven, like every other dependency: its repository settings, mirror and MAVEN_OPTS (local repository)
    # apply, and a zip already in the local repository is not downloaded again.
    # -N: only the root project, not once per module.
    [ -s "$zip" ] || mvn -q -B -N org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$kc_version:zip" -DoutputDirectory="$cache" \
      -Dmdep.overWriteReleases=true
    unzip -q -o "$zip" -d "$cache"
  fi
  rm -rf "$home/data"   # a fresh H2 database each time
  port=$(free_port)
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
    setsid "$home/bin/kc.sh" start-dev --http-host 127.0.0.1 --http-port "$port" --http-management-port "$(free_port)" \
    >"$log" 2>&1 &
  pid_of[keycloak]=$!   # kc.sh, whose child is the JVM: cpu.py counts the whole tree
  pids+=(-$!)           # stop the whole process group
  # On a first start Keycloak builds itself (Quarkus augmentation) and creates its schema: minutes on a busy machine.
  wait_for_line "$log" "Listening on: http" "${KEYCLOAK_START_TIMEOUT:-900}"
  base="http://127.0.0.1:$port"
  # Its first requests can still be refused right after "Listening" on a busy machine (an empty reply): try again.
  for _ in $(seq 1 30); do
    admin=$(curl -fsS -d grant_type=password -d client_id=admin-cli -d username=admin -d password=admin \
      "$base/realms/master/protocol/openid-connect/token" | json_field access_token) && break
    sleep 2
  done
  curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"realm":"bench","enabled":true}' "$base/admin/realms"
  secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  # Keycloak introspects only tokens whose audience holds the asking client: the mapper puts the client there.
  curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"clientId\":\"bench\",\"enabled\":true,\"publicClient\":false,\"secret\":\"$secret\",\"serviceAccountsEnabled\":true,\"standardFlowEnabled\":false,\"directAccessGrantsEnabled\":false,\"protocol\":\"openid-connect\",\"protocolMappers\":[{\"name\":\"audience\",\"protocol\":\"openid-connect\",\"protocolMapper\":\"oidc-audience-mapper\",\"config\":{\"included.client.audience\":\"bench\",\"access.token.claim\":\"true\",\"introspection.token.claim\":\"true\"}}]}" \
    "$base/admin/realms/bench/clients"
  local oidc="$base/realms/bench/protocol/openid-connect"
  credentials_of[keycloak]="bench:$secret"
  token_url_of[keycloak]="$oidc/token"
  introspect_url_of[keycloak]="$oidc/token/introspect"
  introspect_authenticates[keycloak]=1
  jwks_url_of[keycloak]="$oidc/certs"
}

# Ory Hydra from the Go module proxy (go mod download), built with CGO and the sqlite tag. Its go.mod replaces
# hydra-client-go/v2 with ./internal/httpclient, a nested module the proxy's zip leaves out, so that replace is
# dropped and the published hydra-client-go/v2 of the same required version is used (only the CLI uses it).
hydra_binary() {
  local bin=${HYDRA_BIN:-$bench_root/bench/target/hydra/hydra-$hydra_version} src dir
  if [ ! -x "$bin" ]; then
    command -v go >/dev/null || { echo "go is missing (https://go.dev/dl/): Hydra is built from source" >&2; return 1; }
    dir=$(go mod download -json "github.com/ory/hydra/v2@$hydra_version" | json_field Dir)
    src="$bench_root/bench/target/hydra/src-$hydra_version"
    rm -rf "$src" && mkdir -p "$(dirname "$src")" && cp -r "$dir" "$src" && chmod -R u+w "$src"
    (cd "$src" && go mod edit -dropreplace github.com/ory/hydra-client-go/v2 \
      && CGO_ENABLED=1 GOFLAGS=-mod=mod go build -tags sqlite,sqlite_omit_load_extension -o "$bin" .) >&2
  fi
  echo "$bin"
}

start_hydra() { # strategy: opaque or jwt
  local strategy=$1 server="hydra-$1" bin dir public admin log client
  bin=$(hydra_binary)
  dir="$work/$server" log="$work/$server.log"
  mkdir -p "$dir"
  public=$(free_port) admin=$(free_port)
  local system_secret; system_secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  export_hydra() {
    DSN="sqlite://$dir/db.sqlite?_fk=true&_journal_mode=WAL" SECRETS_SYSTEM="$system_secret" \
      URLS_SELF_ISSUER="http://127.0.0.1:$public" SERVE_PUBLIC_HOST=127.0.0.1 SERVE_PUBLIC_PORT=$public \
      SERVE_ADMIN_HOST=127.0.0.1 SERVE_ADMIN_PORT=$admin STRATEGIES_ACCESS_TOKEN=$strategy LOG_LEVEL=warn \
      "$@"
  }
  export_hydra "$bin" migrate sql up -e --yes >"$log" 2>&1
  # exec: the background subshell becomes Hydra itself, so that the cleanup's kill reaches it (it outlived the script).
  export_hydra exec "$bin" serve all --dev >>"$log" 2>&1 &
  pid_of[$server]=$!
  pids+=($!)
  for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$admin/health/ready" && break; sleep 0.2; done
  for _ in $(seq 1 30); do
    client=$(curl -fsS -H 'Content-Type: application/json' -d '{"grant_types":["client_credentials"],"token_endpoint_auth_method":"client_secret_basic","scope":"bench"}' \
      "http://127.0.0.1:$admin/admin/clients") && break
    sleep 2
  done
  credentials_of[$server]="$(json_field client_id <<<"$client"):$(json_field client_secret <<<"$client")"
  token_url_of[$server]="http://127.0.0.1:$public/oauth2/token"
  # Hydra's introspection is on its admin port and authenticates no caller.
  introspect_url_of[$server]="http://127.0.0.1:$admin/admin/oauth2/introspect"
  introspect_authenticates[$server]=""
  jwks_url_of[$server]="http://127.0.0.1:$public/.well-known/jwks.json"
  # Hydra makes its RSA-4096 keys on first use (about 5 s of CPU each here). Under 16 connections every waiting
  # request made its own, and the JWKS windows completed nothing: one request first makes them, alone.
  # On a busy machine that first request can get an empty reply while the keys are still being made: ask again.
  for _ in $(seq 1 30); do curl -fsS -o /dev/null "${jwks_url_of[$server]}" && break; sleep 2; done
}

echo "# load: wrk -t$threads -c$connections; warm-up ${warm_round}s windows until CPU/request settles (at most $warm_max);" \
  "then $load_runs x ${duration}s per endpoint, servers interleaved; $(nproc) cores; load average: $(uptime | sed 's/.*load average: //')"
for server in $servers; do
  case $server in
    token-service) start_token_service ;;
    token-service-baseline) start_token_service token-service-baseline "$(baseline_classpath)" ;;
    keycloak) start_keycloak ;;
    hydra-opaque) start_hydra opaque ;;
    hydra-jwt) start_hydra jwt ;;
    *) echo "unknown server $server" >&2; exit 1 ;;
  esac
  token=$(new_token "$server")
  introspect "$server" "$token" | grep -q '"active":true' || { echo "$server: a fresh token is not active" >&2; exit 1; }
done
for server in $servers; do
  for endpoint in "${endpoints[@]}"; do warm "$server" "$endpoint"; done
done
for run in $(seq 1 "$load_runs"); do
  for endpoint in "${endpoints[@]}"; do
    for server in $servers; do
      if out_of_time; then echo "# TIME_CAP of ${time_cap}s reached: $server / $endpoint round $run not measured" >&2; continue; fi
      measure "$server" "$endpoint" "$run"
    done
  done
done
python3 bench/summarize.py load "$out"
python3 bench/summarize.py threads "$thread_out"
