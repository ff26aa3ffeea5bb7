/**
 * The incremental plan of every query in sql-examples/nexmark (RisingWave's text, the DuckDB
 * variants and Flink's q0-q9), as EXPLAIN INCREMENTAL prints it (operators, state tables, changelog
 * kinds, allowed output modes), compared with the golden file beside this test, so that a change of
 * plan shows up in review as a diff of nexmark-plans/<query>.txt. A query that cannot be planned has
 * its error as its golden text.
 *
 * After a deliberate plan change: `EDDY_UPDATE_GOLDEN=1 npx tap test/plan/incremental/nexmark-plans.test.ts`
 * rewrites the files; review and commit them with the change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { openTempEngine } from '../../support/temp-engine.js';

const EXAMPLES = new URL('../../../sql-examples/nexmark/', import.meta.url).pathname;
const GOLDEN = new URL('./nexmark-plans/', import.meta.url).pathname;
const UPDATE = process.env.EDDY_UPDATE_GOLDEN === '1';

const files = [
  ...readdirSync(EXAMPLES).filter((f) => /^q\d+.*\.sql$/.test(f)),
  ...readdirSync(join(EXAMPLES, 'flink')).filter((f) => /^q\d+\.sql$/.test(f)).map((f) => `flink/${f}`),
].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

/** `flink/q3.sql` -> `flink-q3.txt`: one flat folder of golden files. */
function goldenName(file: string): string {
  return `${file.replace('/', '-').replace(/\.sql$/, '')}.txt`;
}

async function explain(t: Test, file: string): Promise<string> {
  const engine = await openTempEngine(t, 'nexmark-plan');
  await engine.execute(readFileSync(join(EXAMPLES, 'sources.sql'), 'utf8'));
  const sql = readFileSync(join(EXAMPLES, file), 'utf8');
  // what comes before the continuous query (q13's side table) runs as written
  const at = sql.search(/^CREATE (MATERIALIZED VIEW|SINK)/m);
  if (at > 0) await engine.execute(sql.slice(0, at));
  try {
    const results = await engine.execute(`EXPLAIN INCREMENTAL ${sql.slice(Math.max(at, 0))}`);
    const plan = results.at(-1);
    if (!plan) return 'no result\n';
    return `${plan.rows.map((row) => String(row[0])).join('\n')}\n`;
  } catch (e) {
    return `ERROR: ${(e as Error).message}\n`;
  }
}

t.ok(files.filter((f) => /^q\d+\.sql$/.test(f)).length === 23, 'q0-q22 are all there');

if (UPDATE) mkdirSync(GOLDEN, { recursive: true });
for (const file of files) {
  t.test(file, async (t) => {
    const actual = await explain(t, file);
    const golden = join(GOLDEN, goldenName(file));
    if (UPDATE) {
      writeFileSync(golden, actual);
      t.pass(`wrote ${goldenName(file)}`);
      return;
    }
    t.ok(existsSync(golden), `${goldenName(file)} exists (EDDY_UPDATE_GOLDEN=1 writes it)`);
    t.equal(actual, readFileSync(golden, 'utf8'), `the plan of ${file} is the reviewed one (EDDY_UPDATE_GOLDEN=1 after a deliberate change)`);
  });
}

t.test('every golden file belongs to a query', async (t) => {
  if (UPDATE || !existsSync(GOLDEN)) return;
  const expected = new Set(files.map(goldenName));
  t.same(readdirSync(GOLDEN).filter((f) => !expected.has(f)), [], 'no golden file is left from a query that is gone');
});
