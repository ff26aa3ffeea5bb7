/** The parts of INSERT / UPDATE / DELETE that the engine reads to capture a table's changes. */
import t from 'tap';
import { parseStatement } from '../../src/sql/parser.js';

const parts = (sql: string) => {
  const { start: _start, sql: _sql, ...rest } = parseStatement(sql) as unknown as Record<string, unknown>;
  return rest;
};

t.test('UPDATE: FROM and WHERE at depth 0, IS DISTINCT FROM inside SET kept there', async (t) => {
  t.same(parts('UPDATE t SET v = (SELECT max(x) FROM y), w = a IS DISTINCT FROM b FROM u WHERE t.id = u.id AND u.k IN (SELECT k FROM z)'), {
    kind: 'update', table: 't', alias: null, from: 'u', where: 't.id = u.id AND u.k IN (SELECT k FROM z)', returning: false,
  });
  t.same(parts('UPDATE t SET v = 1 RETURNING *'), { kind: 'update', table: 't', alias: null, from: null, where: null, returning: true });
});

t.test('DELETE: alias, USING and WHERE', async (t) => {
  t.same(parts('DELETE FROM t AS x USING u WHERE x.id = u.id'), { kind: 'delete', table: 't', alias: 'x', from: 'u', where: 'x.id = u.id', returning: false });
  t.same(parts('DELETE FROM t'), { kind: 'delete', table: 't', alias: null, from: null, where: null, returning: false });
});

t.test('INSERT: OR REPLACE / OR IGNORE, ON CONFLICT with its target, a join ON in the rows kept in the body', async (t) => {
  t.match(parts('INSERT INTO t VALUES (1, 2) ON CONFLICT (id) DO UPDATE SET v = excluded.v'), { body: 'VALUES (1, 2)', or: null, conflict: { target: ['id'], action: 'update' }, returning: false });
  t.match(parts('INSERT INTO t SELECT a.x FROM a JOIN b ON a.k = b.k ON CONFLICT DO NOTHING'), { body: 'SELECT a.x FROM a JOIN b ON a.k = b.k', conflict: { target: null, action: 'nothing' } });
  t.match(parts('INSERT OR REPLACE INTO t VALUES (1)'), { or: 'replace', conflict: null });
  t.match(parts('INSERT OR IGNORE INTO t VALUES (1) RETURNING id'), { or: 'ignore', returning: true, body: 'VALUES (1)' });
});

t.test('CREATE TABLE ... APPEND ONLY: DuckDB runs the statement without the clause', async (t) => {
  t.match(parts('CREATE TABLE t (id INT PRIMARY KEY, v INT) APPEND ONLY'), { appendOnly: true, duckSql: 'CREATE TABLE t (id INT PRIMARY KEY, v INT)' });
  t.match(parts('CREATE TABLE t (id INT)'), { appendOnly: false, duckSql: 'CREATE TABLE t (id INT)' });
});
