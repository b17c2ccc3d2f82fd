#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft, combined broker+controller) from jars
# that Maven resolves from Maven Central. No Docker, no tarball.
#
#   kafka-ci/kafka.sh fetch            resolve the jars into the cache (reused when present)
#   kafka-ci/kafka.sh fetch-peers      resolve the benchmark's JVM peers (ProducerPerformance,
#                                      Kafka Connect with FileStreamSource) into lib/peers-<version>;
#                                      prints that folder (Kafka 3.x only: its log4j config)
#   kafka-ci/kafka.sh start            format a fresh data dir, start, wait until the port answers
#   kafka-ci/kafka.sh stop             SIGTERM the saved PID (then SIGKILL after 30 s)
#   kafka-ci/kafka.sh status           exit 0 when the saved PID is alive
#
# Environment:
#   KAFKA_VERSION   3.9.1 (default) or a 4.x version such as 4.1.1
#   KAFKA_PORT      broker port on 127.0.0.1 (default 9092); the controller uses KAFKA_PORT+1
#   KAFKA_CI_DIR    scratch folder for jars, data and logs (default <repo>/.kafka-ci, git-ignored)
#   KAFKA_FRESH     1 (default) wipes the data dir on start; 0 keeps it (restart after a stop)
#   KAFKA_HEAP_OPTS JVM heap flags (default -Xms512m -Xmx512m)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${KAFKA_CI_DIR:-$HERE/../.kafka-ci}"
mkdir -p "$ROOT"
ROOT="$(cd "$ROOT" && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
MAJOR="${KAFKA_VERSION%%.*}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
LIB="$ROOT/lib/broker-$KAFKA_VERSION"
INST="$ROOT/instance-$PORT"
DATA="$INST/data"; LOGS="$INST/logs"; CONF="$INST/conf"; PIDFILE="$INST/kafka.pid"
# A fixed cluster id keeps restarts with KAFKA_FRESH=0 valid (base64url of 16 bytes).
CID="ZmlyZWZyb250LWNpLWNsdXN0ZXI"
CID="${CID:0:22}"

if [[ "$MAJOR" -ge 4 ]]; then
  PROFILE=kafka4
  LOGOPT="-Dlog4j2.configurationFile=$HERE/log4j2.properties"
  TOOLLOG="-Dlog4j2.configurationFile=$HERE/tools-log4j2.properties"
else
  PROFILE=kafka3
  LOGOPT="-Dlog4j.configuration=file:$HERE/log4j.properties"
  TOOLLOG="-Dlog4j.configuration=file:$HERE/tools-log4j.properties"
fi

fetch() {
  if [[ -f "$LIB/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || { echo "kafka.sh: mvn not found (Maven is needed to fetch Kafka's jars)" >&2; exit 1; }
  echo "kafka.sh: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIB" >&2
  rm -rf "$LIB"; mkdir -p "$LIB"
  mvn -B -q -f "$HERE/pom.xml" "-P$PROFILE" "-Dkafka.version=$KAFKA_VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime "-DoutputDirectory=$LIB" >&2
  touch "$LIB/.complete"
}

fetch_peers() {
  local lib="$ROOT/lib/peers-$KAFKA_VERSION"
  if [[ ! -f "$lib/.complete" ]]; then
    [[ "$MAJOR" -lt 4 ]] || { echo "kafka.sh: fetch-peers supports Kafka 3.x (peers-pom.xml uses reload4j)" >&2; exit 1; }
    command -v mvn >/dev/null || { echo "kafka.sh: mvn not found (Maven is needed to fetch Kafka's jars)" >&2; exit 1; }
    echo "kafka.sh: fetching Kafka $KAFKA_VERSION tools and Connect jars from Maven Central into $lib" >&2
    rm -rf "$lib"; mkdir -p "$lib"
    mvn -B -q -Dstyle.color=never -f "$HERE/peers-pom.xml" "-Dkafka.version=$KAFKA_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
      -DincludeScope=runtime "-DoutputDirectory=$lib" >&2
    touch "$lib/.complete"
  fi
  echo "$lib"
}

write_conf() {
  mkdir -p "$CONF" "$DATA" "$LOGS"
  cat >"$CONF/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=3
num.io.threads=8
PROPS
  if [[ "$MAJOR" -ge 4 ]]; then
    printf 'share.coordinator.state.topic.replication.factor=1\nshare.coordinator.state.topic.min.isr=1\n' >>"$CONF/server.properties"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  fetch
  if alive; then echo "kafka.sh: already running (pid $(cat "$PIDFILE")) on 127.0.0.1:$PORT" >&2; return 0; fi
  if port_open "$PORT"; then echo "kafka.sh: port $PORT is taken by another process; set KAFKA_PORT" >&2; exit 1; fi
  [[ "${KAFKA_FRESH:-1}" == 1 ]] && rm -rf "$DATA"
  write_conf
  "$JAVA" -Xmx256m $TOOLLOG -cp "$LIB/*" kafka.tools.StorageTool format \
    -t "$CID" -c "$CONF/server.properties" --ignore-formatted >"$LOGS/format.out" 2>&1 \
    || { cat "$LOGS/format.out" >&2; exit 1; }
  local t0; t0=$(date +%s%N)
  # shellcheck disable=SC2086
  "$JAVA" ${KAFKA_HEAP_OPTS:--Xms512m -Xmx512m} -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOGS" $LOGOPT -cp "$LIB/*" kafka.Kafka "$CONF/server.properties" \
    >"$LOGS/kafka.out" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local pid; pid=$(cat "$PIDFILE")
  # The broker port opens only once the broker is unfenced, so an open port means ready.
  for _ in $(seq 1 180); do
    if port_open "$PORT"; then
      local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      echo "kafka.sh: Kafka $KAFKA_VERSION ready on 127.0.0.1:$PORT (pid $pid) in ${ms} ms" >&2
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker exited during startup; last log lines:" >&2; tail -n 60 "$LOGS/kafka.out" >&2; rm -f "$PIDFILE"; exit 1
    fi
    sleep 0.5
  done
  echo "kafka.sh: timed out waiting for 127.0.0.1:$PORT; last log lines:" >&2; tail -n 60 "$LOGS/kafka.out" >&2
  stop; exit 1
}

stop() {
  [[ -f "$PIDFILE" ]] || return 0
  local pid; pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" || true; fi
  fi
  rm -f "$PIDFILE"
  echo "kafka.sh: stopped broker on 127.0.0.1:$PORT (pid $pid)" >&2
}

case "${1:-}" in
  fetch) fetch ;;
  fetch-peers) fetch_peers ;;
  start) start ;;
  stop) stop ;;
  status) alive ;;
  *) echo "usage: $0 fetch|fetch-peers|start|stop|status" >&2; exit 2 ;;
esac
