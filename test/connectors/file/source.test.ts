import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import type { Column, SourceObject } from '../../../src/catalog/types.js';
import { fileSource } from '../../../src/connectors/file/source.js';
import type { SourceReader } from '../../../src/connectors/types.js';
import { quoteLiteral } from '../../../src/duck/index.js';
import type { Options } from '../../../src/sql/ast.js';
import { EddyError } from '../../../src/util/errors.js';
import { createTable, openTestDb } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-file-'));
const db = await openTestDb(dir);
const { conn, env } = db;
t.teardown(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const COLUMNS: Column[] = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'VARCHAR' },
  { name: 'price', type: 'DOUBLE' },
];

let sourceCount = 0;
async function open(options: Options, columns = COLUMNS): Promise<{ reader: SourceReader; source: SourceObject; table: string }> {
  const name = `s${++sourceCount}`;
  const v = await fileSource.validate(name, columns, options, env);
  const source: SourceObject = { kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'file', options: v.options };
  await createTable(conn, name, columns);
  return { reader: await fileSource.open(source, env), source, table: `"${name}"` };
}

function jsonLines(rows: readonly unknown[]): string {
  return rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
}

t.test('validate: options, defaults, errors', async (t) => {
  const v = await fileSource.validate('t', COLUMNS, { connector: 'file', path: join(dir, 'x', '*.json.gz') }, env);
  t.same(v.options, { path: join(dir, 'x', '*.json.gz'), format: 'json', on_error: 'skip' });
  const rel = await fileSource.validate('t', COLUMNS, { path: 'logs/*.csv', delimiter: ';' }, env);
  t.same(rel.options, { path: join(process.cwd(), 'logs/*.csv'), format: 'csv', on_error: 'skip', header: true, delimiter: ';' }, 'relative to the cwd');
  await t.rejects(fileSource.validate('t', null, { path: 'a.json' }, env), /needs a column list/);
  await t.rejects(fileSource.validate('t', COLUMNS, { path: 'a.dat' }, env), /cannot tell the format/);
  await t.rejects(fileSource.validate('t', COLUMNS, { path: 'a.json', on_error: 'ignore' }, env), /option "on_error": expected one of 'skip', 'fail'/);
  await t.rejects(fileSource.validate('t', COLUMNS, { path: 'a.json', header: true }, env), /apply to format 'csv' only/);
  await t.rejects(fileSource.validate('t', COLUMNS, { path: 'a.json', pathh: 'x' }, env), /unknown option "pathh" for connector "file"/);
});

t.test('json lines, gzipped too; files that appear later are picked up by later batches', async (t) => {
  const sub = join(dir, 'json');
  mkdirSync(sub);
  writeFileSync(join(sub, 'a.json'), jsonLines([{ id: 1, name: 'a', price: 1.5 }, { id: 2, name: 'b', price: 2 }]));
  writeFileSync(join(sub, 'b.json.gz'), gzipSync(jsonLines([{ id: 3, name: 'c', price: '3.25', ignored: true }, { id: 4 }])));
  const { reader, table } = await open({ path: join(sub, '*.json*') });
  const start = reader.initialOffset;
  const latest = await reader.latestOffset();
  t.same(latest, [join(sub, 'a.json'), join(sub, 'b.json.gz')]);
  const end = reader.endOffset(start, latest, 1);
  t.ok(reader.hasData(start, end));
  const stats = await reader.load(conn, table, start, end);
  t.same(stats, { rows: 4, badRows: 0, badRowExamples: [] });
  t.same(await conn.query(`SELECT * FROM ${table} ORDER BY id`).then((r) => r.rows), [
    [1, 'a', 1.5],
    [2, 'b', 2],
    [3, 'c', 3.25],
    [4, null, null],
  ]);
  t.same(await reader.latestOffset(), end);
  t.notOk(reader.hasData(end, reader.endOffset(end, await reader.latestOffset(), undefined)), 'nothing new');
  writeFileSync(join(sub, 'c.json'), jsonLines([{ id: 5, name: 'e', price: 5 }]));
  const next = reader.endOffset(end, await reader.latestOffset(), undefined);
  t.same(next, [join(sub, 'a.json'), join(sub, 'b.json.gz'), join(sub, 'c.json')]);
  await conn.run(`DELETE FROM ${table}`);
  t.equal((await reader.load(conn, table, end, next)).rows, 1, 'only the new file is loaded');
  t.same(await conn.query(`SELECT id FROM ${table}`).then((r) => r.rows), [[5]]);
  t.same(reader.describe?.(next), { files: 3 });
  await reader.close();
});

