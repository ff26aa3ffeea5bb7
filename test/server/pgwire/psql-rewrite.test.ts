import t from 'tap';
import { rewritePsqlSpellings } from '../../../src/server/pgwire/psql-rewrite.js';

t.test("psql's spellings are rewritten for DuckDB", async (t) => {
  t.equal(
    rewritePsqlSpellings("SELECT c.oid::pg_catalog.regclass FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE pg_catalog.default"),
    "SELECT c.oid::VARCHAR FROM pg_class c WHERE c.relname ~ '^(t)$'",
  );
  t.equal(rewritePsqlSpellings("SELECT '16387'::pg_catalog.oid, t::\"char\""), "SELECT '16387'::BIGINT, t::VARCHAR");
  t.equal(rewritePsqlSpellings('SELECT s FROM generate_series(1, 3) s WHERE s > 1'), 'SELECT s FROM generate_series(1, 3) AS s(s) WHERE s > 1');
});

t.test('strings, quoted names and comments are left as written', async (t) => {
  const sql = `SELECT 'pg_catalog.x::regclass', "pg_catalog.y" /* OPERATOR(pg_catalog.~) */ FROM t -- COLLATE pg_catalog.default`;
  t.equal(rewritePsqlSpellings(sql), sql);
});
