#!/usr/bin/env bash
# `npm start`: builds and runs the gateway and the normalizer. Without KAFKA_BROKERS it starts the
# repo's local single-node Kafka (scripts/kafka.sh) first and points both apps at it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  bash scripts/kafka.sh start
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
  # Local development only: a known Twilio token so a developer can sign test webhooks. With a
  # real Kafka (KAFKA_BROKERS set) nothing is defaulted and TWILIO_AUTH_TOKEN must be given.
  if [[ -z "${TWILIO_AUTH_TOKEN:-}" ]]; then
    export TWILIO_AUTH_TOKEN="local-dev-twilio-token"
    echo "[start] TWILIO_AUTH_TOKEN not set: using the local development token 'local-dev-twilio-token'" >&2
  fi
  # The same for the other secrets the default config/channels.yaml refers to.
  for var in IDENTITY_KEY_SECRET MAILBOX_QUERY_CODE_SECRET SMS_GATEWAY_ZHONGXIAN_SECRET; do
    if [[ -z "${!var:-}" ]]; then
      export "$var=local-dev-${var,,}"
      echo "[start] $var not set: using the local development value 'local-dev-${var,,}'" >&2
    fi
  done
fi

npx nest build gateway >&2
npx nest build normalizer >&2

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

# A larger young generation for the judgement's short-lived allocations: fewer scavenges, fewer
# objects promoted (about +5 % judgements per CPU-second in scripts/quality/judgement.ts).
# Lower CPU priority (config/normalizer.nice, or NORMALIZER_NICE): on one host the gateway's acks
# go first and the normalizer, which nobody waits on synchronously, takes the delay (npm run bench
# measures both priorities in one run).
# shellcheck disable=SC2046 # the flags are words
nice -n "${NORMALIZER_NICE:-$(cat config/normalizer.nice)}" \
  node $(cat config/normalizer.node-flags) dist/apps/normalizer/apps/normalizer/src/main.js &
pids+=($!)
node dist/apps/gateway/apps/gateway/src/main.js &
pids+=($!)
echo "[start] gateway on http://127.0.0.1:${PORT:-3000} (health: /health), normalizer consuming (health: http://127.0.0.1:${NORMALIZER_PORT:-3001}/health); Ctrl-C stops both" >&2

# If either app exits, stop the other and report failure: a half-running gateway is worse than none.
wait -n
exit 1
