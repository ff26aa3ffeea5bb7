/**
 * Checkpoints through the engine, in one process: metadata.json and its stable id, a checkpoint that
 * no longer matches its query, ALTER ... RESET, log retention, failures and RESUME, state size.
 */
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readMetadata } from '../../src/checkpoint/metadata.js';
import { queryDir, queryDirName } from '../../src/checkpoint/query-dir.js';
import { Engine } from '../../src/engine/index.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-recovery-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `d${dirs++}`);

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const [result] = await engine.execute(sql);
  return result!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

async function showQuery(engine: Engine, name: string): Promise<{ status: string; error: string | null }> {
  const [result] = await engine.execute('SHOW QUERIES');
  const cols = result!.columns.map((c) => c.name);
  const row = result!.rows.find((r) => r[cols.indexOf('name')] === name)!;
  return { status: String(row[cols.indexOf('status')]), error: row[cols.indexOf('error')] as string | null };
}

const SETUP = `
CREATE SOURCE s (k INTEGER, v INTEGER);
CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n, sum(v) AS total FROM s GROUP BY k;
`;

t.test('metadata.json holds id, name, SQL and fingerprint; the id survives a restart', async (t) => {
  const dir = freshDir();
  let engine = await Engine.open({ dataDir: dir });
  await engine.execute(SETUP);
  await engine.execute('INSERT INTO s VALUES (1, 10)');
  await engine.drain();
  const meta = await readMetadata(dir, 'm');
  t.match(meta, { name: 'm', sql: /CREATE MATERIALIZED VIEW m AS/, fingerprint: /\w+/, id: /^[0-9a-f-]{36}$/, createdAt: /^\d{4}-/ });
  t.equal(engine.progress('m').at(-1)?.id, meta!.id, 'progress carries the same id');
  await engine.close();
  engine = await Engine.open({ dataDir: dir });
  await engine.execute('INSERT INTO s VALUES (1, 5)');
  await engine.drain();
  t.equal(engine.progress('m').at(-1)?.id, meta!.id, 'the id is kept across restarts');
  t.same(await rows(engine, 'SELECT k, n, total FROM m'), [[1, 2, 15]]);
  await engine.close();
});

t.test('a checkpoint whose SQL changed refuses to resume until RESET', async (t) => {
  const dir = freshDir();
  let engine = await Engine.open({ dataDir: dir });
  await engine.execute(SETUP);
  await engine.execute('INSERT INTO s VALUES (1, 10), (2, 20)');
  await engine.drain();
  await engine.close();
  const file = join(queryDir(dir, 'm'), 'metadata.json');
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { sql: string };
  writeFileSync(file, JSON.stringify({ ...meta, sql: 'CREATE MATERIALIZED VIEW m AS SELECT 1' }));

  engine = await Engine.open({ dataDir: dir });
  t.match(engine.warnings.join('\n'), /"m" cannot resume from its checkpoint: its SQL changed from "CREATE MATERIALIZED VIEW m AS SELECT 1"/);
  const shown = await showQuery(engine, 'm');
  t.equal(shown.status, 'failed');
  t.match(shown.error, /"m" cannot resume from its checkpoint: its SQL changed/);
  await t.rejects(engine.execute('ALTER MATERIALIZED VIEW m RESUME'), { code: 'OBJECT_IN_USE' });

  await engine.execute('ALTER MATERIALIZED VIEW m RESET');
  await engine.drain();
  t.equal((await showQuery(engine, 'm')).status, 'running');
  t.same(await rows(engine, 'SELECT k, n, total FROM m ORDER BY k'), [[1, 1, 10], [2, 1, 20]], 'recomputed from the beginning of the source');
  t.not((await readMetadata(dir, 'm'))!.id, undefined);
  await engine.close();
});

t.test('ALTER ... RESET of a running query recomputes it from the beginning', async (t) => {
  const engine = await Engine.open({ dataDir: freshDir() });
  await engine.execute(SETUP);
  await engine.execute('INSERT INTO s VALUES (1, 1)');
  await engine.drain();
  const before = engine.progress('m').at(-1)!.id;
  await engine.execute('ALTER MATERIALIZED VIEW m RESET');
  await engine.execute('INSERT INTO s VALUES (1, 2)');
  await engine.drain();
  t.same(await rows(engine, 'SELECT k, n, total FROM m'), [[1, 2, 3]]);
  t.not(engine.progress('m').at(-1)!.id, before, 'a reset query has a new id');
  t.equal(engine.progress('m')[0]!.batchId, 0, 'batches count from 0 again');
  await t.rejects(engine.execute('ALTER SINK m RESET'), { code: 'WRONG_OBJECT_TYPE' });
  await engine.close();
});

