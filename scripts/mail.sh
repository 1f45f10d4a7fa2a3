#!/usr/bin/env bash
# A sandboxed mail server (GreenMail standalone: SMTP + IMAP, never relays) for development and
# tests. The jar comes from Maven Central through `mvn` (scripts/mail/pom.xml) and is cached under
# .cache/mail/libs, so only Java 17 and Maven are needed.
#
#   scripts/mail.sh start|stop|status|logs
#
# Environment (all optional):
#   MAIL_SMTP_PORT      SMTP port on 127.0.0.1                          (default 3025)
#   MAIL_IMAP_PORT      IMAP port on 127.0.0.1                          (default MAIL_SMTP_PORT+118)
#   MAIL_USERS          comma-separated login:password@domain accounts; logins are the full
#                       addresses (default petitions + citizen test accounts below)
#   MAIL_DATA_DIR       pid and log                                      (default .cache/mail/run-$MAIL_SMTP_PORT)
#   MAIL_START_TIMEOUT  seconds to wait for both ports                  (default 60)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/mail"
LIBS="$CACHE/libs"
SMTP_PORT="${MAIL_SMTP_PORT:-3025}"
IMAP_PORT="${MAIL_IMAP_PORT:-$((SMTP_PORT + 118))}"
USERS="${MAIL_USERS:-xianzhang:xianzhang-pw@zhongxian.gov.test,citizen:citizen-pw@example.test,receipts:receipts-pw@gateway.test}"
DATA="${MAIL_DATA_DIR:-$CACHE/run-$SMTP_PORT}"
PIDFILE="$DATA/greenmail.pid"
LOG="$DATA/greenmail.log"
TIMEOUT="${MAIL_START_TIMEOUT:-60}"
SERVICE_TAG="mail:$SMTP_PORT/$IMAP_PORT"
# shellcheck source=lib/service.sh
source "$ROOT/scripts/lib/service.sh"




resolve_jar() {
  # A marker written after a complete copy, so an interrupted download is retried, not trusted.
  if [[ -f "$LIBS/.complete" ]]; then return; fi
  say "resolving GreenMail from Maven Central (first run only)"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -f "$ROOT/scripts/mail/pom.xml" dependency:copy-dependencies \
    -DexcludeTransitive=true -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

start() {
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
    wait_ready "$pid"
    return
  fi
  for port in "$SMTP_PORT" "$IMAP_PORT"; do
    if port_open "$port"; then
      say "port $port is taken by another process; set MAIL_SMTP_PORT/MAIL_IMAP_PORT or stop it"
      exit 1
    fi
  done
  command -v java >/dev/null || { say "java not found (Java 17+ is required)"; exit 1; }
  command -v mvn >/dev/null || { say "mvn not found (Maven is required to resolve the jar)"; exit 1; }
  resolve_jar
  mkdir -p "$DATA"
  : >"$LOG"
  local jar
  jar="$(ls "$LIBS"/greenmail-standalone-*.jar | head -n 1)"
  # Users log in with their full address (greenmail.users.login=email). setsid: the server
  # outlives the shell that started it (a test's beforeAll).
  setsid java -Xms64m -Xmx256m -Djava.awt.headless=true \
    -Dgreenmail.smtp.hostname=127.0.0.1 -Dgreenmail.smtp.port="$SMTP_PORT" \
    -Dgreenmail.imap.hostname=127.0.0.1 -Dgreenmail.imap.port="$IMAP_PORT" \
    -Dgreenmail.users="$USERS" -Dgreenmail.users.login=email \
    -Dgreenmail.startup.timeout=20000 \
    -jar "$jar" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  wait_ready "$!"
}

both_ports_open() { port_open "$SMTP_PORT" && port_open "$IMAP_PORT"; }

wait_ready() {
  wait_until "$1" "$TIMEOUT" both_ports_open
  say "ready: SMTP 127.0.0.1:$SMTP_PORT, IMAP 127.0.0.1:$IMAP_PORT (pid $1)"
}



service_main "$@"
