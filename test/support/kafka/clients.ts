/** Producing test messages with kafkajs and reading topics back with kcat (independent of Eddy's code). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';

const run = promisify(execFile);

export interface TestMessage {
  readonly key?: string | null;
  readonly value: string | null;
  readonly partition?: number;
  readonly headers?: Record<string, string>;
}

export function testKafka(brokers: string): Kafka {
  return new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2, initialRetryTime: 50 }, connectionTimeout: 1000 });
}

/** A connected producer, disconnected by `close`. */
export async function testProducer(brokers: string): Promise<Producer> {
  const producer = testKafka(brokers).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

export async function produce(brokers: string, topic: string, messages: readonly TestMessage[]): Promise<void> {
  const producer = await testProducer(brokers);
  try {
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m, key: m.key ?? null })) });
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

/** Every message of a topic, by partition and offset, read with kcat. */
export async function readTopic(brokers: string, topic: string): Promise<ReadMessage[]> {
  const { stdout } = await run('kcat', ['-b', brokers, '-C', '-t', topic, '-o', 'beginning', '-e', '-J', '-q', '-X', 'log_level=0'], { timeout: 20000, maxBuffer: 256 * 1024 * 1024 });
  const out: ReadMessage[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const m = JSON.parse(line) as { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] };
    const headers: Record<string, string> = {};
    for (let i = 0; i + 1 < (m.headers?.length ?? 0); i += 2) headers[m.headers![i]!] = m.headers![i + 1]!;
    out.push({ partition: m.partition, offset: m.offset, key: m.key, value: m.payload, headers });
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
