/**
 * Kafka for tests: librdkafka's mock cluster run by a small C host (mock-cluster.c), compiled with gcc
 * once into node_modules/.cache/eddy (keyed by the source's hash), or a real broker when
 * KAFKA_BROKERS is set. Topics are created through the host (kafkajs's createTopics does not work
 * against the mock) or through kafkajs's admin on a real broker.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

/** The repository root: the nearest ancestor with a package.json (this file also runs from dist/). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ROOT = repoRoot();
const SOURCE = join(ROOT, 'test/support/kafka/mock-cluster.c');
const CACHE = resolve(ROOT, 'node_modules/.cache/eddy');

export interface TestKafka {
  readonly brokers: string;
  /** Whether this is the mock cluster (outages can be simulated) rather than a real broker. */
  readonly mock: boolean;
  createTopic(topic: string, partitions: number): Promise<void>;
  /** Takes the brokers down (connections refused) and back up; mock only. */
  setDown(down: boolean): Promise<void>;
  /** Makes a topic look missing, or present again; mock only (it creates topics on first use). */
  setHidden(topic: string, hidden: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Compiles the host if needed and returns its path. */
export function mockClusterBinary(): string {
  const text = readFileSync(SOURCE);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const binary = join(CACHE, `kafka-mock-cluster-${hash}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${binary}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O1', '-o', tmp, SOURCE, '-lrdkafka'], { stdio: 'pipe' });
  renameSync(tmp, binary);
  return binary;
}

class MockCluster implements TestKafka {
  readonly mock = true;
  private readonly answers: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly brokers: string, lines: AsyncIterator<string>) {
    void (async () => {
      for (;;) {
        const next = await lines.next();
        if (next.done) break;
        this.answers.shift()?.(next.value);
      }
    })();
  }

  static async start(): Promise<MockCluster> {
    const child = spawn(mockClusterBinary(), ['1'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`kafka mock cluster exited with ${code}`)))),
    ]);
    const match = /^bootstrap (\S+)/.exec(first.done ? '' : first.value);
    if (!match?.[1]) {
      child.kill();
      throw new Error(`kafka mock cluster: unexpected first line ${JSON.stringify(first.value)}`);
    }
    return new MockCluster(child, match[1], lines);
  }

  private command(line: string): Promise<void> {
    const run = this.queue.then(
      () =>
        new Promise<void>((resolveAnswer, reject) => {
          this.answers.push((answer) => (answer === 'ok' ? resolveAnswer() : reject(new Error(`mock cluster: ${line}: ${answer}`))));
          this.child.stdin.write(`${line}\n`);
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  createTopic(topic: string, partitions: number): Promise<void> {
    return this.command(`create ${topic} ${partitions}`);
  }

  setDown(down: boolean): Promise<void> {
    return this.command(down ? 'down' : 'up');
  }

  setHidden(topic: string, hidden: boolean): Promise<void> {
    return this.command(`${hidden ? 'hide' : 'show'} ${topic}`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

class RealBroker implements TestKafka {
  readonly mock = false;
  constructor(readonly brokers: string) {}

  async createTopic(topic: string, partitions: number): Promise<void> {
    const admin = new Kafka({ brokers: this.brokers.split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } finally {
      await admin.disconnect();
    }
  }

  async setDown(): Promise<void> {
    throw new Error('cannot take a real broker down');
  }

  async setHidden(): Promise<void> {
    throw new Error('cannot hide a topic on a real broker');
  }

  async close(): Promise<void> {}
}

/** The mock cluster, or the broker in KAFKA_BROKERS. */
export async function startTestKafka(): Promise<TestKafka> {
  const real = process.env['KAFKA_BROKERS'];
  return real ? new RealBroker(real) : MockCluster.start();
}

/** A topic name unique to this run (a real broker keeps topics between runs). */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
