/**
 * kill -9 at random moments while clients push rows over HTTP, restart, repeat: every acknowledged
 * row is kept, and no row (acknowledged or not) is duplicated, in the push source, in materialized
 * views, and in every sink kind: JSON lines and Parquet files, Kafka, the console.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { seededRandom } from '../support/seeded-random.js';
import { DuckDBInstance } from '@duckdb/node-api';
import { readTopic } from '../support/kafka/clients.js';
import { startTestKafka } from '../support/kafka/mock-cluster.js';
import { builtCliMissing, startServeChild, type ServeChild } from '../support/serve-child.js';

const KILLS = Number(process.env.EDDY_CRASH_KILLS ?? 8);
const SEED = Number(process.env.EDDY_FUZZ_SEED ?? Date.now() % 100000);
const ROWS_PER_PUSH = 25;

async function sql(url: string, text: string): Promise<any[][]> {
  const res = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`${text}: ${JSON.stringify(body.error)}`);
  return body.results.at(-1)?.rows ?? [];
}

/** Counts of each id, to tell a missing row from a duplicated one. */
function tally(ids: Iterable<number>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

function duplicates(counts: Map<number, number>): number[] {
  return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
}

function sameIds(counts: Map<number, number>, expected: ReadonlySet<number>): boolean {
  return counts.size === expected.size && [...expected].every((id) => counts.get(id) === 1);
}

/** The console sink's rows across runs, keyed by batch: a batch printed again replaces its first copy. */
function consoleIds(outputs: readonly string[]): number[] {
  const batches = new Map<number, number[]>();
  for (const output of outputs) {
    const seen = new Set<number>();
    for (const line of output.split('\n')) {
      const m = /^batch (\d+)(?: \(redelivered\))? \+ (\{.*\})$/.exec(line);
      if (!m) continue;
      const batch = Number(m[1]);
      if (!seen.has(batch)) batches.set(batch, []);
      seen.add(batch);
      batches.get(batch)!.push((JSON.parse(m[2]!) as { id: number }).id);
    }
  }
  return [...batches.values()].flat();
}

t.test(`random kill -9 during pushes: nothing acknowledged lost, nothing duplicated anywhere (${KILLS} kills, seed ${SEED})`, { skip: builtCliMissing() }, async (t) => {
  const random = seededRandom(SEED);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-crash-pushes-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'out');
  fs.mkdirSync(root);
  const kafka = await startTestKafka();
  t.teardown(() => kafka.close());
  await kafka.createTopic('clicks-out', 1);
  const dataDir = path.join(dir, 'data');
  const start = (): Promise<ServeChild> => startServeChild(dataDir, { args: ['--file-root', root] });

  let server = await start();
  await sql(
    server.httpUrl,
    `CREATE SOURCE clicks (id BIGINT, k BIGINT, v BIGINT);
     CREATE MATERIALIZED VIEW per_key WITH (max_rows_per_batch = 200) AS SELECT k, count(*) AS n, sum(v) AS total FROM clicks GROUP BY k;
     CREATE MATERIALIZED VIEW copied WITH (max_rows_per_batch = 150) AS SELECT id, k, v FROM clicks;
     CREATE SINK to_jsonl AS SELECT id FROM clicks WITH (connector = 'jsonl', path = '${root}/jsonl', max_rows_per_batch = 120);
     CREATE SINK to_parquet AS SELECT id FROM clicks WITH (connector = 'parquet', path = '${root}/parquet', max_rows_per_batch = 170);
     CREATE SINK to_kafka AS SELECT id FROM clicks WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = 'clicks-out', max_rows_per_batch = 130);
     CREATE SINK to_console AS SELECT id FROM clicks WITH (connector = 'console', max_rows_per_batch = 140)`,
  );

  const acknowledged = new Set<number>();
  let nextId = 0;
  const outputs: string[] = [];
  /** Two clients pushing batches of rows until the server dies under them. */
  const push = async (url: string, alive: () => boolean): Promise<void> => {
    while (alive()) {
      const ids = Array.from({ length: ROWS_PER_PUSH }, () => nextId++);
      const rows = ids.map((id) => ({ id, k: id % 17, v: id * 3 }));
      try {
        const res = await fetch(`${url}/v1/sources/clicks/rows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rows) });
        if (res.status === 200) for (const id of ids) acknowledged.add(id);
        else await res.text();
      } catch {
        return; // killed mid-request: these rows may or may not have been stored, never twice
      }
    }
  };
  const delays: number[] = [];
  for (let i = 0; i < KILLS; i++) {
    let alive = true;
    const pushers = [push(server.httpUrl, () => alive), push(server.httpUrl, () => alive)];
    const delay = 200 + Math.floor(random() * 1500);
    delays.push(delay);
    await new Promise((r) => setTimeout(r, delay));
    await server.kill();
    alive = false;
    await Promise.all(pushers);
    outputs.push(server.output());
    server = await start();
  }
  t.teardown(() => server.kill());
  t.ok(acknowledged.size > 0, `${acknowledged.size} rows acknowledged over ${KILLS} runs killed after ${delays.join(', ')} ms`);

  // What the push source stored is the truth: every acknowledged row, and each row at most once.
  const stored = (await sql(server.httpUrl, 'SELECT id FROM clicks')).map((r) => Number(r[0]));
  const storedCounts = tally(stored);
  t.same(duplicates(storedCounts), [], 'the push source stored no row twice');
  t.same([...acknowledged].filter((id) => !storedCounts.has(id)), [], 'every acknowledged row is stored');
  const committed = new Set(stored);
  const total = stored.reduce((s, id) => s + id * 3, 0);

  // Every query catches up by itself after the last restart.
  const db = await DuckDBInstance.create(':memory:');
  const reader = await db.connect();
  t.teardown(() => db.closeSync());
  const views = async () => ({
    copied: tally((await sql(server.httpUrl, 'SELECT id FROM copied')).map((r) => Number(r[0]))),
    perKey: (await sql(server.httpUrl, 'SELECT sum(n)::BIGINT, sum(total)::BIGINT FROM per_key'))[0]!.map(Number),
  });
  const files = async (kind: 'jsonl' | 'parquet') => {
    const dirPath = path.join(root, kind);
    if (!fs.existsSync(dirPath)) return new Map<number, number>();
    const reader_ = kind === 'jsonl' ? `read_json('${dirPath}/**/*.jsonl', format = 'newline_delimited')` : `read_parquet('${dirPath}/**/*.parquet')`;
    const rows = (await reader.runAndReadAll(`SELECT id::BIGINT FROM ${reader_}`).catch(() => null))?.getRows() ?? [];
    return tally(rows.map((r) => Number(r[0])));
  };
  const kafkaIds = async () => tally((await readTopic(kafka.brokers, 'clicks-out')).map((m) => (JSON.parse(m.value!) as { id: number }).id));
  const deadline = Date.now() + 90_000;
  let last = '';
  for (;;) {
    const v = await views();
    const jsonl = await files('jsonl');
    const parquet = await files('parquet');
    const topic = await kafkaIds();
    const console_ = tally(consoleIds([...outputs, server.output()]));
    const done =
      sameIds(v.copied, committed) && v.perKey[0] === committed.size && v.perKey[1] === total && sameIds(jsonl, committed) && sameIds(parquet, committed) && sameIds(topic, committed) && sameIds(console_, committed);
    last = JSON.stringify({ committed: committed.size, copied: v.copied.size, perKey: v.perKey, jsonl: jsonl.size, parquet: parquet.size, kafka: topic.size, console: console_.size });
    for (const [what, counts] of Object.entries({ copied: v.copied, jsonl, parquet, kafka: topic, console: console_ })) {
      const dup = duplicates(counts);
      if (dup.length > 0) t.fail(`${what} holds duplicates: ${dup.slice(0, 10).join(', ')}`);
      if (dup.length > 0) return;
    }
    if (done) break;
    if (Date.now() > deadline) {
      t.fail(`the queries did not converge on the stored rows: ${last}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  t.pass(`views and every sink hold each of the ${committed.size} stored rows exactly once: ${last}`);
});
