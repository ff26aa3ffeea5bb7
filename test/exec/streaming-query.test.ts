/** The runtime: triggers, batch bounds, progress, pause and resume, subscriptions. */
import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';
import type { ChangeBatch } from '../../src/exec/streaming-query.js';

async function open(t: Test): Promise<Engine> {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  return engine;
}

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => [...r]);
}

async function until(what: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

t.test('max_rows_per_batch splits a drain into batches, each with a progress object', async (t) => {
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (k BIGINT, v BIGINT);
    CREATE MATERIALIZED VIEW m WITH (max_rows_per_batch = 3) AS SELECT k, sum(v) AS total FROM s GROUP BY k`);
  await engine.execute('INSERT INTO s SELECT range % 2, range FROM range(10)');
  await engine.drain();
  const progress = engine.progress('m');
  t.same(progress.map((p) => p.numInputRows), [3, 3, 3, 1], 'ten rows in batches of at most three');
  t.same(progress.map((p) => p.batchId), [0, 1, 2, 3]);
  const last = progress[3]!;
  t.match(last, {
    name: 'm', numInputRows: 1, sources: [{ description: 's', numInputRows: 1, startOffset: 9, endOffset: 10 }],
    stateOperators: [{ numRowsTotal: 2 }], sink: { numOutputRows: 2 },
  });
  for (const phase of ['walCommit', 'getBatch', 'addBatch', 'commit', 'triggerExecution']) t.type(last.durationMs[phase], 'number', phase);
  t.same(await rows(engine, 'SELECT * FROM m ORDER BY k'), [[0, 20], [1, 25]]);
});

t.test("trigger = 'once' runs one batch and stops; 'available_now' runs what is there and stops", async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (v BIGINT); INSERT INTO s SELECT range FROM range(7)');
  await engine.execute(`CREATE MATERIALIZED VIEW once_mv WITH (trigger = 'once', max_rows_per_batch = 5) AS SELECT count(*) AS n FROM s`);
  await engine.execute(`CREATE MATERIALIZED VIEW now_mv WITH (trigger = 'available_now', max_rows_per_batch = 5) AS SELECT count(*) AS n FROM s`);
  await until(() => engine.queries().every((q) => q.status === 'stopped'));
  t.same(await rows(engine, 'SELECT n FROM once_mv'), [[5]], 'once: a single batch of at most five rows');
  t.same(await rows(engine, 'SELECT n FROM now_mv'), [[7]], 'available_now: everything available, in two batches');
  t.equal(engine.progress('now_mv').length, 2);
});

t.test('an interval trigger batches what arrived in each interval', async (t) => {
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (v BIGINT); CREATE MATERIALIZED VIEW m WITH (trigger = '200 ms') AS SELECT count(*) AS n FROM s`);
  await engine.execute('INSERT INTO s VALUES (1), (2)');
  await until(async () => (await rows(engine, 'SELECT n FROM m'))[0]?.[0] === 2);
  t.pass('the interval trigger picked up the rows by itself');
  await t.rejects(engine.execute(`CREATE MATERIALIZED VIEW bad WITH (trigger = 'sometimes') AS SELECT * FROM s`), {
    code: 'INVALID_PARAMETER', message: /invalid trigger "sometimes"/,
  });
});

t.test('a paused query holds its result; resume catches up', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (v BIGINT); CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM s');
  await engine.execute('INSERT INTO s VALUES (1)');
  await engine.drain();
  await engine.execute('ALTER MATERIALIZED VIEW m PAUSE');
  await engine.execute('INSERT INTO s VALUES (2), (3)');
  await engine.drain();
  t.same(await rows(engine, 'SELECT n FROM m'), [[1]], 'paused: not drained');
  t.equal(engine.queries()[0]!.status, 'paused');
  await engine.execute('ALTER MATERIALIZED VIEW m RESUME');
  await engine.drain();
  t.same(await rows(engine, 'SELECT n FROM m'), [[3]]);
});

t.test('pausing a query right after its creation returns at once, whatever its trigger interval', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (k BIGINT)');
  for (let i = 0; i < 5; i++) {
    // the pause lands while the loop's first check is under way, before it sleeps for an hour
    await engine.execute(`CREATE MATERIALIZED VIEW m${i} WITH (trigger = '1 hour') AS SELECT k FROM s`);
    const started = Date.now();
    await engine.execute(`ALTER MATERIALIZED VIEW m${i} PAUSE`);
    t.ok(Date.now() - started < 5000, `m${i} paused in ${Date.now() - started} ms`);
  }
});

