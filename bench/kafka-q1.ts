/**
 * Kafka-to-Kafka Nexmark q1 (`SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid`)
 * through Eddy, against a bare kafkajs consume-transform-produce loop, side by side in one run on
 * librdkafka's mock cluster (or KAFKA_BROKERS). Run: `npm run build && node dist/bench/kafka-q1.js [events]`.
 * Prints a table row for docs/BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Engine } from '../src/engine/index.js';
import { engineTuningFromEnv } from '../src/cli/tuning-env.js';
import { startTestKafka, uniqueTopic } from '../test/support/kafka/mock-cluster.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const PARTITIONS = 4;
const CHUNK = 10_000;

function bid(i: number): string {
  // deterministic, Nexmark-shaped bids
  const auction = 1000 + ((i * 7919) % 10_000);
  const bidder = 1000 + ((i * 104_729) % 50_000);
  const price = 100 + ((i * 2_654_435_761) % 1_000_000);
  const date_time = new Date(Date.UTC(2026, 0, 1) + i).toISOString();
  return JSON.stringify({ auction, bidder, price, channel: 'Google', url: `https://example.com/${i % 97}`, date_time, extra: '' });
}

async function fill(producer: Producer, topic: string): Promise<void> {
  for (let i = 0; i < EVENTS; i += CHUNK) {
    const n = Math.min(CHUNK, EVENTS - i);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ value: bid(i + j), partition: (i + j) % PARTITIONS })) });
  }
}

async function outputCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function throughEddy(brokers: string, input: string, output: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eddy-kafka-q1-'));
  const engine = await Engine.open({ ...engineTuningFromEnv(), dataDir });
  try {
    const started = performance.now();
    await engine.execute(`CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR)
        WITH (connector = 'kafka', brokers = '${brokers}', topic = '${input}');
      CREATE SINK q1 AS SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid
        WITH (connector = 'kafka', brokers = '${brokers}', topic = '${output}', max_rows_per_batch = 50000);`);
    await engine.drain();
    return performance.now() - started;
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The loop a developer would write by hand: consume, JSON.parse, transform, JSON.stringify, produce. */
async function throughKafkajs(kafka: Kafka, input: string, output: string): Promise<{ ms: number; joinMs: number }> {
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: uniqueTopic('bench'), maxWaitTimeInMs: 50, maxBytesPerPartition: 4 << 20 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  const started = performance.now();
  let joined = started;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = performance.now();
  });
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const messages = batch.messages.map((m) => {
            const b = JSON.parse(m.value!.toString()) as { auction: number; bidder: number; price: number; date_time: string };
            return { value: JSON.stringify({ auction: b.auction, bidder: b.bidder, price: 0.908 * b.price, date_time: b.date_time }) };
          });
          await producer.send({ topic: output, acks: -1, messages });
          done += messages.length;
          if (done >= EVENTS) resolve();
        },
      })
      .catch(reject);
  });
  const ended = performance.now();
  await consumer.disconnect();
  await producer.disconnect();
  return { ms: ended - joined, joinMs: joined - started };
}

const cluster = await startTestKafka();
try {
  const kafka = new Kafka({ brokers: [cluster.brokers], logLevel: logLevel.NOTHING });
  const input = uniqueTopic('bids');
  const [outEddy, outBare] = [uniqueTopic('q1-eddy'), uniqueTopic('q1-kafkajs')];
  for (const [t, n] of [[input, PARTITIONS], [outEddy, PARTITIONS], [outBare, PARTITIONS]] as const) await cluster.createTopic(t, n);
  const producer = kafka.producer();
  await producer.connect();
  await fill(producer, input);
  await producer.disconnect();

  const eddyMs = await throughEddy(cluster.brokers, input, outEddy);
  const bare = await throughKafkajs(kafka, input, outBare);
  const [nEddy, nBare] = [await outputCount(kafka, outEddy), await outputCount(kafka, outBare)];
  if (nEddy !== EVENTS || nBare < EVENTS) throw new Error(`wrong output counts: eddy ${nEddy}, kafkajs ${nBare} (expected ${EVENTS})`);
  const rate = (ms: number) => Math.round(EVENTS / (ms / 1000)).toLocaleString('en-US');
  console.log(`events ${EVENTS}, ${PARTITIONS} partitions, ${cluster.mock ? 'librdkafka mock cluster' : cluster.brokers}`);
  console.log(`eddy:    ${eddyMs.toFixed(0)} ms (${rate(eddyMs)} events/s), includes creating the query`);
  console.log(`kafkajs: ${bare.ms.toFixed(0)} ms (${rate(bare.ms)} events/s), after a ${bare.joinMs.toFixed(0)} ms group join`);
  console.log(`| Kafka-to-Kafka q1 | ${EVENTS} | ${eddyMs.toFixed(0)} ms | ${bare.ms.toFixed(0)} ms | ${(eddyMs / bare.ms).toFixed(2)} |`);
} finally {
  await cluster.close();
}
