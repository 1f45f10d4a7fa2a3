#!/usr/bin/env bash
# `npm run fault`: fault runs with real processes and a real broker (issue 6 §3). A throwaway
# single-node Kafka of its own (port 39092 by default, fresh data dir each run), the apps built
# from source, then scripts/fault/run-faults.ts: a load of signed Twilio webhooks through the
# gateway while (a) the gateway is killed -9, (b) the normalizer is killed -9, (c) the broker is
# stopped and started again, (d) the gateway is killed -9 while it spools (broker down); afterwards it counts the events topic (read_committed) and exits
# non-zero if an acknowledged item is missing or any petition was published twice. The broker and
# every app process are stopped at the end whatever happens; the whole run is bounded by
# FAULT_TIMEOUT seconds (default 1200). Everything runs on 127.0.0.1.
#
#   npm run fault
#   FAULT_SCENARIOS=normalizer FAULT_RATE=300 FAULT_SECONDS=30 npm run fault
set -euo pipefail
cd "$(dirname "$0")/.."

export FAULT_KAFKA_PORT="${FAULT_KAFKA_PORT:-39092}"
export FAULT_KAFKA_DATA_DIR="$PWD/.cache/kafka/fault"
export KAFKA_PORT="$FAULT_KAFKA_PORT"
export KAFKA_DATA_DIR="$FAULT_KAFKA_DATA_DIR"
export KAFKA_HEAP_OPTS="${FAULT_KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
TIMEOUT="${FAULT_TIMEOUT:-1200}"
PIDS="$PWD/.cache/fault/children.pids"

say() { printf '[fault] %s\n' "$*" >&2; }

cleanup() {
  # App processes the driver started, in case the driver itself was killed: only those pids, and
  # only while they still run one of the built apps.
  if [[ -f "$PIDS" ]]; then
    while read -r pid; do
      if [[ -n "$pid" ]] && grep -q "dist/apps" "/proc/$pid/cmdline" 2>/dev/null; then
        kill -9 "$pid" 2>/dev/null || true
      fi
    done <"$PIDS"
    rm -f "$PIDS"
  fi
  # The broker's data (server.log) stays for a post-mortem; the next run starts fresh.
  bash scripts/kafka.sh stop || true
}
trap cleanup EXIT INT TERM

mkdir -p .cache/fault
rm -f "$PIDS"
# A broker left over from an interrupted run is stopped and its data thrown away.
bash scripts/kafka.sh stop >/dev/null 2>&1 || true
rm -rf "$KAFKA_DATA_DIR"
bash scripts/kafka.sh start

if [[ "${FAULT_SKIP_BUILD:-}" != "1" ]]; then
  say "building the apps"
  npx nest build gateway >&2
  npx nest build normalizer >&2
fi

timeout --signal=TERM --kill-after=15 "$TIMEOUT" \
  npx ts-node -T -r tsconfig-paths/register scripts/fault/run-faults.ts
