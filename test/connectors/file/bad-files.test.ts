/**
 * Files a batch cannot read, at the file source: a non-gzip or truncated .json.gz (or .zst), a Parquet
 * file that is not one and a JSON document that never ends among good files are located, counted and
 * skipped, fail the batch, or move aside per on_error; a file gone between planning and reading is
 * skipped and noted under every on_error; the files a first run skipped are skipped again, unread,
 * when the batch is given them back; every good file's rows are loaded once, in file order.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import type { Column, SourceObject } from '../../../src/catalog/types.js';
import { fileSource } from '../../../src/connectors/file/source.js';
import type { SourceReader } from '../../../src/connectors/types.js';
import { quoteLiteral } from '../../../src/duck/index.js';
import type { Options } from '../../../src/sql/ast.js';
import { EddyError } from '../../../src/util/errors.js';
import { createTable, openTestDb } from '../helpers.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-bad-files-'));
const db = await openTestDb(root);
const { conn, env } = db;
t.teardown(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

const COLUMNS: Column[] = [{ name: 'id', type: 'BIGINT' }, { name: 'src', type: 'VARCHAR' }];
const lines = (from: number, n: number, src: string): string => Array.from({ length: n }, (_, i) => JSON.stringify({ id: from + i, src })).join('\n') + '\n';

let dirs = 0;
/** A directory with good gzip files a, c and e around a file that is not gzip (b) and a truncated one (d). */
function lake(): string {
  const dir = join(root, `lake${++dirs}`, 'in');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.json.gz'), gzipSync(lines(1, 2, 'a')));
  writeFileSync(join(dir, 'b.json.gz'), 'not gzip at all\n');
  writeFileSync(join(dir, 'c.json.gz'), gzipSync(lines(3, 2, 'c')));
  const whole = gzipSync(lines(100, 5000, 'd'));
  writeFileSync(join(dir, 'd.json.gz'), whole.subarray(0, whole.length - 20));
  writeFileSync(join(dir, 'e.json.gz'), gzipSync(lines(5, 1, 'e')));
  return dir;
}

let sources = 0;
async function open(options: Options): Promise<{ reader: SourceReader; table: string; name: string }> {
  const name = `s${++sources}`;
  const v = await fileSource.validate(name, COLUMNS, options, env);
  const source: SourceObject = { kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'file', options: v.options };
  await createTable(conn, name, COLUMNS);
  return { reader: await fileSource.open(source, env), table: `"${name}"`, name };
}

async function ids(table: string): Promise<unknown[]> {
  return (await conn.query(`SELECT id FROM ${table}`)).rows.map((r) => r[0]);
}

t.test("on_error = 'skip': unreadable files are skipped, counted and located; the good ones loaded once, in order", async (t) => {
  const dir = lake();
  const { reader, table } = await open({ path: join(dir, '*.json.gz') });
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  const stats = await reader.load(conn, table, [], end);
  t.equal(stats.rows, 5);
  t.same(stats.skipped, [
    { input: join(dir, 'b.json.gz'), reason: 'unreadable', message: 'not in gzip format (no gzip header at byte 0)' },
    { input: join(dir, 'd.json.gz'), reason: 'unreadable', message: `truncated: its gzip stream stops at byte ${readFileSync(join(dir, 'd.json.gz')).length}, before its end` },
  ]);
  t.same(await ids(table), [1, 2, 3, 4, 5], 'no row of the truncated file, none twice');
  t.same(end, ['a', 'b', 'c', 'd', 'e'].map((f) => join(dir, `${f}.json.gz`)), 'the skipped files are done');
  await reader.close();
});

