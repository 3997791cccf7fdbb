// What consume.js and consume-avro.js share: the kafkajs client from the environment, a consumer subscribed from the
// beginning, an optional deadline, and an exit that prints a summary.
//
// Environment: KAFKA_BROKERS (comma-separated), TOPIC, GROUP_ID, TIMEOUT_MS (exit 2 if the consumer has not stopped by
// then).
'use strict';
const { Kafka, logLevel } = require('kafkajs');

// exits without waiting for the group to be left: disconnect() waits for eachMessage, which may be the caller
function exit(summary, code) {
  process.stderr.write(summary() + '\n');
  process.exit(code);
}

// Connects a consumer of TOPIC (default `topic`) in GROUP_ID (default `groupId`), from the beginning, and starts the
// TIMEOUT_MS deadline. `summary()` is written to standard error on every exit. Returns { kafka, consumer, topic, stop }.
async function subscribe({ clientId, topic, groupId, summary }) {
  const kafka = new Kafka({
    clientId,
    brokers: (process.env.KAFKA_BROKERS || 'localhost:9092').split(','),
    logLevel: logLevel.ERROR,
    logCreator: () => ({ label, log }) => process.stderr.write(`kafkajs ${label}: ${log.message}\n`),
  });
  const name = process.env.TOPIC || topic;
  // readUncommitted defaults to false: the topics are written in transactions, read only what they committed
  const consumer = kafka.consumer({ groupId: process.env.GROUP_ID || groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: name, fromBeginning: true });
  const timeoutMs = Number(process.env.TIMEOUT_MS || 0);
  if (timeoutMs > 0) {
    setTimeout(() => {
      process.stderr.write(`timed out after ${timeoutMs} ms\n`);
      exit(summary, 2);
    }, timeoutMs).unref();
  }
  return { kafka, consumer, topic: name, stop: (code) => exit(summary, code) };
}

// Runs `main`, and on an error writes it and exits 1 with the summary.
function run(main, summary) {
  main().catch((e) => {
    process.stderr.write(`${e.name}: ${e.message}\n`);
    exit(summary, 1);
  });
}

module.exports = { subscribe, run };
