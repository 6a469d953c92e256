#!/usr/bin/env bash
# The CPU of the first ten RSA-2048 signatures after a simulated SnapStart restore, before and after priming that
# compiles: RUNS fresh JVMs (default 5) per priming count, each priming as the token function does before the
# snapshot (AccessTokenIssuer.primeWithoutStoring with a throwaway key) and then signing ten tokens with a key it
# only reads; the signing thread's CPU per signature. PRIMING="1 200" compares the old one signature with the new
# count. CONVERGE=N instead signs N times with -XX:+PrintCompilation and prints, per signature, its CPU and the
# RSA/BigInteger methods that reached C2 (level 4) just before it. The JVM flags are the `wrapped` mode's
# (template.yaml, Mappings SigningJit). Prints JSON lines and the load average; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
mvn_q install -DskipTests -pl shared,bench -am >/dev/null
cp=$(module_classpath bench runtime)
flags=(-XX:+TieredCompilation -XX:TieredStopAtLevel=4 -Xshare:auto)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
if [ -n "${CONVERGE:-}" ]; then
  java "${flags[@]}" -XX:+PrintCompilation -cp "$cp" dev.tokenservice.bench.SigningAfterRestore converge "$CONVERGE" \
    | awk '/^sig / { print "signature " $2 ": " $3 " us cpu" (c ? "; reached C2 before it:" c : ""); c = ""; next }
           $3 == 4 && /BigInteger|RSACore|RSASignature|MontgomeryIntegerPolynomial|montgomery|Montgomery|oddModPow|mulAdd|squareToLen|multiplyToLen/ { c = c " " $4 }'
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
key="$results/priming-real-key.json"
java -cp "$cp" dev.tokenservice.bench.SigningAfterRestore key "$key"
out="$results/priming.jsonl"
: >"$out"
for run in $(seq 1 "${RUNS:-5}"); do
  for n in ${PRIMING:-1 200}; do
    java "${flags[@]}" -cp "$cp" dev.tokenservice.bench.SigningAfterRestore restore "$key" "$n" | tee -a "$out"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
