/** Connection.queryOne / prepareOne / checkSingle: a client's text is one statement of its kind for DuckDB's own parser. */
import t from 'tap';
import { Database } from '../../src/duck/index.js';

t.test('more than one statement, or another kind, is refused before anything runs', async (t) => {
  const db = await Database.open(':memory:');
  t.teardown(() => db.close());
  const conn = await db.connect();
  await conn.run('CREATE TABLE victim (x INT); INSERT INTO victim VALUES (1)');
  t.same((await conn.queryOne('SELECT x FROM victim', ['select'], 'the query')).rows, [[1]]);
  await t.rejects(conn.queryOne('SELECT 1 --\r; DROP TABLE victim', ['select'], 'the query'), {
    code: 'SYNTAX_ERROR',
    message: 'the query must be one statement, but DuckDB reads 2 statements in it',
  });
  await t.rejects(conn.queryOne('DROP TABLE victim', ['select'], 'the query'), { code: 'INSUFFICIENT_PRIVILEGE', message: /must be SELECT, but it begins with DROP/ });
  await t.rejects(conn.queryOne("/* c */ COPY victim TO '/tmp/x.csv'", ['select', 'insert'], 'the query'), { code: 'INSUFFICIENT_PRIVILEGE', message: /SELECT or INSERT, but it begins with COPY/ });
  // binding EXPORT DATABASE already makes its directory: refused before DuckDB binds it
  const exported = `${t.testdirName}-export`;
  await t.rejects(conn.queryOne(`EXPORT DATABASE '${exported}'`, ['select'], 'the query'), { code: 'INSUFFICIENT_PRIVILEGE' });
  t.notOk((await import('node:fs')).existsSync(exported), 'no directory was made');
  // a WITH may lead to any kind: DuckDB's own classification decides
  await t.rejects(conn.queryOne('WITH a AS (SELECT 1) DELETE FROM victim', ['select'], 'the query'), { code: 'INSUFFICIENT_PRIVILEGE', message: /must be SELECT, but DuckDB reads it as DELETE/ });
  await t.rejects(conn.queryOne('   ', ['select'], 'the query'), { code: 'SYNTAX_ERROR', message: /found none/ });
  await t.rejects(conn.checkSingle('VALUES (1)) ; DROP TABLE victim; SELECT ((1', 'the rows'), /must be one statement|Parser Error/);
  await conn.checkSingle('VALUES (1), (2) -- a trailing comment', 'the rows');
  t.same((await conn.query('SELECT count(*) FROM victim')).rows, [[1n]].map((r) => r.map(Number)), 'the victim is still there');
});

t.test('allowedDirectories confines every file DuckDB touches, and cannot be widened later', async (t) => {
  const dir = t.testdir({ root: { 'a.csv': 'x\n1\n' }, outside: { 'b.csv': 'x\n2\n' } });
  const db = await Database.open(':memory:', { allowedDirectories: [`${dir}/root`] });
  t.teardown(() => db.close());
  const conn = await db.connect();
  t.same((await conn.query(`SELECT x FROM read_csv('${dir}/root/a.csv')`)).rows, [[1]]);
  for (const sql of [
    `SELECT * FROM read_csv('${dir}/outside/b.csv')`,
    `SELECT * FROM read_csv('${dir}/root/../outside/b.csv')`,
    "SELECT length(content) FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    `COPY (SELECT 1) TO '${dir}/outside/c.csv'`,
    `ATTACH '${dir}/outside/d.duckdb' AS d`,
    'INSTALL httpfs',
    `SET allowed_directories = ['/']`,
    'SET enable_external_access = true',
  ]) {
    await t.rejects(conn.run(sql), /Permission Error|Cannot (change|enable)/, sql);
  }
  await conn.run(`COPY (SELECT 1 AS x) TO '${dir}/root/c.csv'`);
  t.same((await conn.query(`SELECT x FROM read_csv('${dir}/root/c.csv')`)).rows, [[1]]);
});
