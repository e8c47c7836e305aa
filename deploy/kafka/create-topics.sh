#!/usr/bin/env bash
# Creates the nodeincidents topics; safe to run again (--if-not-exists leaves existing topics untouched).
# Runs in the apache/kafka image: the compose file's `topics` service mounts this file, the Kubernetes Job runs
# the copy in the ConfigMap nodeincidents-config (key create-topics.sh; a test keeps the two identical).
#
# Environment: BOOTSTRAP_SERVERS (required); TOPIC_PARTITIONS (default 12) and TOPIC_REPLICATION_FACTOR
# (default 3) for every topic; JOURNAL_RETENTION_MS (default 2 days) for journal.entries;
# SECURITY_PROTOCOL, SASL_MECHANISM, SASL_JAAS_CONFIG, SSL_TRUSTSTORE_LOCATION (PEM) for a secured cluster.
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:?BOOTSTRAP_SERVERS is required}"
partitions="${TOPIC_PARTITIONS:-12}"
replication="${TOPIC_REPLICATION_FACTOR:-3}"
journal_retention_ms="${JOURNAL_RETENTION_MS:-172800000}"
kafka_topics="${KAFKA_HOME:-/opt/kafka}/bin/kafka-topics.sh"

client_config="$(mktemp)"
trap 'rm -f "$client_config"' EXIT
{
  echo "security.protocol=${SECURITY_PROTOCOL:-PLAINTEXT}"
  if [ -n "${SASL_MECHANISM:-}" ]; then echo "sasl.mechanism=${SASL_MECHANISM}"; fi
  if [ -n "${SASL_JAAS_CONFIG:-}" ]; then echo "sasl.jaas.config=${SASL_JAAS_CONFIG}"; fi
  if [ -n "${SSL_TRUSTSTORE_LOCATION:-}" ]; then
    echo "ssl.truststore.type=PEM"
    echo "ssl.truststore.location=${SSL_TRUSTSTORE_LOCATION}"
  fi
} > "$client_config"

# create NAME CONFIG...: every topic gets the same partition count, so partitions bound how many Streams
# instances share the work; records are keyed by host (journal) or incidentId (incidents).
create() {
  local name="$1"
  shift
  local configs=()
  local c
  for c in "$@"; do configs+=(--config "$c"); done
  "$kafka_topics" --bootstrap-server "$bootstrap" --command-config "$client_config" \
    --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$replication" "${configs[@]}"
}

# raw journal entries: a replay buffer, not an archive; the hosts' journals stay the source of truth
create journal.entries "retention.ms=${journal_retention_ms}" cleanup.policy=delete
# the shippers' memory samples, keyed by host like journal.entries and with as many partitions (a host's samples and
# entries meet in one Streams task); the forecast reads the last hour
create node.memory retention.ms=172800000 cleanup.policy=delete
# entries the pipeline could not read, kept for a week (from when they were set aside: a replayed old log's
# records carry its time) for someone to look at
create journal.deadletter retention.ms=604800000 cleanup.policy=delete message.timestamp.type=LogAppendTime
# one record per incident and update, keyed by incidentId: compaction keeps the latest state of each
create incidents cleanup.policy=compact
create incidents.ecs cleanup.policy=compact
# fleet-wide alerts: a month of history, counted from when they were written
create fleet.alerts retention.ms=2592000000 cleanup.policy=delete message.timestamp.type=LogAppendTime
# each host's latest memory forecast, keyed by host: compaction keeps one per host
create node.memory.forecast cleanup.policy=compact

"$kafka_topics" --bootstrap-server "$bootstrap" --command-config "$client_config" --describe \
  --topic 'journal.entries|node.memory|journal.deadletter|incidents|incidents.ecs|fleet.alerts|node.memory.forecast'