t.test("on_error = 'fail': the first unreadable file fails the load, named, before anything is read", async (t) => {
  const dir = lake();
  const { reader, table, name } = await open({ path: join(dir, '*.json.gz'), on_error: 'fail' });
  const err = await reader.load(conn, table, [], await reader.latestOffset()).catch((e: unknown) => e);
  t.type(err, EddyError);
  t.equal((err as EddyError).code, 'BAD_INPUT_ROW');
  t.equal((err as EddyError).message, `source "${name}": file ${join(dir, 'b.json.gz')} cannot be read: not in gzip format (no gzip header at byte 0) (and 1 more unreadable file)`);
  t.match((err as EddyError).hint, /replace or remove the file/);
  t.same(await ids(table), []);
  await reader.close();
});

t.test("on_error = 'dead_letter': unreadable files move to dead_letter_path, keeping their path below the glob's base", async (t) => {
  const dir = lake();
  const dead = join(dir, '..', 'dead');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'f.json.gz'), 'garbage');
  await t.rejects(open({ path: join(dir, '**', '*.json.gz'), on_error: 'dead_letter' }), /needs dead_letter_path/);
  await t.rejects(open({ path: join(dir, '*.json.gz'), dead_letter_path: dead }), /applies only with on_error = 'dead_letter'/);
  await t.rejects(open({ path: join(dir, '*.json.gz'), on_error: 'dead_letter', dead_letter_path: join(dir, 'dead') }), /is inside the source's directory/);
  const { reader, table } = await open({ path: join(dir, '**', '*.json.gz'), on_error: 'dead_letter', dead_letter_path: dead });
  const stats = await reader.load(conn, table, [], await reader.latestOffset());
  t.same(stats.skipped?.map((f) => f.input), ['b', 'd', 'sub/f'].map((f) => join(dir, `${f}.json.gz`)));
  t.same(await ids(table), [1, 2, 3, 4, 5]);
  t.ok(existsSync(join(dead, 'b.json.gz')) && existsSync(join(dead, 'd.json.gz')) && existsSync(join(dead, 'sub', 'f.json.gz')), 'moved aside');
  t.same(await reader.latestOffset(), ['a', 'c', 'e'].map((f) => join(dir, `${f}.json.gz`)), 'and no longer listed');
  await reader.close();
});

