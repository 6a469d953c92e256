#!/usr/bin/env bash
# Prints how fast the scheduled cleanup removes expired rows (N=5000 expired beside 5000 live, in-memory
# DynamoDB Local). Numbers only; nothing asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q --no-transfer-progress install -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -B -q --no-transfer-progress -pl bench dependency:build-classpath -Dmdep.outputFile="$work/classpath"
java -cp "$(cat "$work/classpath"):bench/target/classes" dev.tokenservice.bench.CleanupThroughput template.yaml "${N:-5000}" \
  2>/dev/null | grep '"bench"'