t.test('a glob that matches nothing yet has no data', async (t) => {
  const { reader } = await open({ path: join(dir, 'later', '*.json') });
  t.same(await reader.latestOffset(), []);
  t.notOk(reader.hasData(reader.initialOffset, reader.endOffset(reader.initialOffset, [], undefined)));
  await reader.close();
});

t.test('max_files_per_trigger takes new files in name order', async (t) => {
  const sub = join(dir, 'many');
  mkdirSync(sub);
  for (const n of ['c', 'a', 'd', 'b']) writeFileSync(join(sub, `${n}.json`), jsonLines([{ id: n.charCodeAt(0) }]));
  const { reader } = await open({ path: join(sub, '*.json'), max_files_per_trigger: 2 });
  const latest = await reader.latestOffset();
  const first = reader.endOffset([], latest, undefined);
  t.same(first, ['a', 'b'].map((n) => join(sub, `${n}.json`)));
  const second = reader.endOffset(first, latest, undefined);
  t.same(second, ['a', 'b', 'c', 'd'].map((n) => join(sub, `${n}.json`)));
  t.same(reader.endOffset(second, latest, undefined), second);
  await reader.close();
});

t.test('bad json lines are skipped, counted and located; good rows are kept', async (t) => {
  const file = join(dir, 'bad.json');
  writeFileSync(
    file,
    jsonLines([
      { id: 1, name: 'ok', price: 1 },
      '',
      '{"id": 2, "name": "broken"',
      { id: 3, name: 'x', price: 'abc' },
      '[1, 2]',
      { id: 'four', name: 'y', price: 4 },
      { id: 5, name: 'ok', price: 5 },
    ]),
  );
  const { reader, table } = await open({ path: file });
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  const stats = await reader.load(conn, table, [], end);
  t.equal(stats.rows, 2);
  t.equal(stats.badRows, 4);
  const shown = relative(process.cwd(), file).startsWith('..') ? file : relative(process.cwd(), file);
  t.same(stats.badRowExamples, [
    { location: `${shown}:3`, column: null, message: 'malformed JSON' },
    { location: `${shown}:4`, column: 'price', message: 'cannot cast "abc" to DOUBLE' },
    { location: `${shown}:5`, column: null, message: 'expected a JSON object, found array' },
    { location: `${shown}:6`, column: 'id', message: 'cannot cast "four" to BIGINT' },
  ]);
  t.same(await conn.query(`SELECT id FROM ${table} ORDER BY id`).then((r) => r.rows), [[1], [5]]);

  const failing = await open({ path: file, on_error: 'fail' });
  const err = await failing.reader.load(conn, failing.table, [], end).catch((e: unknown) => e);
  t.type(err, EddyError);
  t.equal((err as EddyError).code, 'BAD_INPUT_ROW');
  t.equal((err as EddyError).message, `source "${failing.source.name}": file ${shown} line 3: malformed JSON (and 3 more bad rows)`);
  t.equal(await conn.scalar(`SELECT count(*) FROM ${failing.table}`), 0, 'nothing loaded when failing');

  const castFile = join(dir, 'cast.json');
  writeFileSync(castFile, jsonLines([{ id: 1, price: 'abc' }]));
  const cast = await open({ path: castFile, on_error: 'fail' });
  await t.rejects(cast.reader.load(conn, cast.table, [], [castFile]), {
    message: `source "${cast.source.name}": file ${shown.replace('bad.json', 'cast.json')} line 1, column "price": cannot cast "abc" to DOUBLE`,
  });
});