t.test('a file gone between planning and reading is skipped and noted, under every on_error', async (t) => {
  for (const onError of ['skip', 'fail']) {
    const dir = join(root, `gone-${onError}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.json'), lines(1, 1, 'a'));
    writeFileSync(join(dir, 'b.json.gz'), gzipSync(lines(2, 1, 'b')));
    writeFileSync(join(dir, 'c.json'), lines(3, 1, 'c'));
    const { reader, table } = await open({ path: join(dir, '*.json*'), on_error: onError });
    const end = reader.endOffset([], await reader.latestOffset(), undefined);
    unlinkSync(join(dir, 'b.json.gz'));
    unlinkSync(join(dir, 'c.json'));
    const stats = await reader.load(conn, table, [], end);
    t.same(stats.skipped, [
      { input: join(dir, 'b.json.gz'), reason: 'missing', message: 'the file is gone' },
      { input: join(dir, 'c.json'), reason: 'missing', message: 'the file is gone' },
    ], onError);
    t.same(await ids(table), [1], onError);
    await reader.close();
  }
});

t.test('given the files a first run skipped, a re-run skips them again unread, though they read now', async (t) => {
  const dir = lake();
  const { reader, table } = await open({ path: join(dir, '*.json.gz') });
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  const first = await reader.load(conn, table, [], end);
  writeFileSync(join(dir, 'b.json.gz'), gzipSync(lines(50, 3, 'b'))); // "repaired" after the first run
  await conn.run(`DELETE FROM ${table}`);
  const again = await reader.load(conn, table, [], end, undefined, first.skipped);
  t.same(again.skipped, first.skipped);
  t.same(await ids(table), [1, 2, 3, 4, 5], 'the same rows as the first run');
  await reader.close();
});

t.test("a format's reader refusing a file: Parquet that is not, a JSON document that never ends; zstd cut off", async (t) => {
  const dir = join(root, 'formats');
  mkdirSync(dir);
  for (const [i, f] of ['a', 'c', 'e'].entries()) {
    await conn.run(`COPY (SELECT ${i * 10} + range AS id, '${f}' AS src FROM range(3)) TO ${quoteLiteral(join(dir, `${f}.parquet`))} (FORMAT parquet)`);
  }
  writeFileSync(join(dir, 'b.parquet'), 'PAR1 but no more');
  const parquet = await open({ path: join(dir, '*.parquet') });
  const pq = await parquet.reader.load(conn, parquet.table, [], await parquet.reader.latestOffset());
  t.match(pq.skipped, [{ input: join(dir, 'b.parquet'), reason: 'unreadable', message: /b\.parquet/ }]);
  t.same(await ids(parquet.table), [0, 1, 2, 10, 11, 12, 20, 21, 22]);

  const records = join(dir, 'records');
  mkdirSync(records);
  writeFileSync(join(records, 'a.json'), JSON.stringify({ Records: [{ id: 1 }, { id: 2 }] }));
  writeFileSync(join(records, 'b.json'), '{"Records": [{"id": 3}');
  writeFileSync(join(records, 'c.json'), JSON.stringify({ Records: [{ id: 4 }] }));
  const json = await open({ path: join(records, '*.json'), records: 'Records' });
  const js = await json.reader.load(conn, json.table, [], await json.reader.latestOffset());
  t.match(js.skipped, [{ input: join(records, 'b.json'), reason: 'unreadable', message: /Malformed JSON in file ".*b\.json", at byte 23 in record\/value 2: unexpected end of data\.$/ }], 'located by byte');
  t.same(await ids(json.table), [1, 2, 4]);

  const zstd = join(dir, 'zstd');
  mkdirSync(zstd);
  for (const f of ['a', 'b']) {
    await conn.run(`COPY (SELECT '{"id": ' || range || '}' AS line FROM range(${f === 'a' ? 2 : 1000})) TO ${quoteLiteral(join(zstd, `${f}.json.zst`))} (FORMAT csv, HEADER false, QUOTE '', COMPRESSION zstd)`);
  }
  const cut = readFileSync(join(zstd, 'b.json.zst'));
  writeFileSync(join(zstd, 'b.json.zst'), cut.subarray(0, cut.length - 10));
  const z = await open({ path: join(zstd, '*.json.zst') });
  const zs = await z.reader.load(conn, z.table, [], await z.reader.latestOffset());
  t.match(zs.skipped, [{ input: join(zstd, 'b.json.zst'), reason: 'unreadable', message: /^truncated: its zstd frame/ }]);
  t.same(await ids(z.table), [0, 1]);
  for (const r of [parquet, json, z]) await r.reader.close();
});

t.test('hive partitions: a bad file in one partition leaves the others and its good neighbours', async (t) => {
  const dir = join(root, 'hive');
  for (const day of ['d=1', 'd=2']) mkdirSync(join(dir, day), { recursive: true });
  writeFileSync(join(dir, 'd=1', 'a.json.gz'), gzipSync(lines(1, 1, 'a')));
  writeFileSync(join(dir, 'd=1', 'b.json.gz'), 'bad');
  writeFileSync(join(dir, 'd=2', 'c.json.gz'), gzipSync(lines(2, 1, 'c')));
  const name = `s${++sources}`;
  const columns: Column[] = [...COLUMNS, { name: 'd', type: 'INTEGER' }];
  const v = await fileSource.validate(name, columns, { path: join(dir, '*', '*.json.gz'), hive_partitioning: true }, env);
  await createTable(conn, name, columns);
  const reader = await fileSource.open({ kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'file', options: v.options }, env);
  const stats = await reader.load(conn, `"${name}"`, [], await reader.latestOffset());
  t.same(stats.skipped?.map((f) => f.input), [join(dir, 'd=1', 'b.json.gz')]);
  t.same((await conn.query(`SELECT id, d FROM "${name}" ORDER BY id`)).rows, [[1, 1], [2, 2]]);
  await reader.close();
});
