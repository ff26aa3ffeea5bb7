/**
 * Statements DuckDB refuses get the SQLSTATE PostgreSQL would give them, never XX000: each family of
 * DuckDB errors (binder, catalog, conversion, constraint, parser, transaction), run for real.
 */
import t from 'tap';
import { openTempEngine } from '../support/temp-engine.js';

const CASES: readonly (readonly [string, string])[] = [
  ['SELECT nope FROM t', '42703'],
  ['SELECT * FROM nope', '42P01'],
  ['SELECT nope_fn()', '42883'],
  ["SELECT abs('x', 1)", '42883'],
  ["SELECT 'x' + 1", '42725'],
  ['SELECT a FROM t GROUP BY b', '42803'],
  ['SELECT sum(sum(a)) FROM t', '42803'],
  ['SELECT * FROM t WHERE sum(a) > 1', '42803'],
  ['SELECT a FROM t ORDER BY 5', '42P10'],
  ['SELECT (SELECT 1, 2)', '42000'],
  ['SELECT a FROM t UNION SELECT 1, 2', '42000'],
  ['SELECT * FROM t LIMIT -1', '42000'],
  ['SELECT 1::DECIMAL(40,1)', '42000'],
  ["SELECT 'a' COLLATE nope", '42704'],
  ["SELECT CAST('x' AS INT)", '22P02'],
  ["SELECT 'x'::JSON", '22P02'],
  ['SELECT 1::UUID', '42846'],
  ['SELECT 300::TINYINT', '22003'],
  ['SELECT 9223372036854775807 + 1', '22003'],
  ["SELECT '2024-13-01'::TIMESTAMP", '22008'],
  ['SELECT make_date(2024, 13, 1)', '22008'],
  ["SELECT 'abc'::DATE", '22007'],
  ["SELECT strptime('x', '%Y')", '22007'],
  ['SELECT (SELECT 1 UNION SELECT 2)', '21000'],
  ["SELECT error('boom')", '22023'],
  ['INSERT INTO t VALUES (NULL, 1)', '23502'],
  ['INSERT INTO t VALUES (2, 7)', '23505'],
  ['INSERT INTO t VALUES (1)', '42000'],
  ['INSERT INTO t (zz) VALUES (1)', '42703'],
  ['SELECT [1,2][1:2:3:4]', '42601'],
  [`SELECT ${'['.repeat(1100)}1${']'.repeat(1100)}`, '54001'],
];

t.test('DuckDB errors map to PostgreSQL SQLSTATEs', async (t) => {
  const engine = await openTempEngine(t, 'duck-errors');
  await engine.execute('CREATE TABLE t (a BIGINT NOT NULL, b INTEGER PRIMARY KEY); INSERT INTO t VALUES (1, 7)');
  for (const [sql, sqlstate] of CASES) {
    const error = await engine.execute(sql).then(
      () => null,
      (e: unknown) => e as { sqlstate?: string; message?: string },
    );
    t.equal(error?.sqlstate, sqlstate, `${sql.slice(0, 60)} -> ${sqlstate} (${error?.message?.slice(0, 120)})`);
  }
});

t.test("DuckDB's advice to SET max_expression_depth is not passed on", async (t) => {
  const engine = await openTempEngine(t, 'duck-errors');
  const sql = `SELECT ${'['.repeat(1100)}1${']'.repeat(1100)}`;
  const error = (await engine.execute(sql).catch((e: unknown) => e)) as { sqlstate: string; message: string; hint?: string };
  t.equal(error.sqlstate, '54001');
  t.notMatch(error.message, /SET max_expression_depth/);
  t.match(error.hint, /at most 1000 levels of nesting/);
});