t.test('csv: header, delimiter, gzip; bad lines located by file, line and column', async (t) => {
  const sub = join(dir, 'csv');
  mkdirSync(sub);
  writeFileSync(join(sub, 'a.csv'), 'id;name;price\n1;a;1.5\n2;b\nx;c;3\n4;d;4;extra\n5;e;5\n');
  writeFileSync(join(sub, 'b.csv.gz'), gzipSync('id;name;price\n6;f;6\n'));
  const { reader, table } = await open({ path: join(sub, '*.csv*'), delimiter: ';' });
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  const stats = await reader.load(conn, table, [], end);
  t.equal(stats.rows, 3);
  t.equal(stats.badRows, 3);
  t.same(stats.badRowExamples.map((b) => [b.location.replace(/.*\//, ''), b.column, b.message]), [
    ['a.csv:3', null, 'expected 3 fields, found 2'],
    ['a.csv:4', 'id', 'cannot cast "x" to BIGINT'],
    ['a.csv:5', null, 'expected 3 fields, found 4'],
  ]);
  t.same(await conn.query(`SELECT * FROM ${table} ORDER BY id`).then((r) => r.rows), [
    [1, 'a', 1.5],
    [5, 'e', 5],
    [6, 'f', 6],
  ]);
  const failing = await open({ path: join(sub, 'a.csv'), delimiter: ';', on_error: 'fail' });
  await t.rejects(failing.reader.load(conn, failing.table, [], [join(sub, 'a.csv')]), /file .*a\.csv line 3: expected 3 fields, found 2 \(and 2 more bad rows\)/);
  t.equal(await conn.scalar(`SELECT count(*) FROM ${failing.table}`), 0);

  writeFileSync(join(sub, 'noheader.csv'), '7,g,7\n');
  const bare = await open({ path: join(sub, 'noheader.csv'), header: false });
  t.equal((await bare.reader.load(conn, bare.table, [], [join(sub, 'noheader.csv')])).rows, 1);
});

t.test('parquet written by DuckDB; columns matched by name; bad casts located by row', async (t) => {
  const a = join(dir, 'a.parquet');
  const b = join(dir, 'b.parquet');
  await conn.run(`COPY (SELECT 'n' || i AS name, i AS id, i * 1.5 AS price FROM range(1, 4) t(i)) TO ${quoteLiteral(a)} (FORMAT parquet)`);
  await conn.run(`COPY (SELECT * FROM (VALUES (10, 'x', '10'), (11, 'y', 'eleven')) v(id, name, price)) TO ${quoteLiteral(b)} (FORMAT parquet)`);
  const { reader, table } = await open({ path: join(dir, '*.parquet') });
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  t.same(end, [a, b]);
  const stats = await reader.load(conn, table, [], end);
  t.equal(stats.rows, 4);
  t.equal(stats.badRows, 1);
  t.same(stats.badRowExamples.map((x) => [x.location.replace(/.*\//, ''), x.column, x.message]), [['b.parquet:2', 'price', 'cannot cast "eleven" to DOUBLE']]);
  t.same(await conn.query(`SELECT * FROM ${table} ORDER BY id`).then((r) => r.rows), [
    [1, 'n1', 1.5],
    [2, 'n2', 3],
    [3, 'n3', 4.5],
    [10, 'x', 10],
  ]);
  const wide = await open({ path: a }, [...COLUMNS, { name: 'missing', type: 'INT' }]);
  await t.rejects(wide.reader.load(conn, wide.table, [], [a]), /have no column "missing"/);
});
