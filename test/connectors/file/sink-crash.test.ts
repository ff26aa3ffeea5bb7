/**
 * kill -9 at random moments while a job writes partitioned Parquet, restart, and again; once it has
 * finished, the files a reader globs hold every input row exactly once.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readManifest } from '../../../src/connectors/file/manifest.js';
import { Database, quoteLiteral } from '../../../src/duck/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'eddy-file-crash-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const FILES = 12;
const ROWS = 200;
mkdirSync(join(dir, 'in'));
for (let f = 0; f < FILES; f++) {
  const lines = Array.from({ length: ROWS }, (_, i) => JSON.stringify({ id: f * ROWS + i, day: `2024-01-${String((i % 5) + 1).padStart(2, '0')}`, v: `r${f}-${i}` }));
  writeFileSync(join(dir, 'in', `f${String(f).padStart(3, '0')}.json`), lines.join('\n') + '\n');
}
const out = join(dir, 'out');
const job = join(dir, 'job.sql');
writeFileSync(job, `CREATE SOURCE IF NOT EXISTS src (id BIGINT, day DATE, v VARCHAR)
  WITH (connector = 'file', path = ${quoteLiteral(join(dir, 'in', '*.json'))}, max_files_per_trigger = 1);
CREATE SINK IF NOT EXISTS lake AS SELECT * FROM src
  WITH (connector = 'parquet', path = ${quoteLiteral(out)}, partition_by = 'day', max_rows_per_file = 50, trigger = 'available_now');
`);

function run(killAfterMs: number | null, fault?: string): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', '@tapjs/typescript/import', join(root, 'test/connectors/file/sink-crash-job.ts'), job, join(dir, 'data')], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDDY_LOG_LEVEL: 'error', EDDY_FAULT: fault ?? '' },
    });
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdout.on('data', (d) => {
      if (killAfterMs !== null && timer === null && String(d).includes('open')) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (code !== 0 && signal === null) t.comment(stderr);
      resolve({ code, signal });
    });
  });
}

t.test('killed between two file renames, mid-transaction and at random moments, restarted: every row exactly once', async (t) => {
  let midway = 0;
  const committed: number[] = [];
  // Two kills at fixed points of the job (EDDY_FAULT, src/util/fault.ts), then one at a random moment:
  // a fast machine may finish the whole job before a random kill lands.
  const kills: [number | null, string | undefined][] = [[null, 'lake:mid-deliver:3'], [null, 'lake:in-transaction:7'], [Math.floor(Math.random() * 1500), undefined]];
  for (const [killAfterMs, fault] of kills) {
    const before = (await readManifest(out).catch(() => [])).length;
    const r = await run(killAfterMs, fault);
    const after = (await readManifest(out)).length;
    committed.push(after);
    if (r.signal === 'SIGKILL' && after > before && after < FILES) midway += 1;
    if (r.signal !== 'SIGKILL') t.equal(r.code, 0, 'a run that was not killed finished cleanly');
  }
  t.comment(`batches committed after each killed run: ${committed.join(', ')}`);
  const last = await run(null);
  t.equal(last.code, 0, 'the final run finishes');
  t.ok(midway > 0, `${midway} runs were killed in the middle of the job`);

  const db = await Database.open(':memory:');
  const conn = await db.connect();
  t.teardown(() => { conn.close(); db.close(); });
  const glob = quoteLiteral(join(out, '**', '*.parquet'));
  const [stats] = await conn.objects<{ n: number; ids: number; minid: number; maxid: number }>(
    `SELECT count(*) AS n, count(DISTINCT id) AS ids, min(id) AS minid, max(id) AS maxid FROM read_parquet(${glob}, hive_partitioning = true)`);
  t.same({ ...stats }, { n: FILES * ROWS, ids: FILES * ROWS, minid: 0, maxid: FILES * ROWS - 1 }, 'no row lost, none duplicated');
  const wrong = await conn.scalar(`SELECT count(*) FROM read_parquet(${glob}, hive_partitioning = true) p
    JOIN read_json(${quoteLiteral(join(dir, 'in', '*.json'))}, columns = {id: 'BIGINT', day: 'DATE', v: 'VARCHAR'}) i USING (id)
    WHERE p.day <> i.day OR p.v <> i.v`);
  t.equal(Number(wrong), 0, 'every row as it was written');
  const manifest = await readManifest(out);
  const listed = manifest.flatMap((e) => e.files).sort();
  const onDisk = readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')).sort();
  t.same(listed, onDisk, 'the manifest lists exactly the files on disk');
  t.equal(new Set(manifest.map((e) => e.batch)).size, manifest.length, 'each batch committed once');
});
