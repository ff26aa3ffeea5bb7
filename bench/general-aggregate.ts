/**
 * General aggregates (issue 17 item 1): a string_agg view and a median view maintained over 1M rows
 * arriving in 100k-row batches, side by side with DuckDB's one-shot answer over all the rows, and
 * with a count/sum view (accumulators) for scale; then what one small batch costs when it touches a
 * few groups (the general strategy recomputes those groups from their kept rows).
 *
 *   npm run build && node dist/bench/general-aggregate.js [rows=1000000] [batch=100000] [groups=1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineTuningFromEnv } from '../src/cli/tuning-env.js';
import { Engine } from '../src/engine/index.js';
import { median, ms as fmt, statementTimer } from './support/timing.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const batch = Number(process.argv[3] ?? 100_000);
const groups = Number(process.argv[4] ?? 1000);
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-general-'));
const engine = await Engine.open({ ...engineTuningFromEnv(), dataDir: dir });

const time = statementTimer(engine);
const ms = (x: number): string => fmt(x, 0);
const insertRows = (from: number, n: number) =>
  `INSERT INTO t SELECT range AS id, range % ${groups} AS g, (range * 7919) % 100003 AS v, 'u' || (range % 977) AS url FROM range(${from}, ${from + n})`;

const views: Record<string, string> = {
  'count and sum (accumulators)': 'SELECT g, count(*) AS n, sum(v) AS total FROM t GROUP BY g',
  'string_agg ORDER BY (general)': "SELECT g, string_agg(url, ',' ORDER BY id) AS urls FROM t GROUP BY g",
  'median (general)': 'SELECT g, median(v) AS med FROM t GROUP BY g',
};

const stream = async (): Promise<number> => {
  let total = 0;
  for (let from = 0; from < rows; from += batch) total += await time(`${insertRows(from, Math.min(batch, rows - from))}; FLUSH`);
  return total;
};

try {
  console.log(`rows ${rows} in batches of ${batch}, ${groups} groups`);
  // what the same inserts cost with no view reading the table: the view's share is the difference
  await engine.execute('CREATE TABLE t (id BIGINT, g INTEGER, v BIGINT, url VARCHAR) APPEND ONLY');
  const ingest = await stream();
  await engine.execute('DROP TABLE t');
  console.log(`the inserts alone (no view): ${ms(ingest)}`);
  for (const [what, query] of Object.entries(views)) {
    await engine.execute('CREATE TABLE t (id BIGINT, g INTEGER, v BIGINT, url VARCHAR) APPEND ONLY');
    await engine.execute(`CREATE MATERIALIZED VIEW m AS ${query}`);
    const streaming = (await stream()) - ingest;
    const oneShot: number[] = [];
    for (let i = 0; i < 3; i++) oneShot.push(await time(`CREATE OR REPLACE TABLE one_shot AS ${query}`));
    const small: number[] = [];
    for (let i = 0; i < 10; i++) small.push(await time(`${insertRows(rows + i * 10, 10)}; FLUSH`));
    const [check] = await engine.execute(`SELECT count(*) FROM (SELECT * FROM m EXCEPT SELECT * FROM (${query}))`);
    console.log(`${what}: view equals the query: ${Number(check!.rows[0]![0]) === 0}`);
    console.log(`  the view's share of streaming ${rows} rows in ${Math.ceil(rows / batch)} batches (inserts + FLUSH, less the inserts alone): ${ms(streaming)}; DuckDB one-shot over them (median of 3): ${ms(median(oneShot))}; ratio ${(streaming / median(oneShot)).toFixed(2)}`);
    console.log(`  a 10-row batch touching 10 groups (insert + FLUSH, median of 10): ${ms(median(small))}`);
    await engine.execute('DROP MATERIALIZED VIEW m; DROP TABLE t; DROP TABLE IF EXISTS one_shot');
  }
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
