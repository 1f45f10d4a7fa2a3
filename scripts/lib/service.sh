# Shared by the local service scripts (kafka.sh, mail.sh, redis.sh): pid files, readiness waits,
# stopping and the start|stop|status|logs dispatch. Each script sets SERVICE_TAG, PIDFILE and LOG
# and defines start(); it may define service_stop_hook (a graceful stop before the signal).
# shellcheck shell=bash

say() { printf '[%s] %s\n' "$SERVICE_TAG" "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# wait_until PID TIMEOUT_SECONDS CHECK...: polls CHECK until it succeeds; fails (with the log's
# tail) if PID dies or time runs out. PID may be empty for a daemon that forks itself.
wait_until() {
  local pid="$1" timeout="$2" waited=0
  shift 2
  until "$@"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      say "exited during start; last lines of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
    if ((waited >= timeout * 5)); then
      say "not ready after ${timeout}s; last lines of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      exit 1
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "not running"
    rm -f "$PIDFILE"
    return
  fi
  if declare -F service_stop_hook >/dev/null; then service_stop_hook || true; fi
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "did not stop in 30s; killing"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  say "stopped"
}

status() {
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid)"
  else
    say "not running"
    return 3
  fi
}

service_main() {
  case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    logs) tail -n "${2:-100}" "$LOG" ;;
    *)
      echo "usage: $0 start|stop|status|logs [lines]" >&2
      exit 2
      ;;
  esac
}
