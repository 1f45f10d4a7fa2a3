#!/usr/bin/env bash
# `npm run bench`: a throwaway single-node Kafka of its own (port 29092 by default, fresh data dir
# each run), the apps built from source, then bench/run-bench.ts, which starts the gateway and the
# normalizer as separate processes and measures them (see that file). The broker is stopped at the
# end whatever happens. Everything runs on 127.0.0.1. Bounded: the whole run is killed after
# BENCH_TIMEOUT seconds (default 600).
#
#   npm run bench                      # the full benchmark
#   BENCH_PROFILE=1 npm run bench      # plus CPU profiles of both apps over the throughput run
#   BENCH_SKIP=dedup,judgement npm run bench
set -euo pipefail
cd "$(dirname "$0")/.."

export KAFKA_PORT="${BENCH_KAFKA_PORT:-29092}"
export KAFKA_DATA_DIR="$PWD/.cache/kafka/bench-$KAFKA_PORT"
export KAFKA_HEAP_OPTS="${BENCH_KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
TIMEOUT="${BENCH_TIMEOUT:-600}"

say() { printf '[bench] %s\n' "$*" >&2; }

cleanup() {
  bash scripts/kafka.sh stop || true
  rm -rf "$KAFKA_DATA_DIR"
}
trap cleanup EXIT INT TERM

# A broker left over from an interrupted run is stopped and its data thrown away.
bash scripts/kafka.sh stop >/dev/null 2>&1 || true
rm -rf "$KAFKA_DATA_DIR"
bash scripts/kafka.sh start

say "building the apps"
npx nest build gateway >&2
npx nest build normalizer >&2

say "load before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
export BENCH_BROKERS="127.0.0.1:$KAFKA_PORT"
timeout --signal=TERM --kill-after=15 "$TIMEOUT" \
  npx ts-node -T -r tsconfig-paths/register bench/run-bench.ts
