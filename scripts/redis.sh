#!/usr/bin/env bash
# A local redis-server for development and the dedup integration tests (shared dedup state across
# normalizer instances). Uses Debian's redis-server; installs it when missing and run as root.
#
#   scripts/redis.sh start|stop|status
#
# Environment (all optional):
#   REDIS_PORT           port on 127.0.0.1                  (default 6379)
#   REDIS_DATA_DIR       dump, pid and log                  (default .cache/redis/data-$REDIS_PORT)
#   REDIS_START_TIMEOUT  seconds to wait for PING           (default 20)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${REDIS_PORT:-6379}"
DATA="${REDIS_DATA_DIR:-$ROOT/.cache/redis/data-$PORT}"
PIDFILE="$DATA/redis.pid"
LOG="$DATA/redis.log"
TIMEOUT="${REDIS_START_TIMEOUT:-20}"
SERVICE_TAG="redis:$PORT"
# shellcheck source=lib/service.sh
source "$ROOT/scripts/lib/service.sh"


ensure_installed() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then return; fi
  if [[ "$(id -u)" != "0" ]]; then
    say "redis-server is not installed and this is not root: run 'sudo apt-get install -y redis-server'"
    exit 1
  fi
  say "installing redis-server with apt-get (first run only)"
  # The package's own service is not wanted: we run our own instance on our own port and dir.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2
  if ! command -v redis-server >/dev/null 2>&1; then
    say "apt-get did not provide redis-server"
    exit 1
  fi
}

# A clean shutdown first; the shared stop() signals whatever is left.
service_stop_hook() { redis-cli -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1; }

ping() { redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; }


start() {
  ensure_installed
  if running_pid >/dev/null && ping; then
    say "already running (pid $(running_pid))"
    return
  fi
  if ping; then
    say "port $PORT already answers PING but not from our pid file; refusing to start a second server"
    exit 1
  fi
  mkdir -p "$DATA"
  # Snapshots only (no AOF): tests start from a fresh dir, dev state may be rebuilt.
  redis-server --bind 127.0.0.1 --port "$PORT" --dir "$DATA" --daemonize yes \
    --pidfile "$PIDFILE" --logfile "$LOG" --save 60 1000 --appendonly no \
    --protected-mode yes >/dev/null
  wait_until "" "$TIMEOUT" ping
  say "started (pid $(running_pid)), data in $DATA"
}


status() {
  local pid
  if pid="$(running_pid)" && ping; then
    say "running (pid $pid)"
  else
    say "not running"
    return 3
  fi
}

service_main "$@"
