/** Bodies too large or too deep, and SQL nested too deeply, are clean 4xx errors; the server goes on. */
import t from 'tap';
import { sql, startTestServer } from './helpers.js';

async function post(url: string, contentType: string, body: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, body: await res.json() };
}

const deepArray = (n: number): string => '['.repeat(n) + ']'.repeat(n);

t.test('a 100,000-deep JSON value in pushed rows is a 400 naming the depth limit, not a 500', async (t) => {
  const { url } = await startTestServer(t);
  await sql(url, 'CREATE SOURCE s (a BIGINT, j JSON)');
  for (const [type, body] of [
    ['application/json', `[{"a": 1, "j": ${deepArray(100_000)}}]`],
    ['application/x-ndjson', `{"a": 1, "j": ${deepArray(100_000)}}\n`],
    ['application/json', `[{"a": 1, "j": ${'{"k":'.repeat(50_000)}1${'}'.repeat(50_000)}}]`],
  ] as const) {
    const answer = await post(`${url}/v1/sources/s/rows`, type, body);
    t.equal(answer.status, 400, type);
    t.equal(answer.body.error.sqlstate, '54001');
    t.match(answer.body.error.message, /nests deeper than 64 levels/);
  }
  const ok = await post(`${url}/v1/sources/s/rows`, 'application/json', `[{"a": 1, "j": ${deepArray(20)}}]`);
  t.equal(ok.status, 200, 'moderate nesting is accepted');
  t.equal((await sql(url, 'SELECT count(*)::INTEGER AS n FROM s')).body.results[0].rows[0][0], 1);
});

t.test('the depth limit is configurable', async (t) => {
  const { url } = await startTestServer(t, { limits: { maxJsonDepth: 4 } });
  const answer = await post(`${url}/v1/sql`, 'application/json', `{"sql": "SELECT 1", "x": ${deepArray(4)}}`);
  t.equal(answer.status, 400);
  t.match(answer.body.error.message, /deeper than 4 levels/);
});

t.test('a body over its route limit is 413 LIMIT_EXCEEDED naming the limit', async (t) => {
  const { url } = await startTestServer(t, { limits: { bodyLimitBytes: 1000, rowsBodyLimitBytes: 2000 } });
  await sql(url, 'CREATE SOURCE s (a VARCHAR)');
  const big = await post(`${url}/v1/sql`, 'application/json', JSON.stringify({ sql: `SELECT '${'x'.repeat(2000)}'` }));
  t.equal(big.status, 413);
  t.equal(big.body.error.code, 'LIMIT_EXCEEDED');
  t.equal(big.body.error.sqlstate, '54000');
  t.match(big.body.error.message, /exceeds the limit of 1000 bytes/);
  const rows = await post(`${url}/v1/sources/s/rows`, 'application/json', JSON.stringify([{ a: 'y'.repeat(3000) }]));
  t.equal(rows.status, 413);
  t.match(rows.body.error.message, /exceeds the limit of 2000 bytes/);
  t.equal((await sql(url, 'SELECT 1 AS x')).status, 200, 'the server goes on');
});

t.test('SQL with 5,000 nested parentheses or a 20,000-term OR chain is a 400 with 54001', async (t) => {
  const { url } = await startTestServer(t, { limits: { bodyLimitBytes: 4 * 1024 * 1024 } });
  await sql(url, 'CREATE TABLE t (a BIGINT)');
  const chain = Array.from({ length: 20_000 }, (_, i) => `a = ${i}`).join(' OR ');
  for (const text of [`SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`, `SELECT * FROM t WHERE ${chain}`]) {
    const answer = await sql(url, text);
    t.equal(answer.status, 400, text.slice(0, 30));
    t.equal(answer.body.error.sqlstate, '54001');
    t.match(answer.body.error.message, /statement too complex/);
  }
});
