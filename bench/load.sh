#!/usr/bin/env bash
# Part 3 of the benchmark: warm latency (p50/p99) and throughput per endpoint under load, for token-service through
# the local runner (template.yaml's API on loopback, DynamoDB Local in process, the local RS256 key file) and for
# Keycloak (org.keycloak:keycloak-quarkus-dist from Maven Central, start-dev, H2) with a confidential client using
# client_credentials. Same load generator (wrk, Debian), connections, threads, warm-up and duration for both; both
# JVMs get -Xmx512m (Keycloak's own default). Prints one JSON line per measured run (also to
# bench/target/results/load.jsonl) and a side-by-side table. Asserts nothing.
# Knobs: DURATION (s, default 20), WARMUP (s, default 30: the C2 compiler is still busy in both JVMs after 10 s), CONNECTIONS (default 16), THREADS (wrk, default 2),
#        LOAD_RUNS (default 2), SERVERS ("token-service keycloak"), KEYCLOAK_VERSION (26.7.3), SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
duration=${DURATION:-20}
warmup=${WARMUP:-30}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}
load_runs=${LOAD_RUNS:-2}
servers=${SERVERS:-"token-service keycloak"}
kc_version=${KEYCLOAK_VERSION:-26.7.3}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -n "${SKIP_BUILD:-}" ] || mvn_q install -DskipTests
out="$results/load.jsonl"
: >"$out"
work=$(mktemp -d)

# wrk script for a form POST with HTTP Basic client credentials.
form_script() { # file basic body
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = "$3"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic $2"
LUA
}

measure() { # server endpoint url [script]
  local server=$1 endpoint=$2 url=$3 script=${4:-} args=()
  [ -n "$script" ] && args=(-s "$script")
  wrk -t"$threads" -c"$connections" -d"${warmup}s" "${args[@]}" "$url" >/dev/null
  for run in $(seq 1 "$load_runs"); do
    wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "${args[@]}" "$url" >"$work/wrk.txt"
    python3 bench/summarize.py wrk "$work/wrk.txt" "$server" "$endpoint" "$run" "$(uptime | sed 's/.*load average: //')" \
      | tee -a "$out"
  done
}

wait_for_line() { # file pattern seconds
  for _ in $(seq 1 $(($3 * 5))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.2; done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

run_token_service() {
  local log="$work/local.log"
  # Lift template.yaml's throttling (method throttling and usage plan), which would otherwise cap the load.
  java -Xmx512m -cp "$(module_classpath local)" dev.tokenservice.local.LocalServer --port 0 --data "$work/data" \
    --template template.yaml \
    --parameter TokenEndpointRateLimit=1000000 --parameter TokenEndpointBurstLimit=1000000 \
    --parameter DefaultRateLimit=1000000 --parameter DefaultBurstLimit=1000000 \
    --parameter ManagementRateLimit=1000000 --parameter ManagementBurstLimit=1000000 \
    --parameter ManagementDailyQuota=1000000000 >"$log" 2>&1 &
  local pid=$!
  pids+=($pid)
  wait_for_line "$log" "token-service listening on" 180
  local url id secret basic token
  url=$(sed -n 's/.*token-service listening on \(\S*\).*/\1/p' "$log")
  id=$(sed -n 's/.*bootstrap admin client_id: \(\S*\).*/\1/p' "$log")
  secret=$(sed -n 's/.*bootstrap admin client_secret: \(\S*\).*/\1/p' "$log")
  basic=$(printf '%s:%s' "$id" "$secret" | base64 -w0)
  form_script "$work/ts-token.lua" "$basic" "grant_type=client_credentials"
  token=$(curl -fsS -u "$id:$secret" -d grant_type=client_credentials "$url/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  form_script "$work/ts-introspect.lua" "$basic" "token=$token"
  curl -fsS -u "$id:$secret" --data-urlencode "token=$token" "$url/oauth2/introspect" | grep -q '"active":true'
  measure token-service "client_credentials token" "$url/oauth2/token" "$work/ts-token.lua"
  measure token-service "introspection" "$url/oauth2/introspect" "$work/ts-introspect.lua"
  measure token-service "JWKS" "$url/.well-known/jwks.json"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run_keycloak() {
  local cache=bench/target/keycloak home zip log="$work/keycloak.log" port
  home="$cache/keycloak-$kc_version"
  if [ ! -x "$home/bin/kc.sh" ]; then
    mkdir -p "$cache"
    zip="$cache/keycloak-quarkus-dist-$kc_version.zip"
    [ -s "$zip" ] || curl -fsS -o "$zip" \
      "https://repo1.maven.org/maven2/org/keycloak/keycloak-quarkus-dist/$kc_version/keycloak-quarkus-dist-$kc_version.zip"
    unzip -q -o "$zip" -d "$cache"
  fi
  rm -rf "$home/data"   # a fresh H2 database each time
  port=$(free_port)
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin JAVA_OPTS_KC_HEAP="-Xms64m -Xmx512m" \
    setsid "$home/bin/kc.sh" start-dev --http-port "$port" --http-management-port "$(free_port)" >"$log" 2>&1 &
  local pid=$!
  pids+=(-$pid)    # kc.sh runs java as a child: stop the whole process group
  wait_for_line "$log" "Listening on: http" 300
  local base="http://127.0.0.1:$port" admin secret basic token
  admin=$(curl -fsS -d grant_type=password -d client_id=admin-cli -d username=admin -d password=admin \
    "$base/realms/master/protocol/openid-connect/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"realm":"bench","enabled":true}' "$base/admin/realms"
  secret=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"clientId\":\"bench\",\"enabled\":true,\"publicClient\":false,\"secret\":\"$secret\",\"serviceAccountsEnabled\":true,\"standardFlowEnabled\":false,\"directAccessGrantsEnabled\":false,\"protocol\":\"openid-connect\",\"protocolMappers\":[{\"name\":\"audience\",\"protocol\":\"openid-connect\",\"protocolMapper\":\"oidc-audience-mapper\",\"config\":{\"included.client.audience\":\"bench\",\"access.token.claim\":\"true\",\"introspection.token.claim\":\"true\"}}]}" \
    "$base/admin/realms/bench/clients"
  # Keycloak introspects only tokens whose audience holds the asking client: the mapper puts the client there.
  basic=$(printf 'bench:%s' "$secret" | base64 -w0)
  local oidc="$base/realms/bench/protocol/openid-connect"
  form_script "$work/kc-token.lua" "$basic" "grant_type=client_credentials"
  token=$(curl -fsS -u "bench:$secret" -d grant_type=client_credentials "$oidc/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  form_script "$work/kc-introspect.lua" "$basic" "token=$token"
  curl -fsS -u "bench:$secret" --data-urlencode "token=$token" "$oidc/token/introspect" | grep -q '"active":true'
  measure keycloak "client_credentials token" "$oidc/token" "$work/kc-token.lua"
  measure keycloak "introspection" "$oidc/token/introspect" "$work/kc-introspect.lua"
  measure keycloak "JWKS" "$oidc/certs"
  kill -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}

echo "# load: wrk -t$threads -c$connections, ${warmup}s warm-up then $load_runs x ${duration}s per endpoint; $(nproc) cores; load average: $(uptime | sed 's/.*load average: //')"
for server in $servers; do
  case $server in
    token-service) run_token_service ;;
    keycloak) run_keycloak ;;
  esac
done
python3 bench/summarize.py load "$out"
