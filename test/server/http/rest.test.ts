import t from 'tap';
import { getJson, postJson, sql, startTestServer } from './helpers.js';

t.test('POST /v1/sql runs statements and returns tags, typed columns and rows', async (t) => {
  const { url } = await startTestServer(t);
  const created = await sql(url, `CREATE SOURCE clicks (user_id BIGINT, url VARCHAR);
    CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id;
    INSERT INTO clicks VALUES (1, '/a'), (1, '/b'), (2, '/a')`);
  t.equal(created.status, 200, JSON.stringify(created.body));
  t.same(created.body.results.map((r: any) => r.tag), ['CREATE SOURCE', 'CREATE MATERIALIZED VIEW', 'INSERT 0 3']);
  const big = await sql(url, `SELECT 9007199254740993::BIGINT AS big, 'x' AS s, [1, 2] AS l, NULL AS z`);
  t.same(big.body.results[0], { tag: 'SELECT 1', columns: [{ name: 'big', type: 'BIGINT' }, { name: 's', type: 'VARCHAR' }, { name: 'l', type: 'INTEGER[]' }, { name: 'z', type: 'INTEGER' }], rows: [['9007199254740993', 'x', [1, 2], null]] });
});

t.test('errors are JSON with code, SQLSTATE, position, hint and the HTTP status of the error', async (t) => {
  const { url } = await startTestServer(t);
  const syntax = await sql(url, 'SELECT 1;\nSELEC 2');
  t.equal(syntax.status, 400);
  t.equal(syntax.body.error.code, 'SYNTAX_ERROR');
  t.equal(syntax.body.error.sqlstate, '42601');
  t.equal(syntax.body.error.position.line, 2);
  const missing = await sql(url, 'SELECT 1 AS one; SELECT * FROM nowhere');
  t.equal(missing.status, 404);
  t.equal(missing.body.error.sqlstate, '42P01');
  t.same(missing.body.results.map((r: any) => r.tag), ['SELECT 1'], 'results of the statements before the error');
  const invalid = await postJson(`${url}/v1/sql`, { query: 'SELECT 1' });
  t.equal(invalid.status, 400);
  t.equal(invalid.body.error.code, 'INVALID_PARAMETER');
  t.match(invalid.body.error.message, /sql/);
  const notJson = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sql": ' });
  t.equal(notJson.status, 400);
  t.equal(((await notJson.json()) as any).error.code, 'INVALID_PARAMETER');
  const noRoute = await getJson(`${url}/v1/nothing`);
  t.equal(noRoute.status, 404);
  t.match(noRoute.body.error.message, /no route GET \/v1\/nothing/);
});

t.test('queries: list, one with its progress, drop', async (t) => {
  const { url, engine } = await startTestServer(t);
  await sql(url, `CREATE SOURCE s (k VARCHAR, v BIGINT);
    CREATE MATERIALIZED VIEW totals AS SELECT k, sum(v) AS total FROM s GROUP BY k;
    CREATE SINK out FROM totals WITH (connector = 'blackhole', output_mode = 'update');
    INSERT INTO s VALUES ('a', 1), ('b', 2)`);
  await engine.drain();
  const list = await getJson(`${url}/v1/queries`);
  t.equal(list.status, 200);
  t.same(list.body.queries.map((q: any) => [q.name, q.kind, q.status]), [['totals', 'materialized_view', 'running'], ['out', 'sink', 'running']]);
  const one = await getJson(`${url}/v1/queries/totals`);
  t.equal(one.status, 200);
  t.equal(one.body.query.name, 'totals');
  t.equal(one.body.progress.name, 'totals');
  t.equal(one.body.progress.batchId, one.body.query.lastBatch);
  t.ok(one.body.recentProgress.some((p: any) => p.numInputRows === 2), 'a batch read both rows');
  t.type(one.body.progress.durationMs.triggerExecution, 'number');
  const unknown = await getJson(`${url}/v1/queries/nope`);
  t.equal(unknown.status, 404);
  t.equal(unknown.body.error.code, 'UNDEFINED_TABLE');
  const blocked = await fetch(`${url}/v1/queries/totals`, { method: 'DELETE' });
  t.equal(blocked.status, 409, 'the sink reads totals');
  t.equal(((await blocked.json()) as any).error.sqlstate, '2BP01');
  const dropSink = await fetch(`${url}/v1/queries/out`, { method: 'DELETE' });
  t.same(await dropSink.json(), { dropped: 'out', tag: 'DROP SINK' });
  t.equal((await fetch(`${url}/v1/queries/totals`, { method: 'DELETE' })).status, 200);
  t.same((await getJson(`${url}/v1/queries`)).body.queries, []);
});

