/**
 * How long changes are kept: a table's changelog down to what its readers committed; a view's log
 * for its readers and, within the view's retention, for subscribers, who resume from it after a
 * restart; an older resume point is refused with a hint to take a snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';
import type { EddyError } from '../../src/util/errors.js';
import { recorder } from '../support/change-recorder.js';

function dataDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `eddy-${prefix}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(t: Test, dir: string): Promise<Engine> {
  const engine = await Engine.open({ dataDir: dir });
  t.teardown(() => engine.close());
  return engine;
}

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results.at(-1)!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

/** The last batch of view `name`, from a snapshot subscription. */
async function lastBatch(engine: Engine, name: string): Promise<number> {
  const probe = recorder();
  (await engine.subscribe(name, { snapshot: true }, probe))();
  return probe.snapshotBatch;
}

/** The resume error for view `name` from batch 0, or null when it resumes. */
async function resumeError(engine: Engine, name: string, from = 0): Promise<EddyError | null> {
  try {
    (await engine.subscribe(name, { snapshot: false, fromBatch: from }, recorder()))();
    return null;
  } catch (e) {
    return e as EddyError;
  }
}

t.test("a table's changelog keeps only what its readers have not committed, and its numbering survives a restart", async (t) => {
  const dir = dataDir(t, 'table-trim');
  let engine = await open(t, dir);
  await engine.execute('CREATE TABLE t (id INT, v INT); CREATE MATERIALIZED VIEW s AS SELECT count(*) AS n, sum(v) AS total FROM t');
  for (let i = 1; i <= 5; i++) await engine.execute(`INSERT INTO t VALUES (${i}, ${i}); FLUSH`);
  await engine.execute('INSERT INTO t VALUES (6, 6)');
  t.same(await rows(engine, 'SELECT __seq, id FROM __changes_t ORDER BY __seq'), [[6, 6]], 'statements 1-5, read by the view, are gone');
  // a statement that changes nothing takes no number
  await engine.execute('FLUSH; UPDATE t SET v = 0 WHERE false; FLUSH');
  await engine.close();
  engine = await open(t, dir);
  await engine.execute('INSERT INTO t VALUES (7, 7); FLUSH');
  t.same(await rows(engine, 'SELECT n, total FROM s'), [[7, 28]], 'the statement after the restart is read');
  t.same(await rows(engine, 'SELECT max(__seq) FROM __changes_t'), [[7]]);
});

t.test('a subscriber resumes from the view log after a restart, within the retention', async (t) => {
  const dir = dataDir(t, 'durable-subscribe');
  let engine = await open(t, dir);
  await engine.execute("CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m WITH (retention_batches = 100) AS SELECT k, count(*) AS n FROM s GROUP BY k");
  await engine.execute("CREATE MATERIALIZED VIEW plain AS SELECT k, count(*) AS n FROM s GROUP BY k");
  for (const k of ['a', 'b', 'a']) {
    await engine.execute(`INSERT INTO s VALUES ('${k}')`);
    await engine.drain();
  }
  const first = recorder();
  (await engine.subscribe('m', { snapshot: false, fromBatch: 0 }, first))();
  const seen = first.batches.map((b) => b.batch);
  t.ok(seen.length >= 3, `every batch with changes replayed: ${JSON.stringify(seen)}`);
  t.same(first.batches.flatMap((b) => b.changes).filter((c) => c.op === 'insert').map((c) => c.row), [{ k: 'a', n: 1 }, { k: 'b', n: 1 }, { k: 'a', n: 2 }]);
  await engine.close();

  engine = await open(t, dir);
  const resumed = recorder();
  const from = seen[1]!;
  const unsubscribe = await engine.subscribe('m', { snapshot: false, fromBatch: from }, resumed);
  t.same(resumed.batches, first.batches.filter((b) => b.batch >= from), 'the same changes from that batch on');
  await engine.execute("INSERT INTO s VALUES ('c')");
  await engine.drain();
  t.same(resumed.batches.at(-1)!.changes, [{ op: 'insert', row: { k: 'c', n: 1 } }], 'then live changes');
  unsubscribe();

  const refused = await resumeError(engine, 'plain');
  t.match(refused, { code: 'INVALID_PARAMETER', message: /cannot resume "plain" from batch 0/, hint: /snapshot/ }, 'a view without retention keeps no history across a restart');
});

