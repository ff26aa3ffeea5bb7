/** Watermarks: computed after a batch and used from the next; late rows dropped, counted, kept. */
import t from 'tap';
import { Engine } from '../../src/engine/index.js';

t.test('late rows are dropped before state, counted in progress, and kept with late_rows = keep', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE clicks (user_id BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
    CREATE MATERIALIZED VIEW per_user WITH (late_rows = 'keep') AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id`);
  await engine.execute(`INSERT INTO clicks VALUES (1, TIMESTAMP '2024-01-01 00:00:10'), (1, TIMESTAMP '2024-01-01 00:00:20')`);
  await engine.drain();
  // The watermark is now 00:00:15: a row at 00:00:12 is late, one at 00:00:16 is not.
  await engine.execute(`INSERT INTO clicks VALUES (1, TIMESTAMP '2024-01-01 00:00:12'), (2, TIMESTAMP '2024-01-01 00:00:16')`);
  await engine.drain();
  const [rows] = await engine.execute('SELECT * FROM per_user ORDER BY user_id');
  t.same(rows!.rows, [[1, 2], [2, 1]], 'the late row did not count');
  const progress = engine.progress('per_user');
  t.match(progress[1], {
    eventTime: { watermark: '2024-01-01T00:00:15.000Z', min: '2024-01-01T00:00:12.000Z', max: '2024-01-01T00:00:16.000Z' },
    sources: [{ numLateRows: 1, numInputRows: 2 }],
    stateOperators: [{ numRowsDroppedByWatermark: 1 }],
  });
  t.match(progress[0], { eventTime: { min: '2024-01-01T00:00:10.000Z', max: '2024-01-01T00:00:20.000Z' } });
  t.notOk('watermark' in progress[0]!.eventTime, 'no watermark before the first batch');
  const [late] = await engine.execute('SELECT query, source, batch, watermark, "row" FROM eddy_late_rows');
  t.same(late!.rows, [['per_user', 'clicks', 1, '2024-01-01 00:00:15', '{"user_id":1,"ts":"2024-01-01 00:00:12"}']]);
});

t.test('the watermark survives a restart and never goes back', async (t) => {
  const dataDir = t.testdir();
  let engine = await Engine.open({ dataDir });
  await engine.execute(`CREATE SOURCE s (ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
    CREATE MATERIALIZED VIEW c AS SELECT count(*) AS n FROM s`);
  await engine.execute(`INSERT INTO s VALUES (TIMESTAMP '2024-01-01 00:01:00')`);
  await engine.drain();
  await engine.close();
  engine = await Engine.open({ dataDir });
  t.teardown(() => engine.close());
  await engine.execute(`INSERT INTO s VALUES (TIMESTAMP '2024-01-01 00:00:30'), (TIMESTAMP '2024-01-01 00:01:30')`);
  await engine.drain();
  const [rows] = await engine.execute('SELECT n FROM c');
  t.same(rows!.rows, [[2]], 'the row at 00:00:30 is late after the restart too');
  t.match(engine.progress('c')[0], { eventTime: { watermark: '2024-01-01T00:00:59.000Z' }, sources: [{ numLateRows: 1 }] });
});

t.test('a watermark that moves closes windows in a batch without new data', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE clicks (u BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
    CREATE MATERIALIZED VIEW w WITH (output_mode = 'append') AS
      SELECT u, window_start, window_end, count(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '10' SECOND) GROUP BY u, window_start, window_end`);
  await engine.execute(`INSERT INTO clicks VALUES (1, TIMESTAMP '2024-01-01 00:00:01'), (1, TIMESTAMP '2024-01-01 00:00:05'), (2, TIMESTAMP '2024-01-01 00:00:15')`);
  await engine.drain();
  const [first] = await engine.execute('SELECT * FROM w ORDER BY ALL');
  t.same(first!.rows, [[1, '2024-01-01 00:00:00', '2024-01-01 00:00:10', 2]], 'watermark 00:00:13 closes the first window in an empty batch');
  await engine.execute(`INSERT INTO clicks VALUES (1, TIMESTAMP '2024-01-01 00:00:25')`);
  await engine.drain();
  const [second] = await engine.execute('SELECT * FROM w ORDER BY ALL');
  t.same(second!.rows.length, 2, 'watermark 00:00:23 closes the second');
  t.same(engine.progress('w').map((p) => p.numInputRows), [3, 0, 1, 0], 'each data batch is followed by one empty batch');
});

t.test('a source watermark is the largest value of its expression, in any of its written forms', async (t) => {
  const { Database } = await import('../../src/duck/index.js');
  const { WatermarkTracker } = await import('../../src/exec/watermark.js');
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  t.teardown(() => {
    conn.close();
    db.close();
  });
  await conn.run(`CREATE TABLE batch AS SELECT * FROM (VALUES (TIMESTAMP '2024-01-01 00:00:10', 3), (TIMESTAMP '2024-01-01 00:00:20', 30), (NULL, 1)) AS r("Event Ts", lag)`);
  const at = (s: string): number => Date.parse(`2024-01-01T00:00:${s}Z`) * 1000;
  const cases: [string, number][] = [
    [`"Event Ts" - INTERVAL '5' SECOND`, at('15')],
    [`"Event Ts"-interval '5 seconds'`, at('15')],
    [`"Event Ts"`, at('20')],
    // not of the shape col - INTERVAL: computed row by row (the largest is not at the largest time)
    [`"Event Ts" - INTERVAL (lag) SECOND`, at('07')],
  ];
  for (const [expr, expected] of cases) {
    const source = { kind: 'source', name: 's', sql: '', columns: [], connector: 'push', options: {}, watermark: { column: 'Event Ts', expr } } as const;
    const tracker = new WatermarkTracker(new Map([['s', source]]));
    const seen = await tracker.observe(conn, 's', 'batch', at('12'));
    t.equal(tracker.advance(), expected, expr);
    t.same(seen, { min: at('10'), max: at('20'), late: 1 }, `${expr}: the event-time range, and one row below the batch's watermark`);
  }
});