t.test('POST /v1/sources/:name/rows appends JSON arrays and NDJSON; bad rows name index and column', async (t) => {
  const { url, engine } = await startTestServer(t);
  await sql(url, `CREATE SOURCE ev (id BIGINT, name VARCHAR, at TIMESTAMP); CREATE TABLE tab (a INT)`);
  const array = await postJson(`${url}/v1/sources/ev/rows`, [{ id: 1, name: 'a', at: '2026-01-01 00:00:00' }, { id: 2, name: null }]);
  t.same(array, { status: 200, body: { source: 'ev', rows: 2 } });
  const ndjson = await fetch(`${url}/v1/sources/ev/rows`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: '{"id": 3, "name": "c"}\n\n{"id": 4}\n',
  });
  t.same(await ndjson.json(), { source: 'ev', rows: 2 });
  const bad = await postJson(`${url}/v1/sources/ev/rows`, [{ id: 5 }, { id: 'six' }]);
  t.equal(bad.status, 422);
  t.equal(bad.body.error.code, 'BAD_INPUT_ROW');
  t.match(bad.body.error.message, /row index 1/);
  t.match(bad.body.error.message, /id/);
  const unknownColumn = await postJson(`${url}/v1/sources/ev/rows`, [{ id: 7, colour: 'red' }]);
  t.equal(unknownColumn.status, 422);
  t.match(unknownColumn.body.error.message, /row index 0.*unknown column "colour"/);
  const badLine = await fetch(`${url}/v1/sources/ev/rows`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"id": 8}\n{oops\n' });
  t.equal(badLine.status, 422);
  t.match(((await badLine.json()) as any).error.message, /row index 1: not JSON/);
  const notRows = await postJson(`${url}/v1/sources/ev/rows`, { id: 1 });
  t.equal(notRows.status, 400);
  t.equal((await postJson(`${url}/v1/sources/tab/rows`, [{ a: 1 }])).status, 400, 'a table is not a push source');
  t.equal((await postJson(`${url}/v1/sources/none/rows`, [{ a: 1 }])).status, 404);
  const rows = await sql(url, 'SELECT id, name FROM ev ORDER BY id');
  t.same(rows.body.results[0].rows, [[1, 'a'], [2, null], [3, 'c'], [4, null]], 'nothing of the failed requests was appended');
  await engine.drain();
});

t.test('healthz, metrics and bearer tokens', async (t) => {
  const { url, engine } = await startTestServer(t, { tokens: ['s3cret', 'other'] });
  const auth = { authorization: 'Bearer s3cret' };
  const health = await getJson(`${url}/healthz`);
  t.same(health, { status: 200, body: { status: 'ok', queries: {} } }, 'healthz needs no token');
  const denied = await sql(url, 'SELECT 1');
  t.equal(denied.status, 401);
  t.equal(denied.body.error.code, 'UNAUTHORIZED');
  t.equal(denied.body.error.sqlstate, '28000');
  t.equal((await sql(url, 'SELECT 1', { authorization: 'Bearer wrong' })).status, 401);
  t.equal((await sql(url, 'SELECT 1', { authorization: 'Basic s3cret' })).status, 401);
  t.equal((await sql(url, 'SELECT 1', { authorization: 'Bearer other' })).status, 200);
  t.equal((await fetch(`${url}/metrics`)).status, 401);
  await sql(url, `CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW c AS SELECT k, count(*) AS n FROM s GROUP BY k; INSERT INTO s VALUES ('a'), ('b'), ('a')`, auth);
  await engine.drain();
  const metrics = await fetch(`${url}/metrics`, { headers: auth });
  t.equal(metrics.status, 200);
  t.match(metrics.headers.get('content-type'), /text\/plain/);
  const text = await metrics.text();
  t.match(text, /# TYPE eddy_query_input_rows_total counter\neddy_query_input_rows_total\{query="c"\} 3\n/);
  t.match(text, /eddy_query_output_rows_total\{query="c"\} [1-9]/);
  t.match(text, /eddy_query_batch_duration_seconds_count\{query="c"\} [1-9]/);
  t.match(text, /eddy_query_batch_duration_seconds_bucket\{query="c",le="\+Inf"\} [1-9]/);
  t.match(text, /eddy_query_state_rows\{query="c",operator="[^"]+"\} 2/);
  t.match(text, /eddy_query_late_rows_total\{query="c"\} 0/);
  t.match(text, /eddy_query_up\{query="c",kind="materialized_view",status="running"\} 1/);
  t.match(text, /# TYPE eddy_subscribers gauge/);
  t.match(text, new RegExp(`# TYPE eddy_duckdb_threads gauge\neddy_duckdb_threads ${engine.duckdbThreads}\n`));
  for (const line of text.trim().split('\n')) t.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/, `well-formed: ${line}`);
});