t.test('retention by batches, bytes and time bounds the history', async (t) => {
  const engine = await open(t, dataDir(t, 'retention-bounds'));
  await engine.execute(`CREATE SOURCE s (k VARCHAR);
    CREATE MATERIALIZED VIEW by_batches WITH (retention_batches = 2) AS SELECT k, count(*) AS n FROM s GROUP BY k;
    CREATE MATERIALIZED VIEW by_bytes WITH (retention_bytes = 100) AS SELECT k, count(*) AS n FROM s GROUP BY k;
    CREATE MATERIALIZED VIEW by_time WITH (retention_time = '3 s') AS SELECT k, count(*) AS n FROM s GROUP BY k`);
  await t.rejects(engine.execute("CREATE MATERIALIZED VIEW bad WITH (retention_bytes = 'lots') AS SELECT * FROM s"), { message: /retention_bytes must be a size/ });
  await t.rejects(engine.execute("CREATE MATERIALIZED VIEW bad WITH (retention_time = '3 fortnights') AS SELECT * FROM s"), { message: /retention_time must be a duration/ });
  // each batch updates key 'xxxxxxxxxx': -old, +new, 2 x (10 + 8) bytes
  for (let i = 0; i < 5; i++) {
    await engine.execute("INSERT INTO s VALUES ('xxxxxxxxxx')");
    await engine.drain();
  }
  const last = await lastBatch(engine, 'by_batches');
  t.match(await resumeError(engine, 'by_batches'), { message: new RegExp(`keeps its changes from batch ${last - 1} on`) }, 'the last 2 batches');
  t.equal(await resumeError(engine, 'by_batches', last - 1), null);
  const lastBytes = await lastBatch(engine, 'by_bytes');
  t.match(await resumeError(engine, 'by_bytes'), { message: new RegExp(`keeps its changes from batch ${lastBytes - 1} on`) }, 'the newest batches within 100 bytes: 2 of 36');
  t.equal(await resumeError(engine, 'by_time', 0), null, 'all within 3 s');
  await new Promise((r) => setTimeout(r, 3200));
  await engine.execute("INSERT INTO s VALUES ('xxxxxxxxxx')");
  await engine.drain();
  const lastTime = await lastBatch(engine, 'by_time');
  t.match(await resumeError(engine, 'by_time'), { message: new RegExp(`keeps its changes from batch ${lastTime} on`) }, 'only the batch of the last 3 s');
});

t.test("a view's log keeps what a reading query has not committed, and no more", async (t) => {
  const engine = await open(t, dataDir(t, 'reader-hold'));
  await engine.execute(`CREATE SOURCE s (k VARCHAR);
    CREATE MATERIALIZED VIEW up AS SELECT k, count(*) AS n FROM s GROUP BY k;
    CREATE MATERIALIZED VIEW down AS SELECT n, count(*) AS keys FROM up GROUP BY n;
    ALTER MATERIALIZED VIEW down PAUSE`);
  for (const k of ['a', 'b', 'c']) {
    await engine.execute(`INSERT INTO s VALUES ('${k}')`);
    await engine.drain();
  }
  const held = recorder();
  (await engine.subscribe('up', { snapshot: false, fromBatch: 0 }, held))();
  t.ok(held.batches.length >= 3, 'the paused reader holds the log');
  await engine.execute('ALTER MATERIALIZED VIEW down RESUME; FLUSH');
  t.same(await rows(engine, 'SELECT n, keys FROM down'), [[1, 3]]);
  await engine.execute("INSERT INTO s VALUES ('d')");
  await engine.drain();
  const last = await lastBatch(engine, 'up');
  t.match(await resumeError(engine, 'up'), { message: /cannot resume "up" from batch 0/ }, 'what the reader committed is gone');
  t.ok(last > 0);
});
