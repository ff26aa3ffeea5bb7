/**
 * Pull queries against a real server: a result far larger than the server's heap streams through
 * psql's protocol and HTTP with bounded memory; a cancel (pg CancelRequest, an HTTP client leaving)
 * interrupts DuckDB; a long SELECT holds up no other session's writes.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { CountingPgClient } from '../../bench/support/counting-pg-client.js';
import { builtCliMissing, startServeChild } from '../support/serve-child.js';
import { connect, eventually, startServer } from '../server/pgwire/helpers.js';
import { startTestServer } from '../server/http/helpers.js';

const PSQL = '/usr/bin/psql';
/** A query DuckDB works on for minutes: only a cancel ends it within a test's time. */
const ENDLESS = 'SELECT count(*) AS n FROM range(1000000000000) t(x) WHERE x % 7 = 3';

t.test('5M rows stream through the wire and HTTP from a server with a 128 MB heap', { skip: builtCliMissing() }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-pull-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // 5M rows of two BIGINTs as JS arrays take ~600 MB: a server that held a result whole would die here
  const server = await startServeChild(path.join(dir, 'data'), { nodeArgs: ['--max-old-space-size=128'] });
  t.teardown(() => server.kill());
  const rows = 5_000_000;
  const client = await CountingPgClient.connect(server.pgPort);
  t.teardown(() => client.close());
  const counted = await client.query(`SELECT range AS a, range * 2 AS b FROM range(${rows})`);
  t.same([counted.rows, counted.error], [rows, null], 'every row arrived over the wire');

  const res = await fetch(`${server.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: `SELECT range AS a FROM range(${rows})` }) });
  t.equal(res.status, 200);
  let bytes = 0;
  let tail = '';
  for await (const chunk of res.body!) {
    bytes += chunk.length;
    tail = (tail + Buffer.from(chunk).toString()).slice(-200);
  }
  t.ok(bytes > rows * 2, `${bytes} bytes of JSON`);
  t.match(tail, new RegExp(`"tag":"SELECT ${rows}"}]}$`), 'the body ends with the count of the rows streamed');
  t.equal((await client.query('SELECT 42')).rows, 1, 'the server still answers');
  const peak = server.peakRss();
  if (peak !== null) t.ok(peak < 1024 * 1024 * 1024, `peak RSS ${Math.round(peak / 1e6)} MB`);
});

t.test('psql Ctrl-C (CancelRequest) interrupts DuckDB', { skip: !fs.existsSync(PSQL) && 'psql is not installed' }, async (t) => {
  const { port, engine } = await startServer(t, '');
  const child = spawn(PSQL, ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'eddy', '-c', ENDLESS]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await eventually(() => engine.pullQueriesRunning === 1);
  child.kill('SIGINT');
  t.equal(await exited, 1);
  t.match(err, /canceling statement due to user request/);
  await eventually(() => engine.pullQueriesRunning === 0, 20_000);
});

t.test('an HTTP client that goes away interrupts its query', async (t) => {
  const { url, engine } = await startTestServer(t);
  const abort = new AbortController();
  const request = fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: ENDLESS }), signal: abort.signal }).catch((e: Error) => e);
  await eventually(() => engine.pullQueriesRunning === 1);
  abort.abort();
  t.type(await request, Error);
  await eventually(() => engine.pullQueriesRunning === 0, 20_000);
  const after = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT 1 AS one' }) });
  t.same((await after.json()).results[0].rows, [[1]]);
});

t.test("a long SELECT holds up no other session's writes or DDL", async (t) => {
  const { port, engine } = await startServer(t, 'CREATE SOURCE clicks (id BIGINT); CREATE TABLE t (a INT)');
  const reader = await connect(t, port);
  const writer = await connect(t, port);
  let readerDone = false;
  const long = reader.query(ENDLESS).then(
    () => (readerDone = true),
    (e: Error) => ((readerDone = true), e),
  );
  await eventually(() => engine.pullQueriesRunning === 1);
  await writer.query('INSERT INTO clicks VALUES (1), (2)');
  await writer.query('INSERT INTO t VALUES (1)');
  await writer.query('CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM clicks');
  await engine.drain();
  t.same((await writer.query('SELECT n FROM n')).rows, [{ n: 2 }]);
  t.notOk(readerDone, 'all of that ran while the long SELECT was still running');
  // a client whose connection drops mid-query: its session ends and DuckDB is interrupted
  (reader as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  await long;
  await eventually(() => engine.pullQueriesRunning === 0, 20_000);
});

t.test('a 3,000-column result is described once per result, not once per column', async (t) => {
  const { url } = await startTestServer(t);
  const columns = Array.from({ length: 3000 }, (_, i) => `${i} AS c${i}`).join(', ');
  const res = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: `SELECT ${columns}` }) });
  const body = await res.json();
  t.equal(body.results[0].columns.length, 3000);
  t.equal(body.results[0].rows[0][2999], 2999);
});
