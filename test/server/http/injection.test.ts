import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { TestWsClient } from '../ws/ws-client.js';
import { getJson, postJson, sql, startTestServer } from './helpers.js';

// names, keys, option values and row values that would break out of generated SQL if they were not quoted
const SOURCE = `x'); DROP TABLE t; --`;
const VIEW = `v'); DROP TABLE t; --`;
const COLUMN = `it's; DROP TABLE t; --`;
/** Double quotes inside names: pull queries and push rows accept them; see the second test. */
const DQ_SOURCE = `x"; DROP TABLE t; --`;
const DQ_COLUMN = `we"ird'col`;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

t.test('names, columns, options and rows with quotes go through HTTP and websockets without leaking into SQL', async (t) => {
  const { url, wsUrl, engine, dataDir } = await startTestServer(t);
  const ok = async (text: string) => {
    const res = await sql(url, text);
    t.equal(res.status, 200, `${text}: ${JSON.stringify(res.body.error)}`);
    return res.body.results;
  };
  await ok(`CREATE TABLE t (a INT); INSERT INTO t VALUES (1)`);
  await ok(`CREATE SOURCE ${ident(SOURCE)} (a VARCHAR, ${ident(COLUMN)} VARCHAR)`);
  await ok(`CREATE MATERIALIZED VIEW ${ident(VIEW)} AS SELECT a, ${ident(COLUMN)}, count(*) AS n FROM ${ident(SOURCE)} GROUP BY a, ${ident(COLUMN)}`);
  const outDir = path.join(dataDir, `out'; DROP TABLE t; --`);
  await ok(`CREATE SINK ${ident(`s'k`)} FROM ${ident(SOURCE)} WITH (connector = 'jsonl', path = '${outDir.replaceAll("'", "''")}')`);
  await ok(`CREATE SOURCE files (a INT) WITH (connector = 'file', path = '${path.join(dataDir, `in'; DROP TABLE t; --`, '*.json').replaceAll("'", "''")}')`);

  const client = await TestWsClient.connect(wsUrl);
  t.teardown(() => client.close());
  client.send({ type: 'subscribe', name: VIEW, id: 'weird' });
  await client.until((m) => m.some((x) => x.type === 'subscribed' || x.type === 'error'));
  t.equal(client.messages[0].type, 'subscribed', JSON.stringify(client.messages[0]));

  const rows = [
    { a: `'); DROP TABLE t; --`, [COLUMN]: `"; DROP TABLE t; --` },
    { a: `\\'; SELECT 1; --`, [COLUMN]: `$$; DROP TABLE t; $$` },
  ];
  const appended = await postJson(`${url}/v1/sources/${encodeURIComponent(SOURCE)}/rows`, rows);
  t.same(appended, { status: 200, body: { source: SOURCE, rows: 2 } });
  const badKey = await postJson(`${url}/v1/sources/${encodeURIComponent(SOURCE)}/rows`, [{ [`a" VARCHAR); DROP TABLE t; --`]: 1 }]);
  t.equal(badKey.status, 422);
  t.match(badKey.body.error.message, /unknown column/);
  await ok(`INSERT INTO ${ident(SOURCE)} VALUES ('it''s', 'a "quoted" value')`);
  await engine.drain();

  const view = await ok(`SELECT a, ${ident(COLUMN)} AS c, n FROM ${ident(VIEW)} ORDER BY a`);
  t.same(view[0].rows, [[`'); DROP TABLE t; --`, `"; DROP TABLE t; --`, 1], [`\\'; SELECT 1; --`, `$$; DROP TABLE t; $$`, 1], [`it's`, `a "quoted" value`, 1]].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)));
  await client.until(() => client.of('weird', 'change').length === 3);
  t.same(client.of('weird', 'change').map((m) => m.row[COLUMN]).sort(), [`"; DROP TABLE t; --`, `$$; DROP TABLE t; $$`, `a "quoted" value`].sort());
  const written = fs.readdirSync(outDir, { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
  t.ok(written.length > 0, 'the sink wrote into the directory named with quotes');

  const query = await getJson(`${url}/v1/queries/${encodeURIComponent(VIEW)}`);
  t.equal(query.status, 200);
  t.equal(query.body.query.name, VIEW);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  t.match(metrics, `eddy_query_input_rows_total{query="v'); DROP TABLE t; --"} 3`);
  const sink = `s'k`;
  t.match(metrics, `eddy_query_up{query="s'k",kind="sink",status="running"} 1`);

  t.equal((await fetch(`${url}/v1/queries/${encodeURIComponent(sink)}`, { method: 'DELETE' })).status, 200);
  t.equal((await fetch(`${url}/v1/queries/${encodeURIComponent(VIEW)}`, { method: 'DELETE' })).status, 200);
  t.same((await ok('SELECT a FROM t'))[0].rows, [[1]], 'table t survived every attempt');
  const names = (await ok('SHOW TABLES'))[0];
  t.ok(JSON.stringify(names.rows).includes('"t"'), 'and is still listed');
});

t.test('names with double quotes: accepted where supported, otherwise refused with a clean error; nothing leaks', async (t) => {
  const { url, engine } = await startTestServer(t);
  await sql(url, `CREATE TABLE t (a INT); INSERT INTO t VALUES (1)`);
  const created = await sql(url, `CREATE SOURCE ${ident(DQ_SOURCE)} (a VARCHAR, ${ident(DQ_COLUMN)} VARCHAR)`);
  t.equal(created.status, 200);
  const appended = await postJson(`${url}/v1/sources/${encodeURIComponent(DQ_SOURCE)}/rows`, [{ a: `"); DROP TABLE t; --`, [DQ_COLUMN]: `'); DROP TABLE t; --` }]);
  t.same(appended.body, { source: DQ_SOURCE, rows: 1 });
  const read = await sql(url, `SELECT a, ${ident(DQ_COLUMN)} FROM ${ident(DQ_SOURCE)}`);
  t.same(read.body.results?.[0]?.rows, [[`"); DROP TABLE t; --`, `'); DROP TABLE t; --`]]);
  t.same(read.body.results?.[0]?.columns.map((c: any) => c.name), ['a', DQ_COLUMN]);
  // continuous queries over such names: created, or refused with an error that names no leaked SQL
  for (const text of [
    `CREATE MATERIALIZED VIEW m AS SELECT a, ${ident(DQ_COLUMN)} FROM ${ident(DQ_SOURCE)}`,
    `CREATE SINK k FROM ${ident(DQ_SOURCE)} WITH (connector = 'blackhole')`,
  ]) {
    const res = await sql(url, text);
    t.ok(res.status === 200 || (res.status >= 400 && res.status < 500 && typeof res.body.error?.code === 'string'), `${text}: ${res.status} ${JSON.stringify(res.body.error ?? null)}`);
  }
  await engine.drain();
  t.same((await sql(url, 'SELECT a FROM t')).body.results[0].rows, [[1]], 'table t survived');
});
