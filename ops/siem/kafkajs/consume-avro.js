// Reads an Avro topic of registry mode (Confluent wire format: 0x00, schema id, Avro binary) with kafkajs and
// @kafkajs/confluent-schema-registry against the registry's Confluent-compatible API, and prints every record as one
// JSON document per line. The decoder asks the registry for the writer schema by id (GET /schemas/ids/{id}) and
// nothing else, so it works against Apicurio's /apis/ccompat/v7; every request has a timeout, so a registry that
// does not answer fails the consumer instead of hanging it.
//
//   npm install && KAFKA_BROKERS=host:9092 SCHEMA_REGISTRY_URL=http://registry:8080/apis/ccompat/v7 \
//     TOPIC=contact-audit.findings.v1 node consume-avro.js
//
// Environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL (the ccompat URL), TOPIC, GROUP_ID, REGISTRY_TIMEOUT_MS (default
// 10000); for tests STOP_AFTER (exit after that many records) and TIMEOUT_MS (exit 2 if not reached by then).
// kafkajs decodes gzip only: the topics SIEMs read are stored in gzip (topics.siem.compression.type); see ../README.md.
'use strict';
const { SchemaRegistry } = require('@kafkajs/confluent-schema-registry');
const { TimeoutMiddleware } = require('mappersmith/middleware/timeout');
const { subscribe, run } = require('./kafka');

const stopAfter = Number(process.env.STOP_AFTER || 0);
const registry = new SchemaRegistry({
  host: process.env.SCHEMA_REGISTRY_URL || 'http://localhost:8080/apis/ccompat/v7',
  middlewares: [TimeoutMiddleware(Number(process.env.REGISTRY_TIMEOUT_MS || 10000))],
  retry: { retries: 3 },
});
let received = 0;
const summary = () => `received ${received} records`;

async function main() {
  const { consumer, stop } = await subscribe({
    clientId: 'avro-consumer', topic: 'contact-audit.findings.v1', groupId: 'siem-avro-consumer', summary });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received += 1;
      const value = message.value === null ? null : await registry.decode(message.value);
      process.stdout.write(JSON.stringify({ key: message.key && message.key.toString('utf8'), value }) + '\n');
      if (stopAfter > 0 && received >= stopAfter) {
        stop(0);
      }
    },
  });
}

run(main, summary);
