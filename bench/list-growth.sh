#!/usr/bin/env bash
# How each token list's cost grows with the table (issue 14, item 4): seeds DynamoDB Local (in memory, in the bench
# JVM) with BatchWriteItem up to each of SIZES rows in turn, and at each size prints, per list, the median latency
# of one page (of 3) and the items DynamoDB read for it. Numbers only; nothing asserted; not run by CI.
# Knobs: SIZES (default "10000 100000 1000000"), REVOKED_UP_TO (largest size at which the revoked=true list, which
# still reads the whole listing index, is measured; default 100000), SKIP_BUILD=1, XMX (default 3g).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn_q install -DskipTests
fi
java "-Xmx${XMX:-3g}" "-DrevokedUpTo=${REVOKED_UP_TO:-100000}" -cp "$(module_classpath bench)" \
  dev.tokenservice.bench.ListGrowth template.yaml ${SIZES:-10000 100000 1000000} 2>"$results/list-growth.log" \
  | grep --line-buffered '"bench"' | tee "$results/list-growth.jsonl"
python3 - "$results/list-growth.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sizes = sorted({r["rows"] for r in rows})
lists = list(dict.fromkeys(r["list"] for r in rows))
print("\n| list (one page) | " + " | ".join(f"{s:,} rows: ms / items read" for s in sizes) + " |")
print("|---|" + "---|" * len(sizes))
for name in lists:
    cells = []
    for s in sizes:
        r = next((r for r in rows if r["rows"] == s and r["list"] == name), None)
        cells.append("—" if r is None else f'{r["median_ms"]:,} / {r["items_read"]:,}')
    print(f"| {name} | " + " | ".join(cells) + " |")
seed = {r["rows"]: r["seed_ms"] for r in rows}
print("\nseeding (BatchWriteItem, 4 threads): " + ", ".join(f"{s:,} rows in {seed[s]/1000:.0f} s" for s in sizes)
      + f"; pairs at the largest size: {max(r['pairs'] for r in rows):,}")
PY
