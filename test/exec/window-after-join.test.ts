/**
 * A window over a stream join's output: a new row can match a stored row whose time is up to the
 * join's bound below the watermark, so the window must stay open that much longer (planner.ts
 * joinedTimes), or a late match would open a window already emitted a second time.
 */
import t from 'tap';
import { openTempEngine } from '../support/temp-engine.js';

const ts = (s: number): string => `TIMESTAMP '2024-01-01 00:00:${String(s).padStart(2, '0')}'`;

t.test('a TUMBLE window over a time-bounded join is emitted once, after its end plus the bound, with every match', async (t) => {
  const engine = await openTempEngine(t, 'window-after-join');
  await engine.execute(`CREATE SOURCE auction (k BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts);
CREATE SOURCE bid (k BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts);
CREATE MATERIALIZED VIEW w WITH (output_mode = 'append') AS
  SELECT window_start, window_end, count(*) AS n FROM TUMBLE(
    (SELECT a.ts AS ts FROM auction AS a JOIN bid AS b ON b.k = a.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '6' SECOND),
    ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end`);
  const rows = async (): Promise<readonly (readonly unknown[])[]> => (await engine.execute('SELECT window_start, n FROM w ORDER BY ALL'))[0]!.rows;
  const step = async (sql: string): Promise<void> => {
    await engine.execute(sql);
    await engine.drain();
  };
  // the watermark reaches 00:00:21; the auction of 00:00:18 is stored, its window [10 s, 20 s) has ended
  await step(`INSERT INTO auction VALUES (1, ${ts(18)}), (9, ${ts(21)}); INSERT INTO bid VALUES (9, ${ts(21)})`);
  await step(`INSERT INTO bid VALUES (1, ${ts(22)})`);
  t.same(await rows(), [], 'a bid of 00:00:22 matches the auction of 00:00:18: its window is not final before 00:00:26');
  await step(`INSERT INTO bid VALUES (1, ${ts(23)})`);
  await step(`INSERT INTO auction VALUES (5, ${ts(40)}); INSERT INTO bid VALUES (5, ${ts(40)})`);
  await engine.drain();
  t.same(await rows(), [['2024-01-01 00:00:10', 2], ['2024-01-01 00:00:20', 1]], 'once, with both matches; then the window of 00:00:20');
});
