// Reads the OCSF findings topic and prints every event once, as received (one JSON document per line), however often
// Kafka delivers it: at-least-once delivery repeats records after a crash or a rebalance, and metadata.uid identifies an
// evaluation (the same snapshot evaluated by the same rule version and profile), so a repeated uid is dropped.
//
//   npm install && KAFKA_BROKERS=host:9092 TOPIC=contact-audit.findings-ocsf.v1 node consume.js
//
// Environment: KAFKA_BROKERS (comma-separated), TOPIC, GROUP_ID; for tests and demonstrations also REWIND_AFTER (after
// that many records, seek every partition back to the beginning once: a redelivery), STOP_AFTER (exit after that many
// records) and TIMEOUT_MS (exit 2 if STOP_AFTER is not reached by then). The summary goes to standard error.
//
// kafkajs decodes gzip only; snappy, lz4 and zstd need a codec registered (CompressionCodecs). See ../README.md.
'use strict';
const { subscribe, run } = require('./kafka');

const rewindAfter = Number(process.env.REWIND_AFTER || 0);
const stopAfter = Number(process.env.STOP_AFTER || 0);
const seen = new Set();
let received = 0;
let rewound = false;
const summary = () => `received ${received} records, ${seen.size} distinct events`;

async function main() {
  const { kafka, consumer, topic, stop } = await subscribe({
    clientId: 'ocsf-consumer', topic: 'contact-audit.findings-ocsf.v1', groupId: 'siem-ocsf-consumer', summary });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
  await admin.disconnect();

  await consumer.run({
    eachMessage: async ({ message }) => {
      received += 1;
      const text = message.value.toString('utf8');
      const uid = JSON.parse(text).metadata.uid;
      if (!seen.has(uid)) {
        seen.add(uid);
        process.stdout.write(text + '\n');
      }
      if (stopAfter > 0 && received >= stopAfter) {
        stop(0);
      } else if (rewindAfter > 0 && received === rewindAfter && !rewound) {
        rewound = true;
        partitions.forEach((partition) => consumer.seek({ topic, partition, offset: '0' }));
      }
    },
  });
}

run(main, summary);
