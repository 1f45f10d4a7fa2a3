#!/usr/bin/env bash
# `npm start`: builds and runs the gateway and the normalizer. Without KAFKA_BROKERS it starts the
# repo's local single-node Kafka (scripts/kafka.sh) first and points both apps at it.
#
# Stopping: SIGTERM, SIGINT (Ctrl-C) or SIGHUP to npm, to this script or to either app stops both
# apps: each stops accepting, finishes what it holds and exits 0 within 10 s, and so does this
# script. An app that dies on its own (a crash, kill -9) takes the other down too, and the script
# exits 1. The local broker keeps running (for the next start): `bash scripts/kafka.sh stop`.
#
# START_FROM_SOURCE=1 runs the TypeScript through ts-node instead of building (quicker while
# editing; test/e2e/shutdown.e2e-spec.ts uses it).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/supervise.sh
source scripts/lib/supervise.sh
trap 'supervise_signal SIGTERM' TERM
trap 'supervise_signal SIGINT' INT
trap 'supervise_signal SIGHUP' HUP
trap supervise_cleanup EXIT
supervise_watch_parent

if [[ -z "${KAFKA_BROKERS:-}" ]]; then
  supervise_step bash scripts/kafka.sh start
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

if [[ "${START_FROM_SOURCE:-}" == "1" ]]; then
  run=(node -r ts-node/register/transpile-only -r tsconfig-paths/register)
  entry() { echo "apps/$1/src/main.ts"; }
else
  supervise_step npx nest build gateway >&2
  supervise_step npx nest build normalizer >&2
  run=(node)
  entry() { echo "dist/apps/$1/apps/$1/src/main.js"; }
fi

# A larger young generation for the judgement's short-lived allocations: fewer scavenges, fewer
# objects promoted (about +5 % judgements per CPU-second in scripts/quality/judgement.ts).
# Lower CPU priority (config/normalizer.nice, or NORMALIZER_NICE): on one host the gateway's acks
# go first and the normalizer, which nobody waits on synchronously, takes the delay (npm run bench
# measures both priorities in one run).
# shellcheck disable=SC2046 # the flags are words
supervise_app normalizer nice -n "${NORMALIZER_NICE:-$(cat config/normalizer.nice)}" \
  "${run[@]}" $(cat config/normalizer.node-flags) "$(entry normalizer)"
normalizer_pid=$!
supervise_app gateway "${run[@]}" "$(entry gateway)"
gateway_pid=$!
echo "[start] gateway (pid $gateway_pid) on http://127.0.0.1:${PORT:-3000} (health: /health), normalizer (pid $normalizer_pid) consuming (health: http://127.0.0.1:${NORMALIZER_PORT:-3001}/health); Ctrl-C stops both" >&2

supervise_wait
