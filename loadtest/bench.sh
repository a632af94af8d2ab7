#!/usr/bin/env bash
# The benchmark of docs/benchmarks.md, in one command (not part of `./mvnw verify`).
#   loadtest/bench.sh            full run (~25 min): rewrites docs/benchmarks.md's generated
#                                section, docs/benchmarks-results.json and the chart
#   loadtest/bench.sh --smoke    a few seconds per case; fails on errors only, never on timing,
#                                writes nothing under docs/ (called by .ci/run)
#   loadtest/bench.sh --phases cpu --no-docs
#                                the CPU-bound scenario of issue #14 alone (~6 min): direct, nginx,
#                                a bare Spring Cloud Gateway and the gateway side by side, 10 ms
#                                requests, CPU per request of each proxy, warm-up curve
# Other options: --note "text", --rounds N, --seconds N, --levels 1,50,200, --held N,
#   --phases warm,profile,cold,held,cpu, --no-docs, --no-profile, --gateway-arg --x=y,
#   --gateway-jar PATH (A/B of two builds), --cpu-levels 50,200, --cpu-rounds N,
#   --cpu-seconds N, --cpu-warmup N, --curve-windows N, --curve-seconds N (loadtest/README.md).
#   Per-run output: loadtest/results/.
# Needs a JDK 25 (the harness is a multi-file Java source program, package `bench` in
# loadtest/bench/, using only the JDK's HTTP and JFR APIs: `java` compiles it on launch);
# builds the jars when they are missing. The cpu phase also needs nginx (installed here with
# apt-get as Debian's nginx-light when missing and running as root) and the bare SCG app
# (loadtest/bare-scg, built here on demand; not a module of the root build).
# On a shared machine, run it as `nice -n -19 loadtest/bench.sh …` (root): every process under
# test is its child and inherits the priority, so background builds take less of their CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ] && [ -z "${JAVA_HOME:-}" ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ -n "${JAVA_HOME:-}" ]; then
  export PATH="$JAVA_HOME/bin:$PATH"
fi
export PATH="$PATH:/usr/sbin:/sbin" # nginx lives in /usr/sbin, not on every user's PATH
if [ ! -f standalone/target/zeroscale.jar ] || [ ! -f engine-sim/target/engine-sim.jar ]; then
  ./mvnw -B -q -DskipTests package
fi

# Does this run include the cpu phase? (the default phases do; --report/--analyze run nothing)
phases="cpu"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --phases) phases="${args[i + 1]:-}" ;;
    --report | --analyze) phases="" ;;
  esac
done
if [[ "$phases" == *cpu* ]]; then
  if ! command -v nginx > /dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; then
      echo "bench.sh: installing nginx-light (the CPU-bound scenario's proxy floor)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light > /dev/null
    else
      echo "bench.sh: the CPU-bound scenario (phase cpu) needs nginx: install it" \
        "(Debian: sudo apt-get install -y nginx-light), or leave cpu out of --phases" >&2
      exit 1
    fi
  fi
  if [ ! -f loadtest/bare-scg/target/bare-scg.jar ]; then
    ./mvnw -B -q -f loadtest/bare-scg/pom.xml -DskipTests package
  fi
fi
# 10 000 held connections need as many file descriptors in this JVM and in the gateway's.
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec java -Xmx1g loadtest/bench/Bench.java "$@"
