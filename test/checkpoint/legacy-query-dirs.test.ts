/**
 * Data directories from before hashed query directories (queries/<name>/) resume: at start-up each
 * query's legacy directory is renamed to its new one and the log says so; what is not plainly that
 * query's directory is left alone.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { migrateLegacyQueryDirs } from '../../src/checkpoint/legacy-query-dirs.js';
import { readMetadata } from '../../src/checkpoint/metadata.js';
import { QUERIES_DIR, queryDir } from '../../src/checkpoint/query-dir.js';
import { Engine } from '../../src/engine/index.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-legacy-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

function sinkRows(out: string): number {
  return readdirSync(out, { recursive: true }).map(String).filter((f) => !f.startsWith('_') && f.endsWith('.jsonl'))
    .reduce((n, f) => n + readFileSync(join(out, f), 'utf8').split('\n').filter((l) => l !== '').length, 0);
}

t.test('a data directory with queries/<name>/ resumes after its directories are moved', async (t) => {
  const dataDir = join(root, 'engine');
  const out = join(root, 'out');
  // Both runs before the move are child processes of the built engine: DuckDB's file lock is held
  // by the process that opened the database, so only the last run may be this one.
  const run = async (sql: string) => {
    const script = join(root, 'script.sql');
    writeFileSync(script, sql);
    return promisify(execFile)(process.execPath, ['test/support/checkpoint-child.mjs', dataDir, script], { timeout: 60_000 });
  };
  await run(`
    CREATE SOURCE s (k INTEGER);
    CREATE MATERIALIZED VIEW hot AS SELECT count(*) AS n FROM s;
    CREATE SINK copy FROM s WITH (connector = 'jsonl', path = '${out}');
    INSERT INTO s VALUES (1), (2);`);
  const id = (await readMetadata(dataDir, 'hot'))!.id;
  const lastBatch = (name: string): number => Math.max(...readdirSync(join(queryDir(dataDir, name), 'commits')).map((f) => parseInt(f)));
  const batches = new Map(['hot', 'copy'].map((name) => [name, lastBatch(name)]));
  // The layout the earlier code made: the same files, in a directory named by the query.
  for (const name of ['hot', 'copy']) renameSync(queryDir(dataDir, name), join(dataDir, QUERIES_DIR, name));
  mkdirSync(join(dataDir, QUERIES_DIR, 'dropped_long_ago'));

  const child = await run('SELECT n FROM hot;\n');
  t.match(child.stdout, 'result [{"n":2}]', 'the moved checkpoint is read');
  t.match(child.stderr, /moved a checkpoint directory named by its query to its new location/, 'and the log says so');
  t.match(child.stderr, /"query":"hot"/);
  t.match(child.stderr, /"query":"copy"/);

  t.notOk(existsSync(join(dataDir, QUERIES_DIR, 'hot')), 'queries/hot is gone');
  t.ok(existsSync(join(queryDir(dataDir, 'hot'), 'state.duckdb')), 'its state is in the new directory');
  t.ok(existsSync(join(dataDir, QUERIES_DIR, 'dropped_long_ago')), 'a directory no query owns is left alone');

  const engine = await Engine.open({ dataDir });
  t.teardown(() => engine.close());
  t.same(engine.warnings, []);
  await engine.execute('INSERT INTO s VALUES (3)');
  await engine.drain();
  const [result] = await engine.execute('SELECT n FROM hot');
  t.same(result!.rows, [[3n]]);
  t.equal((await readMetadata(dataDir, 'hot'))!.id, id, 'the query kept its id: it resumed, it did not start again');
  for (const q of engine.queries()) t.ok(q.lastBatch! > batches.get(q.name)!, `"${q.name}" went on after batch ${batches.get(q.name)}`);
  t.equal(sinkRows(out), 3, 'the sink wrote every row once');
});

t.test('only a directory that is plainly the query\'s own is moved', async (t) => {
  const dataDir = join(root, 'unit');
  const queries = join(dataDir, QUERIES_DIR);
  const make = (rel: string, metadataName?: string): void => {
    mkdirSync(join(queries, rel), { recursive: true });
    if (metadataName !== undefined) writeFileSync(join(queries, rel, 'metadata.json'), JSON.stringify({ name: metadataName }));
  };
  make('plain', 'plain');
  make('no_metadata');
  make('hot', 'hot'); // asked for as "HOT": another query's directory on a case-insensitive file system
  make('other', 'someone else');
  make('a/b', 'a/b');
  make('both', 'both');
  mkdirSync(queryDir(dataDir, 'both'), { recursive: true });

  const moves = await migrateLegacyQueryDirs(dataDir, ['plain', 'no_metadata', 'HOT', 'other', 'a/b', '..', '.', 'both', 'missing']);
  t.same(moves.map((m) => [m.name, m.outcome]), [['plain', 'moved'], ['no_metadata', 'moved'], ['both', 'both exist']]);
  t.ok(existsSync(queryDir(dataDir, 'plain')) && !existsSync(join(queries, 'plain')));
  for (const kept of ['hot', 'other', 'a/b', 'both']) t.ok(existsSync(join(queries, kept)), `queries/${kept} is left alone`);
  t.same(await migrateLegacyQueryDirs(join(root, 'no such dir'), ['x']), [], 'a data directory without queries/ has nothing to move');
});
