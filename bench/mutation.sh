#!/usr/bin/env bash
# Mutation testing of the security core with PIT (README, "Mutation testing"): mutates shared's oauth, auth and
# consents packages and the secret-hashing and revocation rules of clients and tokens, runs the functions
# module's handler tests and shared's tests against every mutant, then prints the score per package.
# Bounded: PIT's own per-test timeout, and the whole run under `timeout` (MUTATION_TIMEOUT, default 60 min).
#   bench/mutation.sh                              the whole security core, every test of functions and shared
#   MUTATION_CLASSES=dev.tokenservice.oauth.Revocation MUTATION_TESTS='dev.tokenservice.functions.oauth.*' \
#     bench/mutation.sh                            narrower, while iterating (comma-separated globs)
#   MUTATION_MIN=90 bench/mutation.sh              exit 1 when fewer than 90 % of the mutants are killed
set -euo pipefail
cd "$(dirname "$0")/.."

# The security core: OAuth, caller authentication, consents, and the secret-hashing and revocation/liveness
# rules of clients and tokens.
core=dev.tokenservice.oauth.*,dev.tokenservice.auth.*,dev.tokenservice.consents.*
core+=,dev.tokenservice.clients.SecretHasher,dev.tokenservice.tokens.TokenKeys,dev.tokenservice.tokens.TokenRepository*
core+=,dev.tokenservice.tokens.query.RevocationCutoffs,dev.tokenservice.tokens.query.LiveFilter*
classes=${MUTATION_CLASSES:-$core}
tests=${MUTATION_TESTS:-dev.tokenservice.*}
threads=${MUTATION_THREADS:-2}
limit=${MUTATION_TIMEOUT:-3600}

began=$(date +%s)
timeout --kill-after=30 "$limit" mvn -B -q --no-transfer-progress -Pmutation -pl shared,functions \
  -Dmaven.test.skip.exec=true -DtargetClasses="$classes" -DtargetTests="$tests" -Dthreads="$threads" package
echo "mutation run: $(( $(date +%s) - began )) s"

python3 - "${MUTATION_MIN:-0}" functions/target/pit-reports/mutations.xml <<'PY'
import sys, collections, xml.etree.ElementTree as ET
minimum, report = float(sys.argv[1]), sys.argv[2]
per = collections.defaultdict(lambda: [0, 0])
survivors = []
for m in ET.parse(report).getroot():
    cls = m.findtext('mutatedClass')
    pkg = cls.rsplit('.', 1)[0]
    killed = m.get('status') in ('KILLED', 'TIMED_OUT', 'MEMORY_ERROR', 'RUN_ERROR')
    per[pkg][0] += killed
    per[pkg][1] += 1
    if not killed:
        survivors.append(f"  {m.get('status'):11} {cls.rsplit('.', 1)[1]}.{m.findtext('mutatedMethod')}:"
                         f"{m.findtext('lineNumber')}  {m.findtext('description')}")
total = [sum(v[0] for v in per.values()), sum(v[1] for v in per.values())]
print(f"{'package':40} {'killed':>7} {'mutants':>8} {'score':>7}")
for pkg in sorted(per):
    k, n = per[pkg]
    print(f"{pkg:40} {k:7d} {n:8d} {100 * k / n:6.1f}%")
print(f"{'all':40} {total[0]:7d} {total[1]:8d} {100 * total[0] / total[1]:6.1f}%")
print(f"surviving or not covered ({len(survivors)}):")
print("\n".join(sorted(survivors)))
sys.exit(1 if 100 * total[0] / total[1] < minimum else 0)
PY
