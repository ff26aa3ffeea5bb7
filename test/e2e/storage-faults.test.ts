/**
 * Real storage faults under a running server (docs/design/20261203-storage-faults.md): `eddy serve`
 * with a push source, a materialized view and a file sink, under a steady stream of HTTP pushes. The
 * data directory fills up (a small tmpfs) or goes read-only (a FUSE mirror, test/support/fault-fs)
 * mid-run; pushes get 503 (never 500, never a success for rows that were not stored), SELECT and
 * /healthz report the failure cleanly; once the storage is back, without a restart, every
 * acknowledged row is in the view and the sink exactly once. And a push whose checkpoint failed
 * after its rows were written answers success.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { readManifest } from '../../src/connectors/file/manifest.js';
import { PushStream, pushUntilAcked, sleep, Watcher } from '../support/push-stream.js';
import { builtCliMissing, startServeChild, type ServeChild } from '../support/serve-child.js';
import { cannotMountFuse, mountFaultFs } from '../support/fault-fs.js';
import { cannotMount, mountTmpfs } from '../support/tmpfs.js';

/** Short backoffs, and checkpoints every 64 KB of WAL: a fault then meets a checkpoint, which invalidates DuckDB's database. */
const CHILD_ENV = {
  EDDY_RETRY_MIN_MS: '100',
  EDDY_RETRY_MAX_MS: '500',
  EDDY_STORAGE_RETRY_MAX_MS: '500',
  EDDY_IDLE_POLL_MS: '20',
  EDDY_DUCKDB_CHECKPOINT_THRESHOLD: '64KB',
  // a statement waits this long for a recovery before it is answered 503
  EDDY_STORAGE_WAIT_MS: '300',
};

const VIEW_SELECT = 'SELECT n, s, ids FROM totals';

async function sql(url: string, text: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
  return { status: res.status, body: await res.json() };
}

