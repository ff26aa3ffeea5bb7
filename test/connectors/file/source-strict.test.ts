/**
 * A file source casts values strictly too (formats/casts.ts): a JSON line or Parquet row whose value
 * would change on the way in is a bad row (skipped, counted and located under on_error = 'skip'),
 * NOT NULL columns take no NULL, and casts = 'lenient' keeps DuckDB's TRY_CAST.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Column, SourceObject } from '../../../src/catalog/types.js';
import { fileSource } from '../../../src/connectors/file/source.js';
import { quoteLiteral } from '../../../src/duck/index.js';
import type { Options } from '../../../src/sql/ast.js';
import { createTable, openTestDb } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-file-strict-'));
const db = await openTestDb(dir);
const { conn, env } = db;
t.teardown(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const COLUMNS: Column[] = [
  { name: 'id', type: 'BIGINT', notNull: true },
  { name: 'tags', type: 'BIGINT[]' },
  { name: 'who', type: 'STRUCT(name VARCHAR, age INTEGER)' },
  { name: 'score', type: 'DOUBLE' },
];

let n = 0;
async function load(options: Options, columns = COLUMNS) {
  const name = `s${++n}`;
  const v = await fileSource.validate(name, columns, options, env);
  const source: SourceObject = { kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'file', options: v.options };
  await createTable(conn, name, columns);
  const reader = await fileSource.open(source, env);
  const stats = await reader.load(conn, `"${name}"`, [], await reader.latestOffset());
  await reader.close();
  return { stats, rows: (await conn.query(`SELECT * FROM "${name}" ORDER BY id`)).rows, options: v.options };
}

const LINES = [
  '{"id": 1, "tags": [1, 2], "who": {"name": "a"}, "score": 1.5}',
  '{"id": 2, "tags": [1, "x", 3]}',
  '{"id": 3, "who": {"name": "c", "colour": "red"}}',
  '{"id": 4.5}',
  '{"id": 5, "score": "1e400"}',
  '{"tags": [5]}',
  '{"id": 7, "who": {"age": 7.0}}',
];

t.test('json lines: values that would change are bad rows, skipped and located; the rest kept', async (t) => {
  const file = join(dir, 'values.json');
  writeFileSync(file, `${LINES.join('\n')}\n`);
  const { stats, rows } = await load({ path: file });
  t.equal(stats.rows, 2);
  t.equal(stats.badRows, 5);
  t.same(stats.badRowExamples.map((b) => [b.location.replace(/.*:/, 'line '), b.column, b.message.replace(/: .*/, '')]), [
    ['line 2', 'tags', 'cannot cast "[1,\\"x\\",3]" to BIGINT[]'],
    ['line 3', 'who', 'cannot cast "{\\"name\\":\\"c\\",\\"colour\\":\\"red\\"}" to STRUCT(name VARCHAR, age INTEGER)'],
    ['line 4', 'id', 'cannot cast "4.5" to BIGINT'],
    ['line 5', 'score', 'cannot cast "1e400" to DOUBLE'],
    ['line 6', 'id', 'null value in a NOT NULL column'],
  ]);
  t.same(rows, [[1, [1, 2], { name: 'a', age: null }, 1.5], [7, null, { name: null, age: 7 }, null]], 'a key left out is a NULL field');
});

t.test("casts = 'lenient': DuckDB's TRY_CAST; NOT NULL still holds", async (t) => {
  const file = join(dir, 'lenient.json');
  writeFileSync(file, `${LINES.join('\n')}\n`);
  const { stats, rows, options } = await load({ path: file, casts: 'lenient' });
  t.equal(options.casts, 'lenient');
  t.equal(stats.badRows, 1);
  t.same(stats.badRowExamples.map((b) => b.message), ['null value in a NOT NULL column']);
  t.same(rows.map((r) => r.slice(0, 2)), [[1, [1, 2]], [2, [1, null, 3]], [3, null], [5, null], [5, null], [7, null]]);
});

t.test('parquet: a DOUBLE with a fraction into BIGINT is a bad row', async (t) => {
  const file = join(dir, 'doubles.parquet');
  await conn.run(`COPY (SELECT i / 2 AS id FROM range(1, 5) t(i)) TO ${quoteLiteral(file)} (FORMAT parquet)`);
  const { stats, rows } = await load({ path: file }, [{ name: 'id', type: 'BIGINT' }]);
  t.same(stats.badRowExamples.map((b) => [b.location.replace(/.*:/, 'row '), b.message]), [
    ['row 1', 'cannot cast "0.5" to BIGINT: its fractional part would be lost'],
    ['row 3', 'cannot cast "1.5" to BIGINT: its fractional part would be lost'],
  ]);
  t.same(rows, [[1], [2]]);
});

t.test('NOT NULL is refused for csv, whose reader could not locate a NULL', async (t) => {
  await t.rejects(fileSource.validate('c', COLUMNS, { path: join(dir, '*.csv') }, env), { code: 'FEATURE_NOT_SUPPORTED', message: /NOT NULL \(column "id"\) is not checked for format 'csv'/ });
  await t.rejects(fileSource.validate('c', COLUMNS, { path: join(dir, '*.json'), casts: 'loose' }, env), /option "casts": expected one of 'strict', 'lenient'/);
});
