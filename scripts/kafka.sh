#!/usr/bin/env bash
# A single-node Apache Kafka (KRaft, combined broker+controller) for development and tests.
# The official broker jars come from Maven Central through `mvn` (scripts/kafka/pom.xml) and are
# cached under .cache/kafka/libs, so only Java 17 and Maven are needed: no Docker, no tarball.
#
#   scripts/kafka.sh start|stop|status|logs
#
# Environment (all optional):
#   KAFKA_PORT            client port on 127.0.0.1           (default 9092)
#   KAFKA_CONTROLLER_PORT KRaft controller port             (default KAFKA_PORT+1)
#   KAFKA_DATA_DIR        log dirs, pid and server.log      (default .cache/kafka/data-$KAFKA_PORT)
#   KAFKA_HEAP_OPTS       JVM heap                          (default -Xms256m -Xmx1g)
#   KAFKA_START_TIMEOUT   seconds to wait for the broker    (default 90)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache/kafka"
LIBS="$CACHE/libs"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
DATA="${KAFKA_DATA_DIR:-$CACHE/data-$PORT}"
PIDFILE="$DATA/kafka.pid"
LOG="$DATA/server.log"
TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
SERVICE_TAG="kafka:$PORT"
# shellcheck source=lib/service.sh
source "$ROOT/scripts/lib/service.sh"




resolve_jars() {
  # A marker written after a complete copy, so an interrupted download is retried, not trusted.
  if [[ -f "$LIBS/.complete" ]]; then return; fi
  say "resolving Kafka jars from Maven Central (first run only)"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DATA/logs"
  cat >"$DATA/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA/logs
# The apps create their topics at boot; a typo in a topic name should fail, not create a topic.
auto.create.topics.enable=false
num.partitions=6
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
group.initial.rebalance.delay.ms=0
log.retention.hours=168
PROPS
  cat >"$DATA/log4j.properties" <<PROPS
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$LOG
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
PROPS
}

java_args() {
  # shellcheck disable=SC2206
  JAVA_ARGS=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$DATA/log4j.properties" -cp "$LIBS/*")
}

java_cmd() {
  java_args
  java "${JAVA_ARGS[@]}" "$@"
}

format_storage() {
  if [[ -f "$DATA/logs/meta.properties" ]]; then return; fi
  local cluster_id
  cluster_id="$(java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  say "formatting KRaft storage (cluster $cluster_id)"
  java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$DATA/server.properties" \
    --ignore-formatted >/dev/null
}

start() {
  if pid="$(running_pid)"; then
    say "already running (pid $pid)"
    wait_ready "$pid"
    return
  fi
  if port_open "$PORT"; then
    say "port $PORT is taken by another process; set KAFKA_PORT or stop it"
    exit 1
  fi
  command -v java >/dev/null || { say "java not found (Java 17+ is required)"; exit 1; }
  command -v mvn >/dev/null || { say "mvn not found (Maven is required to resolve the jars)"; exit 1; }
  resolve_jars
  write_config
  format_storage
  : >"$LOG"
  # setsid: the broker outlives the shell that started it (npm start, a test's global setup).
  java_args
  setsid java "${JAVA_ARGS[@]}" kafka.Kafka "$DATA/server.properties" >>"$DATA/stdout.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  wait_ready "$!"
}

broker_ready() { port_open "$PORT" && grep -q "Kafka Server started" "$LOG" 2>/dev/null; }

wait_ready() {
  wait_until "$1" "$TIMEOUT" broker_ready
  say "ready on 127.0.0.1:$PORT (pid $1)"
}



service_main "$@"
