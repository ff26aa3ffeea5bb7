/**
 * A view over two views of one upstream (a diamond) reads them as of the same upstream batch, batch
 * after batch, however differently the two sides batch their input: it never combines one side's
 * newer result with the other's older one.
 */
import t from 'tap';
import { openTempEngine } from '../support/temp-engine.js';
import { recorder } from '../support/change-recorder.js';

t.test('every batch of a diamond combines both sides as of one upstream batch', async (t) => {
  const engine = await openTempEngine(t, 'diamond-epochs');
  await engine.execute(`CREATE SOURCE s (k INT);
    CREATE MATERIALIZED VIEW base AS SELECT k % 5 AS g, count(*) AS n FROM s GROUP BY 1;
    CREATE MATERIALIZED VIEW l WITH (max_rows_per_batch = 1) AS SELECT g, sum(n) AS n FROM base GROUP BY g;
    CREATE MATERIALIZED VIEW r WITH (max_rows_per_batch = 3) AS SELECT g, max(n) AS n FROM base GROUP BY g;
    CREATE MATERIALIZED VIEW both_sides AS
      SELECT sum(CASE WHEN l.n <> r.n THEN 1 ELSE 0 END) AS mismatched, sum(l.n) AS total FROM l JOIN r ON l.g = r.g`);
  const seen = recorder();
  const unsubscribe = await engine.subscribe('both_sides', { snapshot: false }, seen);
  t.teardown(unsubscribe);
  for (let i = 0; i < 40; i++) {
    await engine.execute(`INSERT INTO s VALUES (${i})`);
    if (i % 7 === 0) await new Promise((r) => setTimeout(r, 15));
  }
  await engine.execute('FLUSH');
  const results: Record<string, unknown>[] = seen.batches.flatMap((b) => b.changes.filter((c) => c.op === 'insert').map((c) => ({ batch: b.batch, ...c.row })));
  t.ok(results.length >= 3, `the diamond ran ${results.length} batches with changes`);
  t.same(results.filter((r) => Number(r.mismatched) !== 0), [], 'no batch combined the sides as of different upstream batches');
  const last = await engine.execute('SELECT mismatched, total FROM both_sides');
  t.same(last[0]!.rows.map((row) => row.map(Number)), [[0, 40]], 'and it ends with every row');
});
