import { FAST_RETRY } from '../../support/kafka/fast-retry.js';
import { readdirSync, rmSync } from 'node:fs';
import t, { type Test } from 'tap';
import { queryDir } from '../../../src/checkpoint/query-dir.js';
import { Engine } from '../../../src/engine/index.js';
import { produce, readTopic } from '../../support/kafka/clients.js';
import { startTestKafka, uniqueTopic, type TestKafka } from '../../support/kafka/mock-cluster.js';

const kafka: TestKafka = await startTestKafka();
t.teardown(() => kafka.close());

const client = 'retries = 1, connection_timeout_ms = 1000';

async function open(t: Test, dataDir = t.testdir()): Promise<Engine> {
  const engine = await Engine.open({ dataDir, tuning: FAST_RETRY });
  t.teardown(() => engine.close());
  return engine;
}

async function topics(partitionsIn: number, partitionsOut: number): Promise<{ input: string; output: string }> {
  const input = uniqueTopic('in');
  const output = uniqueTopic('out');
  await kafka.createTopic(input, partitionsIn);
  await kafka.createTopic(output, partitionsOut);
  return { input, output };
}

const bids = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ value: JSON.stringify({ auction: (from + i) % 3, price: from + i }), partition: i % 2 }));

t.test('Kafka to Kafka: append, each record once with eddy headers', async (t) => {
  const { input, output } = await topics(2, 2);
  await produce(kafka.brokers, input, bids(0, 20));
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE bids (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}', ${client});
    CREATE SINK doubled AS SELECT auction, price * 2 AS price2 FROM bids
    WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${output}', ${client});`);
  await engine.drain();
  const out = await readTopic(kafka.brokers, output);
  t.equal(out.length, 20);
  t.same(out.map((m) => (JSON.parse(m.value!) as { price2: number }).price2).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i * 2));
  t.ok(out.every((m) => m.headers['eddy.query'] && m.headers['eddy.batch'] !== undefined && m.headers['eddy.seq'] !== undefined), 'headers on every record');
});

t.test('update mode: keyed upserts and tombstones for deleted keys', async (t) => {
  const { input, output } = await topics(1, 2);
  await produce(kafka.brokers, input, [
    { value: '{"auction": 1, "price": 10}' },
    { value: '{"auction": 2, "price": 20}' },
  ]);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE bids (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}', ${client});
    CREATE MATERIALIZED VIEW counts AS SELECT auction, count(*) AS n FROM bids GROUP BY auction;
    CREATE SINK top AS SELECT auction, n FROM counts WHERE n < 2 WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${output}', key = 'auction', output_mode = 'update', ${client});`);
  await engine.drain();
  // auction 1 gets a second bid: it leaves the filter (a delete -> tombstone); auction 2 stays
  await produce(kafka.brokers, input, [{ value: '{"auction": 1, "price": 11}' }]);
  await engine.drain();
  const out = await readTopic(kafka.brokers, output);
  const byKey = new Map<string, (string | null)[]>();
  for (const m of out) byKey.set(m.key!, [...(byKey.get(m.key!) ?? []), m.value]);
  t.same(byKey.get('1'), ['{"auction":1,"n":1}', null], 'auction 1: its row, then a tombstone');
  t.same(byKey.get('2'), ['{"auction":2,"n":1}']);
});

t.test('crash after delivery, before commits/N: the redelivered batch is not written twice', async (t) => {
  const { input, output } = await topics(2, 3);
  await produce(kafka.brokers, input, bids(0, 30));
  const dataDir = t.testdir();
  const first = await Engine.open({ dataDir, tuning: FAST_RETRY });
  await first.execute(`CREATE SOURCE bids (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}', ${client});
    CREATE SINK copy AS SELECT auction, price FROM bids WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${output}', max_rows_per_batch = 10, ${client});`);
  await first.drain();
  await first.close();
  t.equal((await readTopic(kafka.brokers, output)).length, 30);

  // the sink wrote the last batches but the process died before recording that it had
  const commits = `${queryDir(dataDir, 'copy')}/commits`;
  const last = readdirSync(commits).sort((a, b) => parseInt(a) - parseInt(b)).at(-1)!;
  rmSync(`${commits}/${last}`);
  const second = await open(t, dataDir);
  await produce(kafka.brokers, input, bids(30, 35));
  await second.drain();
  const out = await readTopic(kafka.brokers, output);
  const prices = out.map((m) => (JSON.parse(m.value!) as { price: number }).price).sort((a, b) => a - b);
  t.same(prices, Array.from({ length: 35 }, (_, i) => i), 'every input row exactly once');
});

