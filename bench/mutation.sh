#!/usr/bin/env bash
# Mutation testing of the security core with PIT (docs/testing.md, "Mutation testing"): mutates shared's oauth, auth and
# consents packages and the secret-hashing and revocation rules of clients and tokens, runs the functions
# module's handler tests and shared's tests against every mutant, then prints the score per package.
# The core runs as a few PIT runs, one per part (below), one after the other: each part's report is kept as soon
# as it finishes (functions/target/pit-reports-<part>/), so a run cut short still shows what it measured, and one
# part can be re-run alone while its tests are being improved. The score table reads every part's report.
# A class measured by several reports counts once, by the newest (a custom re-run replaces a part's rows for it).
# Bounded: PIT's own per-test timeout, and each part under `timeout` (MUTATION_TIMEOUT s, default 3600).
#   bench/mutation.sh                              every part of the security core
#   MUTATION_PARTS="auth consents" bench/mutation.sh
#                                                  those parts (the others' last reports still count in the table)
#   MUTATION_CLASSES=dev.tokenservice.oauth.token.Revocation MUTATION_TESTS='dev.tokenservice.functions.oauth.*' \
#     bench/mutation.sh                            any classes, as one part named "custom" (comma-separated globs)
#   MUTATION_NAME=assertions MUTATION_CLASSES=... bench/mutation.sh
#                                                  the same, as a part named "assertions" (its report kept beside others)
#   MUTATION_MUTATORS=DEFAULTS bench/mutation.sh   another PIT mutator group than STRONGER (the profile's default)
#   MUTATION_MIN=90 bench/mutation.sh              exit 1 when fewer than 90 % of the table's mutants are killed
#   MUTATION_REPORT_ONLY=1 bench/mutation.sh       print the table from the reports already there
set -euo pipefail
cd "$(dirname "$0")/.."

# The security core, in parts of about the same size: caller authentication; the token endpoint, client
# authentication, introspection, revocation and resource indicators; the browser side (authorization, consent,
# the device grant's verification page, OpenID Connect);
# consents and the secret-hashing and revocation/liveness rules of clients and tokens.
declare -A part
part[auth]=dev.tokenservice.auth.*
o=dev.tokenservice.oauth
part[oauth-tokens]=$o.token.*,$o.Pkce*,$o.OAuthErrors*,$o.OAuthScopes*,$o.Issuer*,$o.ResourceIndicators*
part[oauth-browser]=$o.authorization.*,$o.device.*,dev.tokenservice.pages.*,dev.tokenservice.openid.*
part[rules]=dev.tokenservice.consents.*,dev.tokenservice.clients.SecretHasher*,dev.tokenservice.tokens.TokenKeys*
part[rules]+=,dev.tokenservice.tokens.TokenRepository*,dev.tokenservice.tokens.query.RevocationCutoffs*
part[rules]+=,dev.tokenservice.tokens.query.LiveFilter*
order="auth oauth-tokens oauth-browser rules"

tests=${MUTATION_TESTS:-dev.tokenservice.*}
threads=${MUTATION_THREADS:-2}
mutators=${MUTATION_MUTATORS:-STRONGER}
limit=${MUTATION_TIMEOUT:-3600}
if [ -n "${MUTATION_CLASSES:-}" ]; then
  parts=${MUTATION_NAME:-custom}
  part[$parts]=$MUTATION_CLASSES
else
  parts=${MUTATION_PARTS:-$order}
fi

if [ -z "${MUTATION_REPORT_ONLY:-}" ]; then
  for name in $parts; do
    [ -n "${part[$name]:-}" ] || { echo "no part named $name (parts: $order)" >&2; exit 2; }
    began=$(date +%s)
    rm -rf "functions/target/pit-reports-$name"
    # package: both modules compiled, shared's test classes unpacked where PIT finds them, PIT bound to the phase
    timeout --kill-after=30 "$limit" mvn -B -q --no-transfer-progress -Pmutation -pl shared,functions \
      -Dmaven.test.skip.exec=true -DtargetClasses="${part[$name]}" -DtargetTests="$tests" -Dthreads="$threads" \
      -Dpit.mutators="$mutators" \
      -DreportsDirectory="$PWD/functions/target/pit-reports-$name" package \
      || echo "part $name: PIT stopped with status $? (timeout: MUTATION_TIMEOUT=$limit)"
    mkdir -p "functions/target/pit-reports-$name" && echo "$mutators" >"functions/target/pit-reports-$name/mutators"
    echo "part $name ($mutators): $(( $(date +%s) - began )) s"
  done
fi

python3 - "${MUTATION_MIN:-0}" functions/target/pit-reports-*/mutations.xml <<'PY'
import os, sys, collections, xml.etree.ElementTree as ET
minimum, reports = float(sys.argv[1]), sys.argv[2:]
# A class mutated by several reports (a part, then a custom re-run of that class on newer tests) counts once,
# as the newest report that mutated it measured it.
newest, group_of = {}, {}
for report in sorted((r for r in reports if os.path.exists(r)), key=os.path.getmtime):
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError):
        continue
    # The mutator group the part ran with (reports written before it was recorded ran PIT's DEFAULTS)
    marker = os.path.join(os.path.dirname(report), 'mutators')
    group = open(marker).read().strip() if os.path.exists(marker) else 'DEFAULTS'
    by_class = collections.defaultdict(list)
    for m in root:
        by_class[m.findtext('mutatedClass').split('$')[0]].append(m)
    newest.update(by_class)
    group_of.update((cls, group) for cls in by_class)
per = collections.defaultdict(lambda: [0, 0])
survivors = []
for mutations in newest.values():
    for m in mutations:
        cls = m.findtext('mutatedClass')
        pkg = cls.rsplit('.', 1)[0]
        killed = m.get('status') in ('KILLED', 'TIMED_OUT', 'MEMORY_ERROR', 'RUN_ERROR')
        per[pkg][0] += killed
        per[pkg][1] += 1
        if not killed:
            survivors.append(f"  {m.get('status'):11} {cls.rsplit('.', 1)[1]}.{m.findtext('mutatedMethod')}:"
                             f"{m.findtext('lineNumber')}  {m.findtext('description')}")
if not per:
    sys.exit("no PIT report to read")
total = [sum(v[0] for v in per.values()), sum(v[1] for v in per.values())]
print(f"{'package':40} {'killed':>7} {'mutants':>8} {'score':>7}")
for pkg in sorted(per):
    k, n = per[pkg]
    print(f"{pkg:40} {k:7d} {n:8d} {100 * k / n:6.1f}%")
print(f"{'all':40} {total[0]:7d} {total[1]:8d} {100 * total[0] / total[1]:6.1f}%")
groups = collections.Counter(group_of[cls] for cls in newest)
print("mutator groups (classes measured with each): " + ", ".join(f"{g} {n}" for g, n in sorted(groups.items())))
print(f"surviving or not covered ({len(survivors)}):")
print("\n".join(sorted(survivors)))
sys.exit(1 if 100 * total[0] / total[1] < minimum else 0)
PY
