import t from 'tap';
import { AGGREGATE_MARKS, rewriteAggregateCalls } from '../../src/sql/aggregate-call-rewrite.js';
import { parseQueryBody } from '../../src/sql/query-body.js';
import { aggregateSyntax } from '../../src/plan/binder/aggregate-syntax.js';
import { printExpr } from '../../src/plan/binder/sql-printer.js';
import type { ExprNode, SelectStmt } from '../../src/plan/binder/ast.js';

const M = AGGREGATE_MARKS;

t.test('DISTINCT, ORDER BY with directions, and FILTER become marked arguments at the same offsets', async (t) => {
  const sql = 'SELECT list(DISTINCT x ORDER BY y DESC NULLS LAST, z ASC) FILTER (WHERE ok AND (a OR b)) FROM t';
  const out = rewriteAggregateCalls(sql);
  t.equal(out.length, sql.length, 'same length');
  const marks = [...out.matchAll(/'([\u0001-\u0006])'/g)].map((m) => m[1]);
  t.same(marks, [M.distinct, M.orderBy, M.descending, M.nullsLast, M.filter], 'the marks, in order');
  t.notMatch(out, /DISTINCT|ORDER|DESC|NULLS|ASC|FILTER|WHERE/, 'no keyword of the call is left');
  for (const word of ['SELECT', 'x', 'y', 'z', 'ok AND (a OR b)', 'FROM t']) t.equal(out.indexOf(word), sql.indexOf(word), `${word} stays where it was`);
});

t.test('calls node-sql-parser reads, strings, comments and other functions are left alone', async (t) => {
  for (const sql of [
    "SELECT count(DISTINCT x) FILTER (WHERE y), string_agg(x, ',' ORDER BY y), array_agg(x ORDER BY y) FROM t",
    'SELECT sum(x) FILTER (WHERE y > 1), max(x) FILTER (WHERE y) FROM t',
    "SELECT 'list(x ORDER BY y)', \"median(x) FILTER (WHERE y)\" FROM t -- list(x ORDER BY y)",
    'SELECT my_function(x ORDER BY y) FROM t ORDER BY list',
    'SELECT x FROM t ORDER BY median',
  ]) t.equal(rewriteAggregateCalls(sql), sql, sql);
  t.not(rewriteAggregateCalls('SELECT sum(DISTINCT x) FILTER (WHERE y) FROM t'), 'SELECT sum(DISTINCT x) FILTER (WHERE y) FROM t', 'sum(DISTINCT) is rewritten, FILTER with it');
});

function firstItem(sql: string): ExprNode {
  const q = parseQueryBody(sql, { line: 1, column: 1, offset: 0 });
  const stmt = q.ast as SelectStmt;
  return (stmt.columns as { expr: ExprNode }[])[0]!.expr;
}

t.test('the binder reads the marks back: parts, directions, a FILTER with AND, and prints the call as written', async (t) => {
  const node = firstItem('SELECT quantile_disc(DISTINCT v, 0.5 ORDER BY w DESC NULLS FIRST, u) FILTER (WHERE v > 1 AND u < 2) FROM t');
  const c = aggregateSyntax(node);
  t.equal(c.name, 'quantile_disc');
  t.equal(c.distinct, true);
  t.same(c.args.map(printExpr), ['v', '0.5']);
  t.same(c.orderBy.map((o) => [printExpr(o.node), o.descending, o.nullsFirst]), [['w', true, true], ['u', false, null]]);
  t.equal(printExpr(c.filter!), 'v > 1 AND u < 2', "node-sql-parser's `[a, b] AND c` is taken apart again");
  t.equal(printExpr(node), 'quantile_disc(DISTINCT v, 0.5 ORDER BY w DESC NULLS FIRST, u) FILTER (WHERE v > 1 AND u < 2)');
});

t.test('a parse error in a rewritten call points into the text as written', async (t) => {
  t.throws(() => parseQueryBody('SELECT list(x ORDER BY y DESC)) FROM t', { line: 1, column: 1, offset: 0 }), { code: 'SYNTAX_ERROR', position: { line: 1, column: 31 } });
});
