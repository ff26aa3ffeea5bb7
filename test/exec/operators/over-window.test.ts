import t from 'tap';
import { openTempEngine } from '../../support/temp-engine.js';

t.test('a window function partitioned by a window evicts the partitions the watermark closed, and keeps their rows in the result', async (t) => {
  const engine = await openTempEngine(t, 'over-window');
  await engine.execute(`CREATE SOURCE s (k INTEGER, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
CREATE MATERIALIZED VIEW m AS SELECT k, window_start, n, sum(n) OVER (PARTITION BY window_start) AS total
  FROM (SELECT k, window_start, count(*) AS n FROM TUMBLE(s, ts, INTERVAL '10' SECOND) GROUP BY k, window_start)`);
  const overRows = (): number => engine.progress('m').at(-1)!.stateOperators.find((op) => op.operatorName.endsWith('over_window'))!.numRowsTotal;

  await engine.execute(`INSERT INTO s VALUES (1, TIMESTAMP '2024-01-01 00:00:01'), (2, TIMESTAMP '2024-01-01 00:00:02'), (2, TIMESTAMP '2024-01-01 00:00:03')`);
  await engine.drain();
  t.equal(overRows(), 2, 'the open window: one row per key');
  // An event at 00:00:31 moves the watermark to 00:00:30, past the first window's end; the next
  // batch runs with it and evicts that window.
  await engine.execute(`INSERT INTO s VALUES (3, TIMESTAMP '2024-01-01 00:00:31')`);
  await engine.drain();
  await engine.execute(`INSERT INTO s VALUES (3, TIMESTAMP '2024-01-01 00:00:32')`);
  await engine.drain();
  t.equal(overRows(), 1, 'only the window of 00:00:30 is kept');
  const [result] = await engine.execute('SELECT k, n, total FROM m ORDER BY window_start, k');
  t.same(result!.rows, [[1, 1, 3], [2, 2, 3], [3, 2, 2]], 'the closed window stays in the result');
});
