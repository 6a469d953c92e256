#!/usr/bin/env bash
# Plants known semantic bugs in the source, one at a time, and checks the tests notice each (docs/testing.md, "Planted
# bugs"). Each entry of bench/plant/ (one file per bug, format in bench/plant/README) names its edits (a file, a text
# to find there exactly once, its replacement; usually one), a Maven module and a -Dtest selector. For each entry:
#   1. refuses to touch a file with uncommitted changes (its restore is `git checkout`);
#   2. applies the edits; a find text that does not occur exactly once is STALE (the code moved on: fix the entry);
#   3. runs the selector's tests in the module (and what it depends on, compiled from the planted source): a
#      failing test is CAUGHT; all green is MISSED. With PLANT_WIDE=1 a green selector is followed by the
#      module's whole suite (CAUGHT-WIDE: the bug is caught, but not where the entry says);
#   4. restores the files, also on Ctrl-C or an error (trap).
# A planted edit that does not compile, or a selector that runs no test, is BROKEN (fix the entry). The run exits
# non-zero unless every entry is CAUGHT. Its own Maven runs are offline (-o) and take MAVEN_OPTS as set (your
# -Dmaven.repo.local).
#   bench/plant.sh                         every entry
#   bench/plant.sh redirect-uri-ignore-case pkce-plain-accepted      those entries (file names without .plant)
#   PLANT_LIST=1 bench/plant.sh            list the entries and stop
#   PLANT_CHECK=1 bench/plant.sh           only check that every find text occurs exactly once (no test run)
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
catalogue=bench/plant
logs=bench/target/plant
mkdir -p "$logs"

if [ $# -gt 0 ]; then
  entries=("$@")
else
  entries=()
  for f in "$catalogue"/*.plant; do entries+=("$(basename "$f" .plant)"); done
fi

# Prints one field of an entry (description, module, tests; files: every file it edits), or with "apply" makes
# its edits: all of them or, when a find text does not occur exactly once, none (exit 3, saying which).
entry() {
  python3 - "$@" <<'PY'
import sys, pathlib
action, path = sys.argv[1], pathlib.Path(sys.argv[2])
fields, edits, current = {}, [], None
for line in path.read_text().splitlines(keepends=True):
    bare = line.rstrip("\n")
    if current is None and (line.startswith("#") or not line.strip()):
        continue
    if bare in ("find:", "replace:"):
        if bare == "find:":
            edits.append({"file": fields.pop("file", None), "find": [], "replace": []})
        current = bare[:-1]
        continue
    if current == "replace" and line.startswith("file: "):
        fields["file"] = line[len("file: "):].strip()
        current = None
        continue
    if current is not None:
        edits[-1][current].append(line)
    else:
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
missing = [f for f in ("description", "module", "tests") if not fields.get(f)]
if not edits:
    missing.append("find/replace")
for edit in edits:
    if not edit["file"] or not edit["find"] or not edit["replace"]:
        missing.append("file, find or replace of an edit")
if missing:
    sys.exit(f"{path}: missing {', '.join(missing)}")
if action == "field":
    print(fields[sys.argv[3]])
    sys.exit(0)
if action == "files":
    print("\n".join(dict.fromkeys(edit["file"] for edit in edits)))
    sys.exit(0)
texts = {}
for edit in edits:
    find, replace = "".join(edit["find"]), "".join(edit["replace"])
    if find == replace:
        sys.exit(f"{path}: a replacement equals its find text")
    text = texts.get(edit["file"]) or pathlib.Path(edit["file"]).read_text()
    count = text.count(find)
    if count != 1:
        print(f"a find text occurs {count} times in {edit['file']} (expected exactly once)")
        sys.exit(3)
    texts[edit["file"]] = text.replace(find, replace)
if action == "apply":
    for file, text in texts.items():
        pathlib.Path(file).write_text(text)
PY
}

planted=()
restore() {
  if [ ${#planted[@]} -gt 0 ]; then
    git checkout -q -- "${planted[@]}" && echo "restored ${planted[*]}" >&2
    planted=()
  fi
}
trap 'restore' EXIT
trap 'restore; echo "interrupted"; exit 130' INT TERM

# Runs the tests; prints CAUGHT, GREEN or BROKEN from the surefire reports of the modules built.
run_tests() {
  local module=$1 tests=$2 log=$3
  rm -rf "$root"/*/target/surefire-reports
  local selector=()
  [ -n "$tests" ] && selector=(-Dtest="$tests" -Dsurefire.failIfNoSpecifiedTests=false)
  mvn -o -B --no-transfer-progress -pl "$module" -am test "${selector[@]}" -Dmaven.test.failure.ignore=true \
    >"$log" 2>&1
  local status=$?
  python3 - "$status" "$root" <<'PY'
import sys, glob, xml.etree.ElementTree as ET
status, root = int(sys.argv[1]), sys.argv[2]
run, failed = 0, []
for report in glob.glob(f"{root}/*/target/surefire-reports/TEST-*.xml"):
    for case in ET.parse(report).getroot().iter("testcase"):
        run += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(case.get("classname").rsplit(".", 1)[-1] + "#" + case.get("name"))
print("CAUGHT" if failed else "BROKEN" if status or run == 0 else "GREEN", run, len(failed), ",".join(failed[:2]))
PY
}

