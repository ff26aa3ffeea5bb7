/**
 * `eddy serve` as a user starts it (no --file-root), attacked as issue 14 found it: SQL smuggled
 * past Eddy's lexer through psql and HTTP, and file access from SQL. Real psql, real HTTP.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { serveInProcess } from '../support/serve-in-process.js';

const PSQL = '/usr/bin/psql';

function psql(port: number, command: string, cwd: string): Promise<{ out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(PSQL, ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'eddy', '-c', command], { cwd, timeout: 20_000 }, (_error, out, err) => resolve({ out, err }));
  });
}

async function sql(url: string, text: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: text }) });
  return { status: res.status, body: await res.json() };
}

/** What DuckDB has as tables and what Eddy's catalog lists, which must agree. */
async function tableNames(url: string): Promise<{ duck: string[]; eddy: string[] }> {
  const duck = await sql(url, `SELECT table_name FROM duckdb_tables() WHERE database_name = 'eddy' AND schema_name = 'main' AND table_name IN ('victim', 'other') ORDER BY 1`);
  const eddy = await sql(url, 'SHOW TABLES');
  return {
    duck: duck.body.results[0].rows.map((r: unknown[]) => r[0]).sort(),
    eddy: eddy.body.results[0].rows.map((r: unknown[]) => r[0]).sort(),
  };
}

t.test('the issue\'s psql -c smuggling: each statement runs as Eddy reads it, none unseen, no file', { skip: !fs.existsSync(PSQL) && 'psql is not installed' }, async (t) => {
  const { pgPort, httpUrl, dir } = await serveInProcess(t);
  t.equal((await sql(httpUrl, 'CREATE TABLE victim (x INT); CREATE TABLE other (x INT); INSERT INTO victim VALUES (1)')).status, 200);
  const { out, err } = await psql(pgPort, "SELECT 1 --\r; DROP TABLE victim; COPY (SELECT 'x' AS x) TO 'escaped.txt'; SELECT 2\n+ 0", dir);
  // PostgreSQL ends the comment at \r too: SELECT 1, then DROP TABLE victim (Eddy's own), then a COPY
  // to a file, which Eddy refuses, so the script stops there
  t.match(out, /DROP TABLE/);
  t.match(err, /ERROR:\s+COPY supports only/);
  t.same(await tableNames(httpUrl), { duck: ['other'], eddy: ['other'] }, "Eddy's catalog and DuckDB agree");
  for (const where of [dir, path.join(dir, 'data'), process.cwd()]) t.notOk(fs.existsSync(path.join(where, 'escaped.txt')), `no file in ${where}`);
});

t.test('HTTP: INSERT ... --\\r and a column DEFAULT cannot hide a statement either', async (t) => {
  const { httpUrl } = await serveInProcess(t);
  await sql(httpUrl, 'CREATE TABLE victim (x INT); CREATE TABLE other (x INT); CREATE SOURCE clicks (id BIGINT)');
  for (const text of [
    'INSERT INTO other VALUES (1) --\r; DELETE FROM victim',
    'INSERT INTO clicks VALUES (1) --\r; DROP TABLE other',
    'CREATE TABLE t3 (a INT DEFAULT 1 --\r); DROP TABLE victim; --\n)',
  ]) {
    const res = await sql(httpUrl, text);
    t.not(res.status, 500, `${JSON.stringify(text)}: ${JSON.stringify(res.body)}`);
    const names = await tableNames(httpUrl);
    t.same(names.duck, names.eddy, `after ${JSON.stringify(text)}`);
  }
});

t.test('a server without --file-root lets no SQL touch a file; with one, only under it', async (t) => {
  const { pgPort, httpUrl, dir } = await serveInProcess(t);
  for (const text of ["SELECT length(content) AS n FROM read_text('/etc/passwd')", "SELECT * FROM glob('/etc/*')", "SELECT * FROM read_csv('/etc/hostname')"]) {
    const res = await sql(httpUrl, text);
    t.equal(res.status, 403, text);
    t.equal(res.body.error.sqlstate, '42501', text);
    if (fs.existsSync(PSQL)) t.match((await psql(pgPort, text, dir)).err, /ERROR:\s+SELECT failed: Permission Error/, `psql: ${text}`);
  }
  const source = await sql(httpUrl, "CREATE SOURCE logs (a INT) WITH (connector = 'file', path = '/etc/*.json')");
  t.equal(source.body.error.sqlstate, '42501');
  t.match(source.body.error.message, /file sources and sinks are disabled/);
  for (const text of ["COPY (SELECT 1) TO '/tmp/eddy-escaped.csv'", "EXPORT DATABASE '/tmp/eddy-escaped'", "ATTACH '/tmp/eddy-escaped.duckdb' AS e", 'INSTALL httpfs', 'LOAD parquet', 'SET threads = 1', 'PRAGMA version', 'CHECKPOINT']) {
    const res = await sql(httpUrl, text);
    t.equal(res.status, 400, `${text}: ${JSON.stringify(res.body)}`);
    t.equal(res.body.error.sqlstate, '42601', text);
  }
  t.notOk(fs.existsSync('/tmp/eddy-escaped.csv') || fs.existsSync('/tmp/eddy-escaped') || fs.existsSync('/tmp/eddy-escaped.duckdb'));

  const root = path.join(dir, 'files');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'a.csv'), 'x\n7\n');
  const confined = await serveInProcess(t, ['--file-root', root]);
  t.same((await sql(confined.httpUrl, `SELECT x FROM read_csv('${root}/a.csv')`)).body.results[0].rows, [[7]]);
  t.equal((await sql(confined.httpUrl, "SELECT length(content) AS n FROM read_text('/etc/passwd')")).status, 403);
  fs.writeFileSync(path.join(dir, 'outside.csv'), 'x\n8\n');
  t.equal((await sql(confined.httpUrl, `SELECT * FROM read_csv('${root}/../outside.csv')`)).status, 403, 'a .. that leaves the root is refused');
});