t.test('offsets/, commits/ and the state stay bounded under a steady stream', async (t) => {
  const dir = freshDir();
  const engine = await Engine.open({ dataDir: dir });
  await engine.execute(`
    CREATE SOURCE s (k INTEGER, v INTEGER);
    CREATE MATERIALIZED VIEW m WITH (checkpoint_retention = 5) AS SELECT k % 4 AS g, count(*) AS n FROM s GROUP BY k % 4;
    CREATE SINK out AS SELECT k, v FROM s WITH (connector = 'blackhole', checkpoint_retention = 3);
    CREATE SINK agg AS SELECT k, count(*) AS n FROM s GROUP BY k WITH (connector = 'blackhole', output_mode = 'update');
  `);
  const qdir = (name: string) => queryDir(dir, name);
  let sizeAt20 = 0;
  for (let i = 0; i < 60; i++) {
    await engine.execute(`INSERT INTO s SELECT range, ${i} FROM range(20)`);
    await engine.drain();
    if (i === 19) sizeAt20 = dirSize(qdir('m')) + dirSize(qdir('out'));
  }
  t.same(readdirSync(join(qdir('m'), 'offsets')).length, 5);
  t.same(readdirSync(join(qdir('m'), 'commits')).length, 5);
  t.same(readdirSync(join(qdir('out'), 'offsets')).length, 3);
  t.same(readdirSync(join(qdir('out'), 'commits')).length, 3);
  t.same(readdirSync(join(qdir('out'), 'offsets')).sort(), ['57.json', '58.json', '59.json'], 'the newest batches are kept');
  const sizeAt60 = dirSize(qdir('m')) + dirSize(qdir('out'));
  t.ok(sizeAt60 <= sizeAt20 * 1.5 + 64 * 1024, `queries/ does not grow with the stream (${sizeAt20} bytes after 20 batches, ${sizeAt60} after 60)`);
  t.same(await rows(engine, `SELECT count(*) FROM "q_${queryDirName('agg')}".main.__outbox`), [[0]], 'the outbox of committed batches is empty');
  t.same(await rows(engine, `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'q_${queryDirName('out')}' AND table_name = '__outbox'`), [[0]],
    'a sink without state delivers from the batch output and keeps no outbox');
  t.same(await rows(engine, 'SELECT sum(n) FROM m'), [[1200]]);
  await t.rejects(engine.execute("CREATE MATERIALIZED VIEW bad WITH (checkpoint_retention = 0) AS SELECT k FROM s"), { code: 'INVALID_PARAMETER', message: /checkpoint_retention/ });
  await engine.close();
});

t.test('an I/O error during a batch fails the query visibly; RESUME continues from the last commit', async (t) => {
  const dir = freshDir();
  const outDir = join(dir, '..', `${dirs}-out`);
  const engine = await Engine.open({ dataDir: dir });
  await engine.execute(SETUP);
  await engine.execute(`CREATE SINK out AS SELECT k, v FROM s WITH (connector = 'jsonl', path = '${outDir}')`);
  await engine.execute('INSERT INTO s VALUES (1, 1)');
  await engine.drain();
  for (const [query, step] of [['m', 'after-offsets'], ['out', 'after-commit-state'], ['m', 'in-transaction'], ['out', 'after-deliver']] as const) {
    const batch = engine.progress(query).at(-1)!.batchId + 1;
    process.env.EDDY_FAULT = `${query}:${step}:${batch}:error`;
    await engine.execute('INSERT INTO s VALUES (1, 1), (2, 2)');
    await t.rejects(engine.drain(), { code: 'QUERY_FAILED', message: /injected I\/O error at/ }, `${step} fails ${query}`);
    const shown = await showQuery(engine, query);
    t.equal(shown.status, 'failed');
    t.match(shown.error, new RegExp(`injected I/O error at ${step} of batch ${batch} of "${query}"`));
    t.match(engine.progress(query).at(-1), { batchId: batch, error: /injected I\/O error/ }, `the failure is in progress too: ${JSON.stringify(engine.progress(query).slice(-3).map((p) => [p.batchId, p.error]))}`);
    delete process.env.EDDY_FAULT;
    await engine.execute(`ALTER ${query === 'm' ? 'MATERIALIZED VIEW' : 'SINK'} ${query} RESUME`);
    await engine.drain();
    t.equal((await showQuery(engine, query)).status, 'running');
  }
  t.same(await rows(engine, 'SELECT k, n, total FROM m ORDER BY k'), [[1, 5, 5], [2, 4, 8]], 'nothing lost, nothing counted twice');
  t.same(await rows(engine, `SELECT k, count(*), sum(v) FROM read_json('${outDir}/*.jsonl') GROUP BY k ORDER BY k`), [[1, 5, 5], [2, 4, 8]],
    'every row reached the sink once');
  await engine.close();
});

t.test('progress includes state rows and estimated bytes per operator', async (t) => {
  const engine = await Engine.open({ dataDir: freshDir() });
  await engine.execute(SETUP);
  await engine.execute('INSERT INTO s SELECT range % 10, range FROM range(100)');
  await engine.drain();
  const [state] = engine.progress('m').at(-1)!.stateOperators;
  t.equal(state!.numRowsTotal, 10);
  t.ok(state!.memoryUsedBytes > 0 && state!.memoryUsedBytes < 10 * 1000, `bytes estimated: ${state!.memoryUsedBytes}`);
  const [shown] = await engine.execute('SHOW PROGRESS m');
  t.match(JSON.parse(String(shown!.rows.at(-1)![1])), { stateOperators: [{ memoryUsedBytes: state!.memoryUsedBytes }] });
  await engine.close();
});

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(path) : statSync(path).size;
  }
  return total;
}