t.test('poison messages: skipped and counted, sent to a dead-letter topic, or failing the query', async (t) => {
  const { input, output } = await topics(1, 1);
  const dlq = uniqueTopic('dlq');
  await kafka.createTopic(dlq, 1);
  await produce(kafka.brokers, input, [
    { value: '{"auction": 1, "price": 10}' },
    { value: 'not json', key: 'k1' },
    { value: '{"auction": "one", "price": 10}' },
    { value: '{"auction": 2, "price": 20}' },
  ]);
  const engine = await open(t);
  await engine.execute(`
    CREATE SOURCE skipping (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}', ${client});
    CREATE SOURCE lettering (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}',
      on_error = 'dead_letter', dead_letter_topic = '${dlq}', ${client});
    CREATE MATERIALIZED VIEW a AS SELECT * FROM skipping;
    CREATE SINK b AS SELECT * FROM lettering WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${output}', ${client});`);
  await engine.drain();
  const [a] = await engine.execute('SELECT auction FROM a ORDER BY auction');
  t.same(a!.rows.map((r) => r[0]), [1n, 2n], 'good rows kept');
  t.equal((await readTopic(kafka.brokers, output)).length, 2);
  const letters = await readTopic(kafka.brokers, dlq);
  t.equal(letters.length, 2, 'both bad messages in the dead-letter topic');
  t.equal(letters[0]!.value, 'not json');
  t.equal(letters[0]!.key, 'k1');
  t.equal(letters[0]!.headers['eddy.offset'], '1');
  t.match(letters[0]!.headers['eddy.error'], new RegExp(`topic "${input}" partition 0 offset 1: malformed JSON`));
  t.equal(letters[1]!.headers['eddy.column'], 'auction');
  const [queries] = await engine.execute('SHOW QUERIES');
  t.ok(queries!.rows.length >= 2);

  await engine.execute(`CREATE SOURCE strict (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}', on_error = 'fail', ${client});
    CREATE MATERIALIZED VIEW c AS SELECT * FROM strict;`);
  await t.rejects(engine.drain(), {
    message: new RegExp(`source "strict": topic "${input}" partition 0 offset 1: malformed JSON \\(and 1 more bad row\\)`),
  });
});

t.test('a broker outage in the middle: the query retries and continues without loss or duplicates', { skip: !kafka.mock && 'needs the mock cluster' }, async (t) => {
  const { input, output } = await topics(2, 2);
  await produce(kafka.brokers, input, bids(0, 10));
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE bids (auction BIGINT, price BIGINT) WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${input}', ${client});
    CREATE SINK copy AS SELECT auction, price FROM bids WITH (connector = 'kafka', brokers = '${kafka.brokers}', topic = '${output}', ${client});`);
  await engine.drain();
  await kafka.setDown(true);
  t.teardown(() => kafka.setDown(false));
  const status = async () => (await engine.execute('SHOW QUERIES'))[0]!.rows.find((r) => r[0] === 'copy')?.[2];
  const deadline = Date.now() + 10_000;
  while ((await status()) !== 'retrying' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.equal(await status(), 'retrying', 'SHOW QUERIES shows the outage');
  await kafka.setDown(false);
  await produce(kafka.brokers, input, bids(10, 20));
  let out = await readTopic(kafka.brokers, output);
  while (out.length < 20 && Date.now() < deadline + 10_000) {
    await new Promise((r) => setTimeout(r, 100));
    out = await readTopic(kafka.brokers, output);
  }
  t.equal(await status(), 'running');
  t.same(out.map((m) => (JSON.parse(m.value!) as { price: number }).price).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
});
