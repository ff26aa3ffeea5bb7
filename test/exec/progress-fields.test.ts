/**
 * Progress fields measured, not constant: rows of state written and removed per stateful operator,
 * late rows counted at the operator that loses them, and the rate rows arrived at apart from the
 * rate a batch worked them at.
 */
import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';

async function open(t: Test): Promise<Engine> {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  return engine;
}

t.test('numRowsUpdated counts the groups a batch wrote, numRowsRemoved the ones the watermark evicted', async (t) => {
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE clicks (u BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
    CREATE MATERIALIZED VIEW w WITH (output_mode = 'append') AS
      SELECT u, window_start, count(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '10' SECOND) GROUP BY u, window_start`);
  // three groups: (1, 00:00), (2, 00:00), (2, 00:10)
  await engine.execute(`INSERT INTO clicks VALUES (1, TIMESTAMP '2024-01-01 00:00:01'), (1, TIMESTAMP '2024-01-01 00:00:05'),
    (2, TIMESTAMP '2024-01-01 00:00:06'), (2, TIMESTAMP '2024-01-01 00:00:15')`);
  await engine.drain();
  // one row into an existing group, one into a new one
  await engine.execute(`INSERT INTO clicks VALUES (2, TIMESTAMP '2024-01-01 00:00:16'), (3, TIMESTAMP '2024-01-01 00:00:17')`);
  await engine.drain();
  const progress = engine.progress('w');
  const groups = progress.map((p) => p.stateOperators[0]!);
  t.same(progress.map((p) => p.numInputRows), [4, 0, 2, 0], 'data, the empty batch the watermark (00:00:13) runs, data, and another as it moves to 00:00:15');
  t.match(groups[0], { numRowsTotal: 3, numRowsUpdated: 3, numRowsRemoved: 0 }, 'three new groups');
  t.match(groups[1], { numRowsTotal: 1, numRowsUpdated: 0, numRowsRemoved: 2 }, 'the window of 00:00 closed: its two groups evicted');
  t.match(groups[2], { numRowsTotal: 2, numRowsUpdated: 2, numRowsRemoved: 0 }, 'one group rewritten, one inserted');
  t.match(groups[3], { numRowsTotal: 2, numRowsUpdated: 0, numRowsRemoved: 0 }, 'nothing closes below 00:00:20');
});

t.test('late rows are counted at the operator that reads their source, not at every stateful operator', async (t) => {
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE s (k BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
    CREATE MATERIALIZED VIEW hist AS
      SELECT n, count(*) AS keys FROM (SELECT k, count(*) AS n FROM s GROUP BY k) AS per_key GROUP BY n`);
  await engine.execute(`INSERT INTO s VALUES (1, TIMESTAMP '2024-01-01 00:00:20')`);
  await engine.drain();
  // watermark 00:00:15: the row at 00:00:10 is late
  await engine.execute(`INSERT INTO s VALUES (1, TIMESTAMP '2024-01-01 00:00:10'), (2, TIMESTAMP '2024-01-01 00:00:30')`);
  await engine.drain();
  const last = engine.progress('hist').at(-1)!;
  t.equal(last.sources[0]!.numLateRows, 1, 'the source saw one late row');
  t.same(last.stateOperators.map((op) => op.numRowsDroppedByWatermark), [1, 0], 'the inner aggregate lost it; the outer one reads the inner one\'s output, which lost nothing');
  t.same((await engine.execute('SELECT n, keys FROM hist ORDER BY n'))[0]!.rows, [[1, 2]]);
});

t.test('inputRowsPerSecond is over the time since the last batch; processedRowsPerSecond over the batch itself', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (k BIGINT); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  await engine.execute('INSERT INTO s VALUES (1), (2)');
  await engine.drain();
  await new Promise((r) => setTimeout(r, 500));
  await engine.execute('INSERT INTO s SELECT range FROM range(10)');
  await engine.drain();
  const [first, second] = engine.progress('m');
  t.equal(second!.numInputRows, 10);
  const sinceFirst = Date.parse(second!.timestamp) - Date.parse(first!.timestamp);
  t.ok(sinceFirst >= 500, `the batches started ${sinceFirst} ms apart`);
  t.equal(second!.inputRowsPerSecond, 10 / (sinceFirst / 1000), 'ten rows over the time since the first batch started');
  t.equal(second!.processedRowsPerSecond, 10 / (Math.max(1, second!.durationMs.triggerExecution!) / 1000), 'ten rows over the batch\'s own duration');
  t.equal(first!.inputRowsPerSecond, first!.processedRowsPerSecond, 'the first batch since start has no earlier one: its own duration');
});
