/**
 * Users' names and values on their way into the SQL a general aggregate, INTERSECT/EXCEPT and
 * DISTINCT ON generate: column names holding quotes, `--`, `;`, `/` and `..`, constants holding
 * quotes, comment openers and a hundred kilobytes, a literal that spells one of the rewrite's marks.
 * Every view must equal the same query run once over the table.
 */
import t from 'tap';
import { openTempEngine } from '../support/temp-engine.js';

const ident = (name: string): string => `"${name}"`;
const K = ident("it's");
const V = ident('a--b; DROP TABLE t');
const S = ident('p/../q');

t.test('hostile column names and constants reach the generated SQL quoted', async (t) => {
  const engine = await openTempEngine(t, 'general-hostile');
  await engine.execute(`CREATE TABLE t (id INTEGER PRIMARY KEY, ${K} INTEGER, ${V} INTEGER, ${S} VARCHAR)`);
  const big = 'x'.repeat(100_000);
  const views: Record<string, string> = {
    agg: `SELECT ${K}, string_agg(${S}, ''';--/*' ORDER BY ${V} DESC, id) AS s, median(${V}) FILTER (WHERE ${S} <> '*/ --') AS m, list(DISTINCT ${V} ORDER BY ${V}) AS l FROM t GROUP BY ${K}`,
    big: `SELECT ${K}, string_agg(${S}, '${big}' ORDER BY id) AS s FROM t GROUP BY ${K}`,
    sets: `SELECT ${K}, ${V} FROM t WHERE ${S} LIKE '%''%' EXCEPT SELECT ${K}, ${V} FROM t WHERE id > 3`,
    firsts: `SELECT DISTINCT ON (${K}) ${K}, ${S}, ${V}, id FROM t ORDER BY ${K}, ${V} DESC, id`,
  };
  for (const [name, query] of Object.entries(views)) await engine.execute(`CREATE MATERIALIZED VIEW ${name} AS ${query}`);
  await engine.execute(`INSERT INTO t VALUES (1, 1, 5, 'it''s'), (2, 1, 7, '--;'), (3, 2, 7, '/*'), (4, 2, 1, 'x''y'), (5, 2, 1, NULL)`);
  await engine.execute(`UPDATE t SET ${V} = 9 WHERE id = 4`);
  await engine.execute('DELETE FROM t WHERE id = 2');
  await engine.execute('FLUSH');
  for (const [name, query] of Object.entries(views)) {
    const [diff] = await engine.execute(`SELECT count(*) FROM ((SELECT * FROM ${name} EXCEPT SELECT * FROM (${query})) UNION ALL (SELECT * FROM (${query}) EXCEPT SELECT * FROM ${name}))`);
    t.equal(Number(diff!.rows[0]![0]), 0, `${name} equals its query`);
  }
  const [rows] = await engine.execute('SELECT count(*) FROM agg');
  t.equal(Number(rows!.rows[0]![0]), 2, 'both groups are there');
});

t.test("a literal that spells one of the rewrite's marks is refused at its position, not misread", async (t) => {
  const engine = await openTempEngine(t, 'general-mark');
  await engine.execute('CREATE TABLE t (id INTEGER, s VARCHAR)');
  await t.rejects(
    engine.execute("CREATE MATERIALIZED VIEW m AS SELECT list(id ORDER BY id), first(s, '\u0001') FROM t"),
    { code: 'SYNTAX_ERROR', message: /U\+0001.*chr\(1\)/, position: { line: 1, column: 69 } },
  );
  const [pull] = await engine.execute("SELECT list(id ORDER BY id) AS l, '\u0001' AS mark FROM t");
  t.same(pull!.rows, [[null, '\u0001']], 'a pull query runs on DuckDB as written');
});
