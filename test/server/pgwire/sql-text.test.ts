import t from 'tap';
import { parameterCount, splitStatements, substituteParameters } from '../../../src/server/pgwire/sql-text.js';

t.test('splits at top-level semicolons only, keeping offsets', async (t) => {
  const sql = "SELECT ';' AS a; -- c;\n SELECT \"x;y\" FROM t /* ; */;  SELECT $$a;b$$;;";
  const pieces = splitStatements(sql);
  t.same(pieces.map((p) => p.text), ["SELECT ';' AS a", '-- c;\n SELECT "x;y" FROM t /* ; */', 'SELECT $$a;b$$']);
  t.equal(sql.slice(pieces[2]!.offset, pieces[2]!.offset + 6), 'SELECT');
  t.same(splitStatements(' ; -- only a comment\n'), []);
});

t.test('parameters are counted and substituted as quoted literals, never as SQL', async (t) => {
  t.equal(parameterCount("SELECT $1, $3, '$4', \"$5\""), 3);
  const sql = substituteParameters("SELECT $1, $2, '$1', $10", ["x'); DROP TABLE t; --", null], ['INTEGER', null]);
  t.equal(sql, "SELECT CAST('x''); DROP TABLE t; --' AS INTEGER), NULL, '$1', NULL");
});
