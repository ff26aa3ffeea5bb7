/**
 * Kafka's keyed formats on the mock cluster: upsert-json (a key's latest value, tombstones delete)
 * and debezium-json (Debezium's change records), read as changelogs by materialized views.
 */
import { FAST_RETRY } from '../../support/kafka/fast-retry.js';
import t, { type Test } from 'tap';
import { Engine } from '../../../src/engine/index.js';
import { produce } from '../../support/kafka/clients.js';
import { startTestKafka, uniqueTopic, type TestKafka } from '../../support/kafka/mock-cluster.js';

const kafka: TestKafka = await startTestKafka();
t.teardown(() => kafka.close());

async function open(t: Test): Promise<Engine> {
  const engine = await Engine.open({ dataDir: t.testdir(), tuning: FAST_RETRY });
  t.teardown(() => engine.close());
  return engine;
}

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

const client = 'retries = 1, connection_timeout_ms = 1000';

t.test('upsert-json: the latest value per key; a tombstone deletes; a key missing from the value comes from the message key', async (t) => {
  const topic = uniqueTopic('users');
  await kafka.createTopic(topic, 2);
  await produce(kafka.brokers, topic, [
    { key: '{"id": 1}', value: '{"id": 1, "country": "fr", "score": 10}', partition: 0 },
    { key: '{"id": 2}', value: '{"id": 2, "country": "no", "score": 20}', partition: 1 },
    { key: '{"id": 1}', value: '{"id": 1, "country": "it", "score": 11}', partition: 0 },
    { key: '3', value: '{"country": "fr", "score": 30}', partition: 1 },
  ]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE users (id BIGINT PRIMARY KEY, country VARCHAR, score INTEGER)
      WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'upsert-json', ${client});
    CREATE MATERIALIZED VIEW by_country WITH (max_rows_per_batch = 1) AS SELECT country, count(*) AS n, sum(score) AS s FROM users GROUP BY country;
    CREATE MATERIALIZED VIEW current AS SELECT * FROM users`);
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM by_country ORDER BY country'), [['fr', 1, 30], ['it', 1, 11], ['no', 1, 20]]);
  await produce(kafka.brokers, topic, [
    { key: '{"id": 2}', value: null, partition: 1 },
    { key: '{"id": 3}', value: '{"id": 3, "country": "it", "score": 31}', partition: 1 },
    { key: '{"id": 9}', value: null, partition: 0 },
  ]);
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM by_country ORDER BY country'), [['it', 2, 42]], 'a tombstone of a key never seen deletes nothing');
  t.same(await rows(engine, 'SELECT * FROM current ORDER BY id'), [[1, 'it', 11], [3, 'it', 31]]);
});

t.test('upsert-json: a message that cannot be read is counted and located, or fails the query', async (t) => {
  const topic = uniqueTopic('bad-upserts');
  await kafka.createTopic(topic, 1);
  await produce(kafka.brokers, topic, [
    { key: '{"id": 1}', value: '{"id": 1, "v": 5}' },
    { key: null, value: null },
    { key: '{"id": 2}', value: '{"id": 2, "v": "five"}' },
  ]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (id BIGINT PRIMARY KEY, v INTEGER)
      WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'upsert-json', on_error = 'skip', ${client});
    CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n, sum(v) AS s FROM s`);
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM m'), [[1, 5]]);
  const [progress] = await engine.execute('SHOW PROGRESS m');
  t.match(String(progress!.rows[0]![1]), /"numBadRows":2/, 'the tombstone without a key and the value that does not cast');
  await engine.execute(`CREATE SOURCE strict (id BIGINT PRIMARY KEY, v INTEGER)
    WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'upsert-json', on_error = 'fail', ${client});
    CREATE MATERIALIZED VIEW m2 AS SELECT count(*) AS n FROM strict`);
  await t.rejects(engine.drain(), /offset 1: a tombstone needs a key that names the row to delete/);
});

t.test('debezium-json: creates, snapshot reads, updates and deletes, bare and inside "payload"; tombstones skipped', async (t) => {
  const topic = uniqueTopic('dbz');
  await kafka.createTopic(topic, 1);
  const change = (op: string, before: object | null, after: object | null, wrap = false) => {
    const payload = { before, after, op, ts_ms: 1700000000000, source: { table: 'orders' } };
    return JSON.stringify(wrap ? { schema: {}, payload } : payload);
  };
  await produce(kafka.brokers, topic, [
    { key: '{"id": 1}', value: change('r', null, { id: 1, amount: 10, created: 1700000000000000, day: 19675 }) },
    { key: '{"id": 2}', value: change('c', null, { id: 2, amount: 20, created: 1700000000000000, day: 19675 }, true) },
    { key: '{"id": 1}', value: change('u', { id: 1, amount: 10 }, { id: 1, amount: 15, created: '2024-01-01 00:00:00', day: '2024-01-01' }) },
    { key: '{"id": 2}', value: change('d', { id: 2 }, null) },
    { key: '{"id": 2}', value: null },
  ]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE orders (id BIGINT PRIMARY KEY, amount INTEGER, created TIMESTAMP, day DATE)
      WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'debezium-json', ${client});
    CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(amount) AS s FROM orders;
    CREATE MATERIALIZED VIEW rows_now AS SELECT id, amount, created, day FROM orders`);
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM totals'), [[1, 15]]);
  t.same(await rows(engine, 'SELECT id, amount, CAST(created AS VARCHAR), CAST(day AS VARCHAR) FROM rows_now'), [[1, 15, '2024-01-01 00:00:00', '2024-01-01']]);
  await produce(kafka.brokers, topic, [{ key: '{"id": 3}', value: change('c', null, { id: 3, amount: 7, created: 1700000000000000, day: 19675 }) }]);
  await engine.drain();
  t.same(await rows(engine, 'SELECT id, CAST(created AS VARCHAR), CAST(day AS VARCHAR) FROM rows_now WHERE id = 3'), [[3, '2023-11-14 22:13:20', '2023-11-14']], 'Debezium encodings decoded');
});

t.test('debezium-json: an unknown op or a delete without before is a located bad row', async (t) => {
  const topic = uniqueTopic('dbz-bad');
  await kafka.createTopic(topic, 1);
  await produce(kafka.brokers, topic, [
    { value: '{"op": "x", "after": {"id": 1}}' },
    { value: '{"op": "d", "before": null}' },
  ]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (id BIGINT PRIMARY KEY)
    WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${topic}', format = 'debezium-json', on_error = 'fail', ${client});
    CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM s`);
  await t.rejects(engine.drain(), /offset 0: unknown Debezium op "x"/);
});

t.test('a keyed format needs a PRIMARY KEY, and a PRIMARY KEY needs a keyed format', async (t) => {
  const engine = await open(t);
  await t.rejects(engine.execute(`CREATE SOURCE a (id BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = 'x', format = 'upsert-json')`), { message: /needs a PRIMARY KEY/ });
  await t.rejects(engine.execute(`CREATE SOURCE b (id BIGINT PRIMARY KEY) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = 'x', format = 'json')`), { message: /upsert stream/ });
});
