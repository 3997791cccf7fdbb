#!/usr/bin/env bash
# Least-privilege ACLs for contact-audit, with Apache Kafka's kafka-acls.sh. Principals are examples.
# Usage: BOOTSTRAP_SERVERS=host:9093 COMMAND_CONFIG=admin.properties [PREFIX=contact-audit] ops/acls.sh
set -euo pipefail
: "${BOOTSTRAP_SERVERS:?}" "${COMMAND_CONFIG:?an admin client.properties}"
PREFIX="${PREFIX:-contact-audit}"
ACLS_BIN="${ACLS_BIN:-$(command -v kafka-acls.sh || echo /opt/kafka/bin/kafka-acls.sh)}"
COLLECTOR="${COLLECTOR:-User:contact-audit-collector}"
EVALUATOR="${EVALUATOR:-User:contact-audit-evaluator}"
SIEM="${SIEM:-User:siem-reader}"
REMEDIATOR="${REMEDIATOR:-User:contact-audit-remediator}"
EXCEPTIONS_ADMIN="${EXCEPTIONS_ADMIN:-User:contact-audit-exceptions-admin}"
acl() { "$ACLS_BIN" --bootstrap-server "$BOOTSTRAP_SERVERS" --command-config "$COMMAND_CONFIG" --add "$@"; }

# collector: writes snapshots (idempotent producer), reads posture to know which subscriptions left
acl --allow-principal "$COLLECTOR" --operation Write --operation Describe --topic "$PREFIX.snapshots.v1"
acl --allow-principal "$COLLECTOR" --operation Read --operation Describe --topic "$PREFIX.posture.v1"
acl --allow-principal "$COLLECTOR" --operation IdempotentWrite --cluster

# evaluator: reads snapshots, writes every output, owns its internal topics, group and transactional ids
acl --allow-principal "$EVALUATOR" --operation Read --operation Describe --topic "$PREFIX.snapshots.v1"
acl --allow-principal "$EVALUATOR" --operation Read --operation Describe --topic "$PREFIX.exceptions.v1"
for t in findings.v1 findings-ocsf.v1 drift.v1 posture.v1 dlq.v1; do
  acl --allow-principal "$EVALUATOR" --operation Write --operation Describe --topic "$PREFIX.$t"
done
acl --allow-principal "$EVALUATOR" --operation All --resource-pattern-type prefixed --topic "$PREFIX-evaluate-v1"
acl --allow-principal "$EVALUATOR" --operation All --resource-pattern-type prefixed --group "$PREFIX-evaluate-v1"
acl --allow-principal "$EVALUATOR" --operation Write --operation Describe --resource-pattern-type prefixed --transactional-id "$PREFIX-evaluate-v1"
acl --allow-principal "$EVALUATOR" --operation IdempotentWrite --cluster

# remediate --apply/--watch: reads posture and drift, writes verifying snapshots and its audit trail
acl --allow-principal "$REMEDIATOR" --operation Read --operation Describe --topic "$PREFIX.posture.v1"
acl --allow-principal "$REMEDIATOR" --operation Read --operation Describe --topic "$PREFIX.drift.v1"
acl --allow-principal "$REMEDIATOR" --operation Write --operation Describe --topic "$PREFIX.snapshots.v1"
acl --allow-principal "$REMEDIATOR" --operation Write --operation Describe --topic "$PREFIX.remediations.v1"
acl --allow-principal "$REMEDIATOR" --operation Read --resource-pattern-type prefixed --group "$PREFIX-remediate"
acl --allow-principal "$REMEDIATOR" --operation IdempotentWrite --cluster

# exceptions add|revoke: writes the exceptions (idempotent producer) and reads them and the posture to validate
acl --allow-principal "$EXCEPTIONS_ADMIN" --operation Write --operation Read --operation Describe --topic "$PREFIX.exceptions.v1"
acl --allow-principal "$EXCEPTIONS_ADMIN" --operation Read --operation Describe --topic "$PREFIX.posture.v1"
acl --allow-principal "$EXCEPTIONS_ADMIN" --operation IdempotentWrite --cluster
acl --allow-principal "$REMEDIATOR" --operation Read --operation Describe --topic "$PREFIX.exceptions.v1"

# SIEM and auditors: read outputs only (replay uses no consumer group; SIEM connectors use their own)
for t in findings.v1 findings-ocsf.v1 drift.v1 posture.v1 remediations.v1 exceptions.v1; do
  acl --allow-principal "$SIEM" --operation Read --operation Describe --topic "$PREFIX.$t"
done
acl --allow-principal "$SIEM" --operation Read --resource-pattern-type prefixed --group siem-
