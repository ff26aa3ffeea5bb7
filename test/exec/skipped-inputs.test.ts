/**
 * A data-lake query and the files it cannot read, through the engine: a corrupt .json.gz among good
 * files under each on_error; the skipped files recorded in offsets/N before the batch commits, so
 * that a re-run of the batch skips exactly those and reads every good file once; a batch that failed
 * on a bad file proceeds once the file is deleted, on RESUME and after a restart.
 */
import { queryDir } from '../../src/checkpoint/query-dir.js';
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';

const lines = (ids: readonly number[]): string => ids.map((id) => JSON.stringify({ id })).join('\n') + '\n';

/** Good files a (1, 2) and c (3) around b, which is not gzip. */
function lake(t: Test, name: string): { dir: string; input: string; data: string } {
  const dir = join(t.testdir(), name);
  const input = join(dir, 'in');
  mkdirSync(input, { recursive: true });
  writeFileSync(join(input, 'a.json.gz'), gzipSync(lines([1, 2])));
  writeFileSync(join(input, 'b.json.gz'), 'not gzip\n');
  writeFileSync(join(input, 'c.json.gz'), gzipSync(lines([3])));
  return { dir, input, data: join(dir, 'data') };
}

async function start(data: string, input: string, options: string): Promise<Engine> {
  const engine = await Engine.open({ dataDir: data });
  await engine.execute(`CREATE SOURCE IF NOT EXISTS trail (id BIGINT) WITH (connector = 'file', path = '${join(input, '*.json.gz')}'${options});
    CREATE MATERIALIZED VIEW IF NOT EXISTS m AS SELECT count(*) AS n, sum(id) AS total FROM trail`);
  return engine;
}

async function result(engine: Engine): Promise<unknown[]> {
  const [r] = await engine.execute('SELECT n, total FROM m');
  return r!.rows[0]!.map(Number);
}

function offsets(data: string, batch: number): { sources: Record<string, { skipped?: { input: string; reason: string }[] }> } {
  return JSON.parse(readFileSync(join(queryDir(data, 'm'), 'offsets', `${batch}.json`), 'utf8'));
}

async function status(engine: Engine): Promise<{ status: string; error: string | null }> {
  const [r] = await engine.execute('SHOW QUERIES');
  const cols = r!.columns.map((c) => c.name);
  const row = r!.rows.find((x) => x[cols.indexOf('name')] === 'm')!;
  return { status: String(row[cols.indexOf('status')]), error: row[cols.indexOf('error')] as string | null };
}

t.test('a corrupt .json.gz among good files, under each on_error', async (t) => {
  for (const onError of ['skip', 'dead_letter', 'fail'] as const) {
    const { dir, input, data } = lake(t, onError);
    const options = `, on_error = '${onError}'${onError === 'dead_letter' ? `, dead_letter_path = '${join(dir, 'dead')}'` : ''}`;
    const engine = await start(data, input, options);
    if (onError === 'fail') {
      await t.rejects(engine.drain(), { message: /file .*b\.json\.gz cannot be read: not in gzip format/ }, onError);
      t.match(await status(engine), { status: 'failed', error: /source "trail": file .*b\.json\.gz cannot be read/ });
    } else {
      await engine.drain();
      t.same(await result(engine), [3, 6], `${onError}: the good files, once`);
      const progress = engine.progress('m').at(-1)!;
      t.match(progress.sources[0], { numInputRows: 3, numSkippedInputs: 1, skippedInputs: [{ input: join(input, 'b.json.gz'), reason: 'unreadable', message: /not in gzip format/ }] }, onError);
      t.match(offsets(data, 0).sources.trail!.skipped, [{ input: join(input, 'b.json.gz'), reason: 'unreadable' }], `${onError}: recorded in offsets/0`);
      t.equal(existsSync(join(input, 'b.json.gz')), onError === 'skip', `${onError}: left or moved`);
      t.equal(existsSync(join(dir, 'dead', 'b.json.gz')), onError === 'dead_letter');
    }
    await engine.close();
  }
});

t.test('a batch that failed on a bad file proceeds once the file is deleted: on RESUME, and after a restart', async (t) => {
  for (const how of ['resume', 'restart'] as const) {
    const { input, data } = lake(t, how);
    let engine = await start(data, input, `, on_error = 'fail'`);
    await t.rejects(engine.drain(), { code: 'QUERY_FAILED', message: /b\.json\.gz cannot be read/ });
    t.same(Object.keys(offsets(data, 0).sources), ['trail'], 'batch 0 was planned, listing b');
    unlinkSync(join(input, 'b.json.gz'));
    if (how === 'restart') {
      await engine.close();
      engine = await start(data, input, `, on_error = 'fail'`);
    } else {
      await engine.execute('ALTER MATERIALIZED VIEW m RESUME');
    }
    await engine.drain();
    t.same(await status(engine), { status: 'running', error: null }, how);
    t.same(await result(engine), [3, 6], `${how}: the good files, once`);
    t.match(offsets(data, 0).sources.trail!.skipped, [{ input: join(input, 'b.json.gz'), reason: 'missing' }], `${how}: the missing file recorded`);
    t.match(engine.progress('m').at(-1)!.sources[0], { numSkippedInputs: 1, skippedInputs: [{ reason: 'missing' }] });
    writeFileSync(join(input, 'd.json.gz'), gzipSync(lines([10])));
    await engine.drain();
    t.same(await result(engine), [4, 16], `${how}: later files are read`);
    await engine.close();
  }
});

t.test('a re-run batch skips exactly the files its first run skipped, though one reads now', async (t) => {
  const { input, data } = lake(t, 'rerun');
  // set before the CREATE, whose backfill runs batch 0
  process.env.EDDY_FAULT = 'm:in-transaction:0:error';
  let engine: Engine;
  try {
    engine = await start(data, input, '');
    await t.rejects(engine.drain(), { message: /injected I\/O error at in-transaction of batch 0/ });
  } finally {
    delete process.env.EDDY_FAULT;
  }
  t.teardown(() => engine.close());
  t.match(offsets(data, 0).sources.trail!.skipped, [{ input: join(input, 'b.json.gz'), reason: 'unreadable' }], 'recorded before the commit');
  writeFileSync(join(input, 'b.json.gz'), gzipSync(lines([100]))); // repaired between the runs
  await engine.execute('ALTER MATERIALIZED VIEW m RESUME');
  await engine.drain();
  t.same(await result(engine), [3, 6], 'the same rows as the first run would have given');
  t.match(engine.progress('m').at(-1)!, { batchId: 0, sources: [{ numSkippedInputs: 1 }] });
  rmSync(join(input, 'b.json.gz'));
});
