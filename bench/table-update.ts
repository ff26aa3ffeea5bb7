/**
 * A view over a table that changes (issue 16): a one-row UPDATE of a 1M-row table under a grouped
 * view costs one small batch, set side by side with recomputing the view's query over the whole
 * table (what a view without changelogs would redo); and what capturing the changes adds to the
 * DML statements themselves (the same statements on a table no query reads).
 *
 *   npm run build && node dist/bench/table-update.js [rows=1000000] [updates=30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.js';
import { median, ms, statementTimer } from './support/timing.js';
import { engineTuningFromEnv } from '../src/cli/tuning-env.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const updates = Number(process.argv[3] ?? 30);
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-table-'));
const engine = await Engine.open({ ...engineTuningFromEnv(), dataDir: dir });

const time = statementTimer(engine);

try {
  for (const name of ['t', 'unread']) {
    await engine.execute(`CREATE TABLE ${name} (id BIGINT PRIMARY KEY, g INTEGER, v BIGINT)`);
    await engine.execute(`INSERT INTO ${name} SELECT range, range % 1000, range % 9973 FROM range(${rows})`);
  }
  console.log(`rows ${rows}, ${updates} one-row UPDATEs per view`);
  const views: Record<string, string> = {
    'count and sum per group (accumulators)': 'SELECT g, count(*) AS n, sum(v) AS total FROM t GROUP BY g',
    'max per group (a multiset of values per group: max over a retracting input)': 'SELECT g, max(v) AS top FROM t GROUP BY g',
  };
  for (const [what, query] of Object.entries(views)) {
    const create = await time(`CREATE MATERIALIZED VIEW v AS ${query}; FLUSH`);
    const update: number[] = [];
    const recompute: number[] = [];
    for (let i = 0; i < updates; i++) {
      update.push(await time(`UPDATE t SET v = v + 1 WHERE id = ${(i * 7919) % rows}; FLUSH`));
      // what a view without changelogs would redo: the query over the whole table, its result replaced
      recompute.push(await time(`CREATE OR REPLACE TABLE refreshed AS ${query}`));
    }
    const [check] = await engine.execute(`SELECT count(*) FROM (SELECT * FROM v EXCEPT SELECT * FROM (${query}))`);
    console.log(`${what}: view equals the query: ${Number(check!.rows[0]![0]) === 0}`);
    console.log(`  CREATE MATERIALIZED VIEW + FLUSH (reads the contents once): ${ms(create)}`);
    console.log(`  one-row UPDATE + FLUSH (median): ${ms(median(update))}; recomputing (median): ${ms(median(recompute))}; ratio ${(median(recompute) / median(update)).toFixed(2)}`);
    await engine.execute('DROP MATERIALIZED VIEW v');
  }
  await engine.execute('CREATE MATERIALIZED VIEW v AS SELECT count(*) AS n FROM t');
  const dml: number[] = [];
  const dmlUnread: number[] = [];
  for (let i = 0; i < updates; i++) {
    dml.push(await time(`UPDATE t SET v = v + 1 WHERE id = ${(i * 104729) % rows}`));
    dmlUnread.push(await time(`UPDATE unread SET v = v + 1 WHERE id = ${(i * 104729) % rows}`));
  }
  console.log(`one-row UPDATE alone (median): on a table a view reads ${ms(median(dml))}, on a table nobody reads ${ms(median(dmlUnread))}`);
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
