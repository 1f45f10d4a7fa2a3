# Runs a few app processes as one unit (scripts/start.sh): a signal to the script stops them all,
# and so does one of them exiting. The script exits 0 when every app stopped cleanly (status 0,
# which the apps give after a graceful shutdown), 1 otherwise.
#
#   source scripts/lib/supervise.sh
#   trap 'supervise_signal SIGTERM' TERM   (and INT, HUP)
#   trap supervise_cleanup EXIT
#   supervise_step CMD...        a preparation step (build, broker) that a signal interrupts
#   supervise_app NAME CMD...    an app in the background
#   supervise_wait               until every app has exited; exits with the outcome
# shellcheck shell=bash

# Past this, apps still running get SIGKILL: they exit by themselves within 8 s (their own
# deadline), and process managers wait 10 s before they kill.
SUPERVISE_GRACE_SECONDS="${SUPERVISE_GRACE_SECONDS:-9.5}"

declare -A supervise_apps=() # pid → name
supervise_stopping=""
supervise_failed=0
supervise_killer=""
supervise_watcher=""

supervise_say() { printf '[start] %s\n' "$*" >&2; }

supervise_stop_all() {
  local pid
  for pid in "${!supervise_apps[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  if [[ -z "$supervise_killer" && ${#supervise_apps[@]} -gt 0 ]]; then
    # shellcheck disable=SC2086 # pids are words
    supervise_after supervise_killer sleep "$SUPERVISE_GRACE_SECONDS" -- \
      kill -KILL ${!supervise_apps[*]}
  fi
}

# The first signal starts the shutdown; more (Ctrl-C reaches every process of the terminal's
# group at once, a supervisor may repeat itself) change nothing.
supervise_signal() {
  [[ -n "$supervise_stopping" ]] && return
  supervise_stopping="$1"
  supervise_say "$1: stopping ${supervise_apps[*]:-}"
  supervise_stop_all
}

supervise_cleanup() {
  local pid
  for pid in "${!supervise_apps[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  supervise_cancel "$supervise_killer"
  supervise_cancel "$supervise_watcher"
}

# `npm start` runs this script under `sh -c`, which dies of a SIGTERM that npm forwards without
# passing it on; a parent killed -9 passes nothing either. Either way the script's parent is gone:
# treated as SIGTERM rather than leaving the apps orphaned, holding their ports.
supervise_watch_parent() {
  supervise_after supervise_watcher tail --pid="$PPID" -f /dev/null -- kill -TERM "$$"
}

# supervise_after VAR WAIT... -- THEN...: in the background, THEN once WAIT has ended; VAR gets
# the pid that supervise_cancel takes. A plain `(sleep N; ...) &` would leave its sleep running.
supervise_after() {
  local var="$1" wait_cmd=()
  shift
  while [[ "$1" != "--" ]]; do
    wait_cmd+=("$1")
    shift
  done
  shift
  (
    trap 'kill "$waiting" 2>/dev/null; wait "$waiting"; exit 0' TERM
    "${wait_cmd[@]}" >/dev/null 2>&1 &
    waiting=$!
    wait "$waiting" && "$@" >/dev/null 2>&1
  ) &
  printf -v "$var" '%s' "$!"
}

# Stops a supervise_after and waits until it and what it waited on are gone.
supervise_cancel() {
  [[ -n "$1" ]] || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Bash runs a trap only once the foreground command has finished (a build takes a minute):
# running the step in the background and waiting for it lets a signal stop it at once.
supervise_step() {
  "$@" &
  local pid=$! status=0
  wait "$pid" || status=$?
  if [[ -n "$supervise_stopping" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    exit 0
  fi
  ((status == 0)) || exit "$status"
}

supervise_app() {
  local name="$1"
  shift
  "$@" &
  supervise_apps[$!]="$name"
}

supervise_describe() {
  if (($1 == 0)); then
    echo "stopped"
  elif (($1 > 128)); then
    echo "was killed (signal $(($1 - 128)))"
  else
    echo "exited with status $1"
  fi
}

supervise_wait() {
  local pid status name
  # A signal that came in before the apps were started.
  [[ -n "$supervise_stopping" ]] && supervise_stop_all
  while ((${#supervise_apps[@]} > 0)); do
    pid=""
    status=0
    wait -n -p pid "${!supervise_apps[@]}" || status=$?
    # A trapped signal interrupts the wait without an app having exited.
    [[ -z "${pid:-}" ]] && continue
    name="${supervise_apps[$pid]}"
    unset "supervise_apps[$pid]"
    ((status == 0)) || supervise_failed=1
    supervise_say "$name $(supervise_describe "$status")"
    if [[ -z "$supervise_stopping" ]]; then
      supervise_stopping="$name"
      if ((${#supervise_apps[@]} > 0)); then
        supervise_say "stopping ${supervise_apps[*]} as well: one app alone is not a service"
        supervise_stop_all
      fi
    fi
  done
  exit "$supervise_failed"
}