/** Runs `text` until it succeeds (503s are waited out), for at most `ms`. */
async function sqlEventually(url: string, text: string, ms = 60_000): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const answer = await sql(url, text);
    if (answer.status === 200) return answer.body;
    if (answer.status !== 503 || Date.now() > until) throw new Error(`${text} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await sleep(100);
  }
}

async function healthyWithin(url: string, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if ((await fetch(`${url}/healthz`)).status === 200) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`/healthz not ok within ${ms} ms`);
}

/** The ids in the sink's committed files (the manifest lists them; a batch's files once). */
async function sinkIds(out: string): Promise<number[]> {
  const ids: number[] = [];
  for (const entry of await readManifest(out)) {
    for (const file of entry.files) {
      for (const line of fs.readFileSync(path.join(out, file), 'utf8').split('\n')) if (line.trim() !== '') ids.push(Number(JSON.parse(line).id));
    }
  }
  return ids;
}

/** The server on `root` (killed after the test) with the source, the view and the sink. */
async function startPipeline(t: Test, root: string): Promise<{ server: ServeChild; out: string }> {
  const out = path.join(root, 'out');
  const server = await startServeChild(path.join(root, 'data'), { env: CHILD_ENV, args: ['--file-root', root] });
  t.teardown(() => server.kill());
  await sqlEventually(server.httpUrl, `CREATE SOURCE clicks (id BIGINT, v BIGINT);
    CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(v) AS s, count(DISTINCT id) AS ids FROM clicks;
    CREATE SINK out FROM clicks WITH (connector = 'jsonl', path = '${out}')`);
  return { server, out };
}

/** After the fault healed: every acknowledged row once in the source, the view and the sink. */
async function checkExactlyOnce(t: Test, url: string, out: string, acked: readonly number[]): Promise<void> {
  const sum = acked.reduce((a, b) => a + b, 0);
  // the view and the sink catch up with the source by themselves
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const n = Number((await sqlEventually(url, VIEW_SELECT)).results[0].rows[0][0]);
    if (n >= acked.length && (await sinkIds(out)).length >= acked.length) break;
    await sleep(100);
  }
  const source = (await sqlEventually(url, 'SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(v) AS s FROM clicks')).results[0].rows[0];
  t.same(source.map(Number), [acked.length, acked.length, sum], 'the source holds every acknowledged row once, and no other');
  const view = (await sqlEventually(url, VIEW_SELECT)).results[0].rows[0];
  t.same(view.map(Number), [acked.length, sum, acked.length], 'the view counts every acknowledged row once (count, sum, distinct ids)');
  const delivered = await sinkIds(out);
  t.equal(delivered.length, acked.length, 'the sink holds as many rows as were acknowledged');
  t.equal(new Set(delivered).size, delivered.length, 'the sink holds no row twice');
  t.same([...delivered].sort((a, b) => a - b), [...acked].sort((a, b) => a - b), 'the sink holds exactly the acknowledged rows');
}

/** While the fault lasted: only 200s and 503s, the reason in /healthz, queries retrying or recovering. */
function checkReported(t: Test, pushes: PushStream, watcher: Watcher, from: number, reason: RegExp): void {
  t.same(pushes.errors, [], 'no push got an answer other than 200 or 503');
  t.ok((pushes.statuses.get(503) ?? 0) > 0, `pushes were refused with 503 during the fault (${JSON.stringify([...pushes.statuses])})`);
  t.ok(watcher.since(from, 'health').some((o) => o.status === 503 && reason.test(o.body)), `/healthz answered 503 naming the fault (${reason.source})`);
  const selects = watcher.since(from, 'select');
  const bad = selects.filter((o) => o.status !== 200 && (o.status !== 503 || !/STORAGE_UNAVAILABLE/.test(o.body)));
  t.same(bad.map((o) => `${o.status} ${o.body}`), [], `a SELECT either answered or said STORAGE_UNAVAILABLE (${selects.filter((o) => o.status === 503).length} of ${selects.length} did)`);
  t.notOk(watcher.seen.some((o) => /invalidated/.test(o.body)), 'nobody was told "database has been invalidated"');
  const queries = watcher.queries(from);
  t.notOk(queries.some((q) => q.status === 'failed'), 'no query failed');
  t.ok(queries.some((q) => (q.status === 'retrying' || q.status === 'recovering') && /cannot be written/.test(q.error ?? '')), 'GET /v1/queries showed a query retrying or recovering with the storage error');
}

/** After it: storage up again, and (the faults here meet a checkpoint) the database was reopened. */
async function checkRecovered(t: Test, url: string): Promise<void> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  t.match(metrics, /^eddy_storage_up 1$/m, '/metrics: storage up again');
  const recoveries = Number(/^eddy_storage_recoveries_total (\d+)$/m.exec(metrics)?.[1]);
  t.ok(recoveries >= 1, `the database was invalidated and reopened without a restart (${recoveries} times)`);
}

t.test('a full disk mid-run: 503s while full, every acknowledged push exactly once after, no restart', { skip: builtCliMissing() || cannotMount() }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-full-'));
  const disk = mountTmpfs(path.join(root, 'fs'), 24);
  t.teardown(() => {
    disk.unmount();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const { server, out } = await startPipeline(t, disk.dir);
  const url = server.httpUrl;

  const pushes = new PushStream(url, 'clicks');
  const watcher = new Watcher(url, VIEW_SELECT);
  await sleep(1500);
  const ackedBefore = pushes.acked.length;
  t.ok(ackedBefore > 0, `${ackedBefore} rows acknowledged before the fault`);

  const fullAt = Date.now();
  t.comment(`filled the disk with ${disk.fill()} bytes`);
  await sleep(1500);
  // a push bigger than the WAL's checkpoint threshold: DuckDB checkpoints instead of logging it,
  // the checkpoint cannot be written, and DuckDB invalidates the database (FATAL)
  const big = Array.from({ length: 5000 }, (_, i) => 10_000_000 + i);
  const bigPush = pushUntilAcked(url, 'clicks', big);
  await sleep(2500);
  disk.unfill();
  const healedAt = Date.now();
  const recoverMs = await healthyWithin(url, 60_000);
  t.comment(`/healthz ok ${recoverMs} ms after the space came back`);
  while (pushes.lastAck < healedAt) await sleep(50);
  t.comment(`first push acknowledged ${pushes.lastAck - healedAt} ms after the space came back`);
  await sleep(1000);
  await pushes.stop();
  await watcher.stop();
  const bigStatuses = await bigPush;
  t.comment(`the big push answered ${bigStatuses.join(', ')}`);
  t.equal(bigStatuses[0], 503, 'the big push was refused while the disk was full');
  const acked = [...pushes.acked, ...big];
  t.comment(`slowest push: ${pushes.slowestMs} ms`);
  if (process.env.DEBUG_STORAGE_TEST) t.comment(server.output().split('\n').filter((l) => !l.includes('"level":30')).slice(-60).join('\n'));

  checkReported(t, pushes, watcher, fullAt, /No space left on device/);
  await checkRecovered(t, url);

  await checkExactlyOnce(t, url, out, acked);
  t.equal(server.child.exitCode, null, 'the same server process ran throughout');
});

t.test('the data directory goes read-only mid-run: 503s meanwhile, every acknowledged push exactly once after, no restart', { skip: builtCliMissing() || cannotMountFuse() }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-ro-'));
  const disk = await mountFaultFs(path.join(root, 'backing'), path.join(root, 'fs'));
  t.teardown(async () => {
    await disk.unmount();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const { server, out } = await startPipeline(t, disk.dir);
  const url = server.httpUrl;

  const pushes = new PushStream(url, 'clicks');
  const watcher = new Watcher(url, VIEW_SELECT);
  await sleep(1500);
  t.ok(pushes.acked.length > 0, `${pushes.acked.length} rows acknowledged before the fault`);

  const roAt = Date.now();
  disk.setMode('ro');
  await sleep(1000);
  const big = Array.from({ length: 5000 }, (_, i) => 10_000_000 + i);
  const bigPush = pushUntilAcked(url, 'clicks', big);
  await sleep(3000);
  disk.setMode('rw');
  const healedAt = Date.now();
  const recoverMs = await healthyWithin(url, 60_000);
  t.comment(`/healthz ok ${recoverMs} ms after the file system became writable again`);
  while (pushes.lastAck < healedAt) await sleep(50);
  t.comment(`first push acknowledged ${pushes.lastAck - healedAt} ms after`);
  await sleep(1000);
  await pushes.stop();
  await watcher.stop();
  const bigStatuses = await bigPush;
  t.comment(`the big push answered ${bigStatuses.join(', ')}; slowest push ${pushes.slowestMs} ms`);
  if (process.env.DEBUG_STORAGE_TEST) t.comment(server.output().split('\n').filter((l) => !l.includes('"level":30')).slice(-60).join('\n'));

  t.equal(bigStatuses[0], 503, 'the big push was refused while read-only');
  checkReported(t, pushes, watcher, roAt, /Read-only file system/);
  await checkRecovered(t, url);

  await checkExactlyOnce(t, url, out, [...pushes.acked, ...big]);
  t.equal(server.child.exitCode, null, 'the same server process ran throughout');
});

t.test('a push whose checkpoint failed after its rows were written answers success; its retry-on-503 client duplicates nothing', { skip: builtCliMissing() || cannotMountFuse() }, async (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-doubt-'));
  const disk = await mountFaultFs(path.join(root, 'backing'), path.join(root, 'fs'));
  t.teardown(async () => {
    await disk.unmount();
    fs.rmSync(root, { recursive: true, force: true });
  });
  const { server, out } = await startPipeline(t, disk.dir);
  const url = server.httpUrl;
  const small = Array.from({ length: 100 }, (_, i) => i + 1);
  t.same(await pushUntilAcked(url, 'clicks', small), [200]);
  await checkExactlyOnce(t, url, out, small);
  await sleep(1000); // the queries' last writes (the sink's outbox cleared) are done: they are idle now
  t.match(await (await fetch(`${url}/metrics`)).text(), /^eddy_storage_recoveries_total 0$/m, 'no recovery so far');

  // The push is bigger than the checkpoint threshold: DuckDB writes it into the database file and
  // its headers, and then the fsync fails. DuckDB answers FATAL ("Failed to create checkpoint") and
  // invalidates the database, though the file holds the rows: reopened, it shows them.
  disk.setMode('header-fsync');
  const big = Array.from({ length: 5000 }, (_, i) => 10_000_000 + i);
  const statuses = await pushUntilAcked(url, 'clicks', big);
  t.same(statuses, [200], 'the push answered success at once: its rows were stored');
  // its log line crosses a pipe of its own, which may arrive after the HTTP answer
  for (let i = 0; i < 100 && !/an append whose write reported a failure was stored/.test(server.output()); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(server.output(), /an append whose write reported a failure was stored: answering success/, 'the server says why');
  disk.setMode('rw');
  t.comment(`/healthz ok ${await healthyWithin(url, 60_000)} ms after the fsyncs work again`);
  await checkExactlyOnce(t, url, out, [...small, ...big]);
});