if [ -n "${PLANT_LIST:-}" ]; then
  for id in "${entries[@]}"; do printf '%-36s %s\n' "$id" "$(entry field "$catalogue/$id.plant" description)"; done
  exit 0
fi

if [ -n "${PLANT_CHECK:-}" ]; then
  stale=0
  for id in "${entries[@]}"; do
    if why=$(entry check "$catalogue/$id.plant" 2>&1); then echo "OK     $id"; else echo "STALE  $id: $why"; stale=1; fi
  done
  exit $stale
fi

began_all=$(date +%s)
summary=()
worst=0
for id in "${entries[@]}"; do
  spec=$catalogue/$id.plant
  began=$(date +%s)
  if [ ! -f "$spec" ]; then
    summary+=("$(printf '%-36s %-11s %5s  %s' "$id" "NO-ENTRY" 0 "no file $spec")"); worst=1; continue
  fi
  files=$(entry files "$spec") && module=$(entry field "$spec" module) && tests=$(entry field "$spec" tests) \
    || { summary+=("$(printf '%-36s %-11s %5s  %s' "$id" "BROKEN" 0 "unreadable entry")"); worst=1; continue; }
  mapfile -t targets <<<"$files"
  if ! git ls-files --error-unmatch -- "${targets[@]}" >/dev/null 2>&1 || ! git diff --quiet HEAD -- "${targets[@]}"
  then
    summary+=("$(printf '%-36s %-11s %5s  %s' "$id" "DIRTY" 0 "${targets[*]}: untracked or uncommitted changes")")
    worst=1; continue
  fi
  if ! why=$(entry apply "$spec" 2>&1); then
    echo "STALE $id: $why" >&2
    summary+=("$(printf '%-36s %-11s %5s  %s' "$id" "STALE" 0 "$why")"); worst=1; continue
  fi
  planted=("${targets[@]}")
  echo "planted $id in ${targets[*]}; running $module -Dtest=$tests" >&2
  read -r result run failed which < <(run_tests "$module" "$tests" "$logs/$id.log")
  detail="$failed of $run tests failed: $which"
  if [ "$result" = GREEN ] && [ -n "${PLANT_WIDE:-}" ]; then
    echo "  $tests stayed green; running $module's whole suite" >&2
    read -r result run failed which < <(run_tests "$module" "" "$logs/$id-wide.log")
    detail="$failed of $run tests failed: $which"
    [ "$result" = CAUGHT ] && result=CAUGHT-WIDE
  fi
  [ "$result" = GREEN ] && result=MISSED && detail="all $run tests of $tests passed"
  [ "$result" = BROKEN ] && detail="no test ran or the build failed: $logs/$id.log"
  restore
  [ "$result" = CAUGHT ] || worst=1
  summary+=("$(printf '%-36s %-11s %5s  %s' "$id" "$result" "$(( $(date +%s) - began ))" "$detail")")
  echo "  $result" >&2
done

printf '%-36s %-11s %5s  %s\n' entry result s detail
printf '%s\n' "${summary[@]}"
echo "${#entries[@]} entries in $(( $(date +%s) - began_all )) s"
exit $worst
