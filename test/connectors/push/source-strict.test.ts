/**
 * A push source stores a value only as its column's type says, over SQL (INSERT ... VALUES and
 * INSERT ... SELECT through the engine): a NULL in a NOT NULL column, a list element or struct field
 * that does not cast, a struct key the type lacks, an overflow to infinity and a fraction rounded
 * into an integer are each a BAD_INPUT_ROW (22P02) naming the row and the column, and nothing of the
 * statement is appended, unless the source was created with casts = 'lenient'.
 */
import t, { type Test } from 'tap';
import { Engine } from '../../../src/engine/index.js';
import { EddyError } from '../../../src/util/errors.js';

const COLUMNS = `id BIGINT NOT NULL, tags BIGINT[], s STRUCT(a INTEGER, b DOUBLE), d DOUBLE, ls STRUCT(a BIGINT)[], m MAP(VARCHAR, BIGINT)`;

async function open(t: Test): Promise<Engine> {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE strict_src (${COLUMNS});
    CREATE SOURCE lenient_src (${COLUMNS}) WITH (casts = 'lenient');
    CREATE TABLE doubles AS SELECT i / 2 AS x FROM range(4) t(i)`);
  return engine;
}

async function count(engine: Engine, source: string): Promise<number> {
  const [result] = await engine.execute(`SELECT count(*) FROM ${source}`);
  return Number(result!.rows[0]![0]);
}

async function errorOf(engine: Engine, sql: string): Promise<EddyError> {
  try {
    await engine.execute(sql);
  } catch (e) {
    return e as EddyError;
  }
  throw new Error(`accepted: ${sql}`);
}

/** [what, INSERT statement into <src>, the message's row, column and reason] */
const BAD: readonly [string, string, RegExp][] = [
  ['NULL into a NOT NULL column', `INSERT INTO <src> (id, d) VALUES (1, 1.0), (NULL, 2.0)`, /: row 2, column "id": null value in a NOT NULL column$/],
  ['a NOT NULL column left out', `INSERT INTO <src> (d) VALUES (1.0)`, /: row 1, column "id": null value in a NOT NULL column$/],
  ['a NULL from a query already of the column types', `INSERT INTO <src> (id) SELECT CASE WHEN i = 3 THEN NULL ELSE i END FROM range(5) t(i)`, /: row 4, column "id": null value in a NOT NULL column$/],
  ['a list element that does not cast', `INSERT INTO <src> (id, tags) VALUES (1, ['1', 'x', '3'])`, /: row 1, column "tags": cannot cast "\[1, x, 3\]" to BIGINT\[\]: Could not convert string 'x'/],
  ['a list as text with an element that does not cast', `INSERT INTO <src> (id, tags) VALUES (1, '[1,"x",3]')`, /: row 1, column "tags": cannot cast "\[1,\\"x\\",3\]" to BIGINT\[\]/],
  ['a struct key the type lacks', `INSERT INTO <src> (id, s) VALUES (1, {'x': 1})`, /: row 1, column "s": cannot cast "\{'x': 1\}" to STRUCT\("a" INTEGER, "b" DOUBLE\): its field "x" is not in/],
  ['a struct with one key too many', `INSERT INTO <src> (id, s) VALUES (1, {'a': 1, 'x': 2})`, /: row 1, column "s": .*its field "x" is not in/],
  ['"1e400" into DOUBLE', `INSERT INTO <src> (id, d) VALUES (1, '1e400')`, /: row 1, column "d": cannot cast "1e400" to DOUBLE: it is out of range$/],
  ['1.5 into BIGINT', `INSERT INTO <src> (id) VALUES (2), (1.5)`, /: row 2, column "id": cannot cast "1.5" to BIGINT: its fractional part would be lost$/],
  ['\'1.5\' into BIGINT', `INSERT INTO <src> (id) VALUES ('1.5')`, /: row 1, column "id": cannot cast "1.5" to BIGINT: its fractional part would be lost$/],
  ['INSERT ... SELECT of DOUBLEs with fractions into BIGINT', `INSERT INTO <src> (id) SELECT x FROM doubles`, /: row 2, column "id": cannot cast "0.5" to BIGINT: its fractional part would be lost \(and 1 more bad row\)$/],
  ['a fraction inside a list', `INSERT INTO <src> (id, tags) VALUES (1, [1.0, 2.5])`, /: row 1, column "tags": .*a number in it would be rounded or overflow$/],
  ['a list of structs with a field that does not cast', `INSERT INTO <src> (id, ls) VALUES (1, [{'a': '1'}, {'a': 'q'}])`, /: row 1, column "ls": cannot cast .* to STRUCT\("a" BIGINT\)\[\]: Could not convert string 'q'/],
  ['a list of structs with a fraction', `INSERT INTO <src> (id, ls) VALUES (1, [{'a': 1.5}])`, /: row 1, column "ls": .*a number in it would be rounded or overflow$/],
  ['a map value that does not cast', `INSERT INTO <src> (id, m) VALUES (1, MAP {'k': 'v'})`, /: row 1, column "m": cannot cast .* to MAP\(VARCHAR, BIGINT\)/],
  ['a map value with a fraction', `INSERT INTO <src> (id, m) VALUES (1, MAP {'k': 1.5})`, /: row 1, column "m": .*a number in it would be rounded or overflow$/],
  ['an overflow inside a struct', `INSERT INTO <src> (id, s) VALUES (1, {'a': 1, 'b': '1e400'})`, /: row 1, column "s": .*a number in it would be rounded or overflow$/],
];

t.test('each value that breaks its type is a BAD_INPUT_ROW naming row and column; nothing is appended', async (t) => {
  const engine = await open(t);
  for (const [what, sql, message] of BAD) {
    const e = await errorOf(engine, sql.replace('<src>', 'strict_src'));
    t.type(e, EddyError, what);
    t.equal(e.code, 'BAD_INPUT_ROW', what);
    t.equal(e.sqlstate, '22P02', what);
    t.match(e.message, new RegExp(`^source "strict_src"${message.source}`), what);
  }
  t.equal(await count(engine, 'strict_src'), 0, 'no statement appended anything');
});

t.test('values that fit their types exactly are taken as they are', async (t) => {
  const engine = await open(t);
  await engine.execute(`INSERT INTO strict_src VALUES
    (1, [1, 2], {'a': 1, 'b': 2.5}, 1.5, [{'a': 3}], MAP {'k': 4}),
    (2.0, '[1, 2]', '{''a'': 1}', '-inf', NULL, NULL),
    ('3', NULL, NULL, 1e300, [{'a': 2.0}], MAP {'k': 5.00})`);
  const [result] = await engine.execute('SELECT id, tags, s, d::VARCHAR, ls, m::VARCHAR FROM strict_src ORDER BY id');
  t.same(result!.rows, [
    [1, [1, 2], { a: 1, b: 2.5 }, '1.5', [{ a: 3 }], '{k=4}'],
    [2, [1, 2], { a: 1, b: null }, '-inf', null, null],
    [3, null, null, '1e+300', [{ a: 2 }], '{k=5}'],
  ]);
  await engine.execute('INSERT INTO strict_src (id) SELECT range FROM range(10, 1010)');
  t.equal(await count(engine, 'strict_src'), 1003, 'a query of the column types goes in whole');
});

t.test("casts = 'lenient' takes DuckDB's TRY_CAST values; NOT NULL still holds", async (t) => {
  const engine = await open(t);
  for (const [what, sql] of BAD) {
    const statement = sql.replace('<src>', 'lenient_src');
    if (what.includes('NOT NULL') || what.includes('a NULL')) {
      t.match((await errorOf(engine, statement)).message, /null value in a NOT NULL column/, what);
    } else {
      await engine.execute(statement);
      t.pass(what);
    }
  }
  await engine.execute(`CREATE SOURCE values_src (id BIGINT, tags BIGINT[], s STRUCT(a INTEGER, b DOUBLE), d DOUBLE) WITH (casts = 'lenient');
    INSERT INTO values_src VALUES (1.5, ['1', 'x', '3'], {'x': 1}, '1e400')`);
  const [result] = await engine.execute('SELECT id, tags, s, isinf(d) FROM values_src');
  t.same(result!.rows, [[2, [1, null, 3], { a: null, b: null }, true]], 'rounded, nulled, overflowed as TRY_CAST does');
  await t.rejects(engine.execute(`CREATE SOURCE x (a INT) WITH (casts = 'loose')`), { code: 'INVALID_PARAMETER', message: /option "casts": expected one of 'strict', 'lenient'/ });
});
