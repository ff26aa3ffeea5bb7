/** duckQueryReads: DuckDB's parser lists what a client's query names; the text is data, never run. */
import t from 'tap';
import { Database } from '../../src/duck/index.js';
import { duckQueryReads } from '../../src/duck/query-reads.js';

t.test('relations and functions, qualified or not, as the query writes them', async (t) => {
  const db = await Database.open(':memory:');
  t.teardown(() => db.close());
  const conn = await db.connect();
  const reads = await duckQueryReads(conn, "SELECT pg_catalog.format_type(1, 2), lower(x) FROM pg_catalog.pg_class c JOIN t ON c.oid = t.a WHERE x IN (SELECT y FROM information_schema.tables)");
  t.same(reads?.relations.map((r) => `${r.schema ?? ''}.${r.name}`).sort(), ['.t', 'information_schema.tables', 'pg_catalog.pg_class']);
  t.same(reads?.functions.map((f) => `${f.schema ?? ''}.${f.name}`).sort(), ['.lower', 'pg_catalog.format_type']);
  t.equal(await duckQueryReads(conn, 'INSERT INTO t VALUES (1)'), null, 'not a SELECT: nothing to read');
});

t.test('hostile text is parsed, never run: quotes, comments ending at \\r, smuggled statements, NUL, long text', async (t) => {
  const db = await Database.open(':memory:');
  t.teardown(() => db.close());
  const conn = await db.connect();
  await conn.run('CREATE TABLE victim (a INTEGER)');
  const hostile = [
    "SELECT 1'); DROP TABLE victim; SELECT ('",
    "SELECT 1 --\r; DROP TABLE victim",
    "SELECT ''''; DROP TABLE victim; --'",
    'SELECT 1; DROP TABLE victim',
    "SELECT 'a\u0000b' FROM victim",
    "SELECT \"we\"\"ird\" FROM \"..\"",
    `SELECT ${'1 + '.repeat(50_000)}1`,
    `SELECT '${'x'.repeat(1 << 20)}'`,
  ];
  for (const sql of hostile) {
    await t.resolves(duckQueryReads(conn, sql), `parsed without an error: ${JSON.stringify(sql.slice(0, 40))}`);
  }
  t.same((await conn.queryOne('SELECT count(*) FROM victim', ['select'], 'check')).rows, [[0]], 'victim is still there');
  const weird = await duckQueryReads(conn, 'SELECT "we""ird" FROM ".."');
  t.same(weird?.relations, [{ schema: null, name: '..' }], 'a quoted name is read as the name it spells');
});