t.test('a subscription gets the snapshot, then each batch of changes once', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  await engine.execute("INSERT INTO s VALUES ('a')");
  await engine.drain();
  const seen: ChangeBatch[] = [];
  let snapshot: unknown = null;
  let snapshotBatch = -1;
  const unsubscribe = await engine.subscribe('m', { snapshot: true }, {
    ready: (rows, batch) => {
      snapshot = rows;
      snapshotBatch = batch;
    },
    changes: (c) => void seen.push(c),
    end: () => undefined,
  });
  t.same(snapshot, [{ k: 'a', n: 1 }]);
  t.equal(snapshotBatch, 0);
  await engine.execute("INSERT INTO s VALUES ('a'), ('b')");
  await engine.drain();
  t.equal(seen.length, 1);
  t.equal(seen[0]!.batch, 1);
  t.same(
    [...seen[0]!.changes].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
    [{ op: 'delete', row: { k: 'a', n: 1 } }, { op: 'insert', row: { k: 'a', n: 2 } }, { op: 'insert', row: { k: 'b', n: 1 } }],
  );
  unsubscribe();
  await engine.execute("INSERT INTO s VALUES ('c')");
  await engine.drain();
  t.equal(seen.length, 1, 'no changes after unsubscribe');
});

t.test('output modes are checked when the query is created, naming the operator and the fix', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE bid (auction BIGINT, price BIGINT)');
  await t.rejects(
    engine.execute(`CREATE SINK s AS SELECT auction, count(*) AS n FROM bid GROUP BY auction WITH (connector = 'blackhole', output_mode = 'append')`),
    { code: 'INVALID_OUTPUT_MODE', message: /output_mode 'append' is not possible for "s": aggregate count\(\*\) \(GROUP BY auction\)/, hint: /'update' or 'complete'.*window/ },
  );
  await t.rejects(
    engine.execute(`CREATE SINK s AS SELECT * FROM bid WITH (connector = 'blackhole', output_mode = 'complete')`),
    { code: 'INVALID_OUTPUT_MODE', message: /complete mode/ },
  );
  await t.rejects(
    engine.execute('CREATE MATERIALIZED VIEW top AS SELECT auction, count(*) AS n FROM bid GROUP BY auction ORDER BY n DESC LIMIT 3'),
    { code: 'INVALID_OUTPUT_MODE', message: /ORDER BY \/ LIMIT .* needs output_mode = 'complete'/ },
  );
  await t.rejects(
    engine.execute(`CREATE SINK top AS SELECT * FROM bid ORDER BY price LIMIT 3 WITH (connector = 'blackhole', output_mode = 'update')`),
    { code: 'INVALID_OUTPUT_MODE' },
  );
  const [ok] = await engine.execute(
    `CREATE SINK top AS SELECT auction, count(*) AS n FROM bid GROUP BY auction ORDER BY n DESC LIMIT 3 WITH (connector = 'blackhole', output_mode = 'complete')`,
  );
  t.equal(ok!.tag, 'CREATE SINK', 'complete mode allows ORDER BY / LIMIT on an aggregate');
  await t.rejects(engine.execute('CREATE MATERIALIZED VIEW x AS SELECT sum(auction || \'x\') FROM bid'), { code: 'UNDEFINED_FUNCTION', message: /sum/ });
});

t.test('EXPLAIN shows operators, their state tables and the allowed output modes', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE bid (auction BIGINT, price BIGINT)');
  const lines = (await rows(engine, 'EXPLAIN CREATE MATERIALIZED VIEW m AS SELECT auction, count(DISTINCT price) AS n FROM bid WHERE price > 10 GROUP BY auction')).map((r) => r[0]).join('\n');
  t.match(lines, /Aggregate keys=\[auction\] aggs=\[count\(DISTINCT "price"\)\] -> retracting/);
  t.match(lines, /state: op\d+_groups/);
  t.match(lines, /state: op\d+_values0/);
  t.match(lines, /Map filter=\[.*price.* > 10\]/);
  t.match(lines, /output modes allowed: update, complete, changelog/);
});

t.test('a comma join with its condition in WHERE is planned as a join on that condition, not a cross product', async (t) => {
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE a (k BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
    CREATE SOURCE b (k BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)`);
  const plan = (await rows(engine, `EXPLAIN CREATE MATERIALIZED VIEW j AS SELECT a.k, b.ts FROM a, b WHERE a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '6' SECOND`))
    .map((r) => r[0]).join('\n');
  t.match(plan, /StreamJoin inner on=\[.*"k" = "k_1".*\] time bound: ts_1 - ts in \[0s, 6s\]/);
  t.notMatch(plan, /cross/);
});

t.test('a stream-stream join without a time bound warns on CREATE and in EXPLAIN that its state grows without bound', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE a (k BIGINT); CREATE SOURCE b (k BIGINT)');
  const [created] = await engine.execute('CREATE MATERIALIZED VIEW j AS SELECT a.k FROM a JOIN b ON a.k = b.k');
  t.match(created!.notices, [/"j": .*state grows without bound/]);
  const plan = (await rows(engine, 'EXPLAIN CREATE MATERIALIZED VIEW j2 AS SELECT a.k FROM a JOIN b ON a.k = b.k')).map((r) => r[0]).join('\n');
  t.match(plan, /WARNING: .*state grows without bound/);
});
