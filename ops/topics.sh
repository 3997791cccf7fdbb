#!/usr/bin/env bash
# Idempotent topic provisioning for contact-audit, with Apache Kafka's own kafka-topics.sh.
# Usage: BOOTSTRAP_SERVERS=host:9092 [PREFIX=contact-audit] [PARTITIONS=6] [REPLICATION=3] [SIEM_COMPRESSION=gzip] [COMMAND_CONFIG=client.properties] ops/topics.sh
# Existing topics are left as they are (--if-not-exists); change settings of an existing topic with kafka-configs.sh.
set -euo pipefail
: "${BOOTSTRAP_SERVERS:?set BOOTSTRAP_SERVERS, e.g. kafka:9092}"
PREFIX="${PREFIX:-contact-audit}"
PARTITIONS="${PARTITIONS:-6}"
REPLICATION="${REPLICATION:-3}"
TOPICS_BIN="${TOPICS_BIN:-$(command -v kafka-topics.sh || echo /opt/kafka/bin/kafka-topics.sh)}"
extra=()
[ -n "${COMMAND_CONFIG:-}" ] && extra=(--command-config "$COMMAND_CONFIG")

DAY_MS=86400000
# The topics SIEMs read are stored in gzip, the one codec every Kafka client decodes (README, "Compression").
SIEM_COMPRESSION="${SIEM_COMPRESSION:-gzip}"
create() { # name cleanup.policy retention.ms|- reason [siem]
  local name="$PREFIX.$1" configs="--config cleanup.policy=$2"
  [ "$3" != "-" ] && configs="$configs --config retention.ms=$3"
  [ "${5:-}" = "siem" ] && configs="$configs --config compression.type=$SIEM_COMPRESSION"
  [ "$2" = "compact" ] && configs="$configs --config min.compaction.lag.ms=3600000"
  echo "topic $name: $4"
  # shellcheck disable=SC2086
  "$TOPICS_BIN" --bootstrap-server "$BOOTSTRAP_SERVERS" "${extra[@]}" --create --if-not-exists \
    --topic "$name" --partitions "$PARTITIONS" --replication-factor "$REPLICATION" $configs
}

# The evaluator's parallelism is bounded by the partitions of snapshots.v1; 6 serves up to 6 instances.
create snapshots.v1 delete $((400 * DAY_MS)) "history of what was collected; replayed for audits and re-evaluation (400 days: a year of audits plus margin)"
create findings.v1  delete $((400 * DAY_MS)) "every evaluation; replayed for point-in-time posture" siem
create findings-ocsf.v1 delete $((400 * DAY_MS)) "every evaluation as an OCSF Compliance Finding (JSON) for SIEMs" siem
create drift.v1     delete $((400 * DAY_MS)) "every change; the audit trail of the control" siem
create posture.v1   compact -                  "latest state per subscription, a table; compacted, tombstones for removed subscriptions"
create dlq.v1       delete $((30 * DAY_MS))  "inputs that could not be processed, for triage within a month"
create remediations.v1 delete $((400 * DAY_MS)) "every remediation attempt (JSON): who, when, before, after, the write and its result"
create exceptions.v1 compact -                 "approved exceptions (Avro), one key per exception, revocations written over them; compacted, nothing deleted"
