#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md, in one command (not part of `./mvnw verify`).
#   loadtest/bench.sh            full run (~20 min): rewrites docs/benchmarks.md's generated
#                                section, docs/benchmarks-results.json and the chart
#   loadtest/bench.sh --smoke    a few seconds per case; fails on errors only, never on timing,
#                                writes nothing under docs/ (called by .ci/run)
# Other options: --note "text", --rounds N, --seconds N, --levels 1,50,200, --held N,
#   --phases warm,profile,cold,held, --no-docs, --no-profile. Per-run output: loadtest/results/.
# Needs only a JDK 25 (the harness is a multi-file Java source program, package `bench` in
# loadtest/bench/, using only the JDK's HTTP and JFR APIs: `java` compiles it on launch);
# builds the jars when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ] && [ -z "${JAVA_HOME:-}" ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi
if [ ! -f standalone/target/zeroscale.jar ] || [ ! -f engine-sim/target/engine-sim.jar ]; then
  ./mvnw -B -q -DskipTests package
fi
# 10 000 held connections need as many file descriptors in this JVM and in the gateway's.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec java -Xmx1g loadtest/bench/Bench.java "$@"
