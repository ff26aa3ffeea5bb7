import { FAST_RETRY } from '../../support/kafka/fast-retry.js';
import t, { type Test } from 'tap';
import { queryDir } from '../../../src/checkpoint/query-dir.js';
import { Engine } from '../../../src/engine/index.js';
import { produce, testKafka } from '../../support/kafka/clients.js';
import { startTestKafka, uniqueTopic, type TestKafka } from '../../support/kafka/mock-cluster.js';

const kafka: TestKafka = await startTestKafka();
t.teardown(() => kafka.close());

async function open(t: Test, dataDir = t.testdir()): Promise<Engine> {
  const engine = await Engine.open({ dataDir, tuning: FAST_RETRY });
  t.teardown(() => engine.close());
  return engine;
}

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => [...r]);
}

/** Polls `get` until `done` holds (or about 10 s pass) and returns the last value. */
async function waitFor<T>(get: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await get();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const client = "retries = 1, connection_timeout_ms = 1000";

t.test('json messages from several partitions reach a materialized view, with metadata columns', async (t) => {
  const topic = uniqueTopic('orders');
  await kafka.createTopic(topic, 3);
  await produce(kafka.brokers, topic, [
    { key: 'a', value: '{"id": 1, "amount": 2.5}', partition: 0 },
    { key: 'b', value: '{"id": 2, "amount": 4}', partition: 1 },
    { key: 'c', value: '{"id": 3, "amount": 1}', partition: 2 },
    { key: 'a', value: '{"id": 4, "amount": 10}', partition: 0 },
  ]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE orders (id BIGINT, amount DOUBLE, _key VARCHAR, _partition INTEGER, _offset BIGINT, _timestamp TIMESTAMP)
    WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', ${client});
    CREATE MATERIALIZED VIEW by_key AS SELECT _key, count(*) AS n, sum(amount) AS total FROM orders GROUP BY _key;
    CREATE MATERIALIZED VIEW raw_orders AS SELECT id, _partition, _offset, _timestamp FROM orders;`);
  await engine.drain();
  t.same(await rows(engine, 'SELECT _key, n, total FROM by_key ORDER BY _key'), [['a', 2n, 12.5], ['b', 1n, 4], ['c', 1n, 1]]);
  const raw = await rows(engine, 'SELECT id, _partition, _offset, _timestamp IS NOT NULL FROM raw_orders ORDER BY id');
  t.same(raw, [[1n, 0, 0n, true], [2n, 1, 0n, true], [3n, 2, 0n, true], [4n, 0, 1n, true]]);

  // more messages: the next drain reads only them
  await produce(kafka.brokers, topic, [{ key: 'b', value: '{"id": 5, "amount": 1}', partition: 1 }]);
  await engine.drain();
  t.same(await rows(engine, "SELECT n, total FROM by_key WHERE _key = 'b'"), [[2n, 5]]);
});

t.test('max_rows_per_batch bounds each batch and the offsets are kept per partition', async (t) => {
  const topic = uniqueTopic('bounded');
  await kafka.createTopic(topic, 2);
  await produce(kafka.brokers, topic, Array.from({ length: 10 }, (_, i) => ({ value: `{"id": ${i}}`, partition: i % 2 })));
  const dataDir = t.testdir();
  const engine = await open(t, dataDir);
  await engine.execute(`CREATE SOURCE s (id BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', ${client});
    CREATE MATERIALIZED VIEW v WITH (max_rows_per_batch = 3) AS SELECT id FROM s;`);
  await engine.drain();
  t.same(await rows(engine, 'SELECT count(*), count(DISTINCT id) FROM v'), [[10n, 10n]]);
  const [queries] = await engine.execute('SHOW QUERIES');
  t.ok(queries, 'SHOW QUERIES works');
  const { readdirSync, readFileSync } = await import('node:fs');
  const dir = `${queryDir(dataDir, 'v')}/offsets`;
  const logs = readdirSync(dir).map((f) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')) as { sources: Record<string, { start: Record<string, number>; end: Record<string, number> }> });
  for (const l of logs) {
    const { start, end } = l.sources['s']!;
    const n = Object.keys(end).reduce((sum, k) => sum + (end[k]! - (start[k] ?? 0)), 0);
    t.ok(n <= 3, `a batch reads at most 3 rows (${JSON.stringify(l.sources['s'])})`);
  }
  t.same(logs.at(-1)!.sources['s']!.end, { [`${topic}/0`]: 5, [`${topic}/1`]: 5 });
});

t.test('csv and raw formats; startup latest skips what was there', async (t) => {
  const topic = uniqueTopic('lines');
  await kafka.createTopic(topic, 1);
  await produce(kafka.brokers, topic, [{ value: '1,"hello, world"' }, { value: '2,plain' }]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE c (id INTEGER, msg VARCHAR) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'csv', ${client});
    CREATE SOURCE r (line VARCHAR, _offset BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'raw', ${client});
    CREATE SOURCE late (line VARCHAR) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'raw', startup = 'latest', ${client});
    CREATE MATERIALIZED VIEW cv AS SELECT * FROM c;
    CREATE MATERIALIZED VIEW rv AS SELECT * FROM r;
    CREATE MATERIALIZED VIEW lv AS SELECT * FROM late;`);
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM cv ORDER BY id'), [[1, 'hello, world'], [2, 'plain']]);
  t.same(await rows(engine, 'SELECT * FROM rv ORDER BY _offset'), [['1,"hello, world"', 0n], ['2,plain', 1n]]);
  t.same(await rows(engine, 'SELECT * FROM lv'), []);
  await produce(kafka.brokers, topic, [{ value: '3,new' }]);
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM lv'), [['3,new']]);
  t.same(await rows(engine, 'SELECT count(*) FROM cv'), [[3n]]);
});

t.test('partitions added later are read from their earliest offset', { skip: kafka.mock && 'the mock cluster cannot add partitions (see offsets.test.ts)' }, async (t) => {
  const topic = uniqueTopic('grow');
  await kafka.createTopic(topic, 1);
  await produce(kafka.brokers, topic, [{ value: '{"id": 1}' }]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (id BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', ${client});
    CREATE MATERIALIZED VIEW v AS SELECT id FROM s;`);
  await engine.drain();
  const admin = testKafka(kafka.brokers).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
  await produce(kafka.brokers, topic, [{ value: '{"id": 2}', partition: 2 }, { value: '{"id": 3}', partition: 0 }]);
  await engine.drain();
  t.same(await rows(engine, 'SELECT id FROM v ORDER BY id'), [[1n], [2n], [3n]]);
});

t.test('a missing topic puts the query in retrying, naming the topic; it goes on once the topic exists', async (t) => {
  const topic = uniqueTopic('later');
  if (kafka.mock) await kafka.setHidden(topic, true);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (id BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', ${client});
    CREATE MATERIALIZED VIEW v AS SELECT id FROM s;`);
  await t.rejects(engine.drain(), { message: new RegExp(`topic "${topic}" does not exist`) });
  const status = await waitFor(async () => (await rows(engine, 'SHOW QUERIES')).find((r) => r[0] === 'v'), (r) => r?.[2] === 'retrying');
  t.equal(status?.[2], 'retrying', 'SHOW QUERIES says retrying');
  t.match(String(status?.[6]), new RegExp(`topic "${topic}" does not exist`), 'and why');
  if (kafka.mock) await kafka.setHidden(topic, false);
  else await kafka.createTopic(topic, 1);
  await produce(kafka.brokers, topic, [{ value: '{"id": 7}', partition: 0 }]);
  const result = await waitFor(() => rows(engine, 'SELECT id FROM v'), (r) => r.length > 0);
  t.same(result, [[7n]], 'the query continued by itself');
});

t.test('options are checked at CREATE SOURCE', async (t) => {
  const engine = await open(t);
  await t.rejects(engine.execute(`CREATE SOURCE s (id BIGINT) WITH (connector = 'kafka', brokers = 'x:1', topic = 't', on_error = 'dead_letter')`), {
    code: 'INVALID_PARAMETER',
    message: /dead_letter_topic/,
  });
  await t.rejects(engine.execute(`CREATE SOURCE s (a VARCHAR, b VARCHAR) WITH (connector = 'kafka', brokers = 'x:1', topic = 't', format = 'raw')`), {
    code: 'INVALID_PARAMETER',
    message: /exactly one VARCHAR or BLOB/,
  });
  await t.rejects(engine.execute(`CREATE SOURCE s (id BIGINT) WITH (connector = 'kafka', brokers = 'x:1', topic = 't', startup = 'yesterday')`), {
    code: 'INVALID_PARAMETER',
    message: /startup/,
  });
  await t.rejects(engine.execute(`CREATE SOURCE s (id BIGINT) WITH (connector = 'kafka', brokers = 'x:1', topic = 't', groupid = 'g')`), {
    code: 'INVALID_PARAMETER',
    message: /unknown option "groupid"/,
  });
});