t.test('a row at the watermark is on time and one a microsecond below is late, for TIMESTAMP and TIMESTAMPTZ event times', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  for (const type of ['TIMESTAMP', 'TIMESTAMPTZ']) {
    const s = `s_${type.toLowerCase()}`;
    await engine.execute(`CREATE SOURCE ${s} (k BIGINT, ts ${type}, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
      CREATE MATERIALIZED VIEW c_${s} AS SELECT k, count(*) AS n FROM ${s} GROUP BY k`);
    await engine.execute(`INSERT INTO ${s} VALUES (0, '2024-01-01 00:00:20+00')`);
    await engine.drain();
    // the watermark is now 00:00:15 (UTC)
    await engine.execute(`INSERT INTO ${s} VALUES (1, '2024-01-01 00:00:15+00'), (2, '2024-01-01 00:00:14.999999+00'), (3, NULL)`);
    await engine.drain();
    const [rows] = await engine.execute(`SELECT k, n FROM c_${s} ORDER BY k`);
    t.same(rows!.rows, [[0, 1], [1, 1], [3, 1]], `${type}: the row 1 µs below the watermark is dropped; at it, and without event time, kept`);
    t.match(engine.progress(`c_${s}`)[1], { sources: [{ numLateRows: 1, numInputRows: 3 }] }, `${type}: one late row counted`);
  }
});

t.test('closed windows are emitted and evicted from state alike for TIMESTAMP and TIMESTAMPTZ event times', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  for (const type of ['TIMESTAMP', 'TIMESTAMPTZ']) {
    const s = `w_${type.toLowerCase()}`;
    await engine.execute(`CREATE SOURCE ${s} (u BIGINT, ts ${type}, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
      CREATE MATERIALIZED VIEW c_${s} WITH (output_mode = 'append') AS
        SELECT u, window_start, count(*) AS n FROM TUMBLE(${s}, ts, INTERVAL '10' SECOND) GROUP BY u, window_start`);
    await engine.execute(`INSERT INTO ${s} VALUES (1, '2024-01-01 00:00:01+00'), (2, '2024-01-01 00:00:09.999999+00'), (1, '2024-01-01 00:00:11+00')`);
    await engine.drain();
    // watermark 00:00:09: nothing closed; then 00:00:10 closes [00:00:00, 00:00:10) exactly
    await engine.execute(`INSERT INTO ${s} VALUES (3, '2024-01-01 00:00:12+00')`);
    await engine.drain();
    const [rows] = await engine.execute(`SELECT u, n FROM c_${s} ORDER BY u`);
    t.same(rows!.rows, [[1, 1], [2, 1]], `${type}: the first window is emitted once the watermark reaches its end`);
    const state = engine.progress(`c_${s}`).at(-1)!.stateOperators.reduce((n, op) => n + op.numRowsTotal, 0);
    t.equal(state, 2, `${type}: its groups left the state; the open window's two remain`);
  }
});

t.test('a time-bounded join over sources declared TIMESTAMPTZ is bounded, its state evicted, its answer whole', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE a (k BIGINT, ts TIMESTAMPTZ, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND);
    CREATE SOURCE b (k BIGINT, ts timestamptz, WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)`);
  const join = `SELECT a.k, epoch(b.ts) - epoch(a.ts) AS d FROM a JOIN b ON a.k = b.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '5' SECOND`;
  const [plan] = await engine.execute(`EXPLAIN CREATE MATERIALIZED VIEW j AS ${join}`);
  t.match(plan!.rows.map((r) => r[0]).join('\n'), /time bound: ts_1 - ts in \[0s, 5s\]/, 'the binder reads TIMESTAMPTZ, however spelled, as event time');
  await engine.execute(`CREATE MATERIALIZED VIEW j AS ${join}`);
  await engine.execute(`INSERT INTO a VALUES (1, '2024-01-01 00:00:00+00'), (2, '2024-01-01 00:00:10+00')`);
  await engine.execute(`INSERT INTO b VALUES (1, '2024-01-01 00:00:05+00'), (2, '2024-01-01 00:00:16+00'), (1, '2024-01-01 00:00:30+00')`);
  await engine.drain();
  await engine.execute(`INSERT INTO a VALUES (3, '2024-01-01 00:00:40+00')`);
  await engine.execute(`INSERT INTO b VALUES (3, '2024-01-01 00:00:41+00')`);
  await engine.drain();
  const [rows] = await engine.execute('SELECT k, d FROM j ORDER BY k');
  t.same(rows!.rows, [[1, 5], [3, 1]], 'the pair 5 s apart meets; the pairs 6 s and 30 s apart do not');
  const joinState = engine.progress('j').at(-1)!.stateOperators.find((op) => op.operatorName.includes('join'))!;
  t.ok(joinState.numRowsTotal <= 2, `rows below the watermark left the join's state (${joinState.numRowsTotal} left)`);
});
