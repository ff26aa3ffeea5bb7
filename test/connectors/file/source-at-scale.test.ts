import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import type { Column, SourceObject } from '../../../src/catalog/types.js';
import { fileSource } from '../../../src/connectors/file/source.js';
import type { SourceReader } from '../../../src/connectors/types.js';
import { quoteLiteral } from '../../../src/duck/index.js';
import type { Options } from '../../../src/sql/ast.js';
import { createTable, openTestDb } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-file-scale-'));
const db = await openTestDb(dir);
const { conn, env } = db;
t.teardown(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let count = 0;
async function open(options: Options, columns: Column[]): Promise<{ reader: SourceReader; table: string }> {
  const name = `s${++count}`;
  const v = await fileSource.validate(name, columns, options, env);
  const source: SourceObject = { kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'file', options: v.options };
  await createTable(conn, name, columns);
  return { reader: await fileSource.open(source, env), table: `"${name}"` };
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
}
const lines = (rows: object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const rowsOf = async (table: string, order = 'id') => (await conn.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;

t.test('nested directories with **, hive partition columns, gzip and zstd', async (t) => {
  const root = join(dir, 'hive');
  write(join(root, 'day=2024-01-01', 'region=eu', 'a.json'), lines([{ id: 1, msg: 'a' }]));
  write(join(root, 'day=2024-01-01', 'region=us', 'b.json.gz'), gzipSync(lines([{ id: 2, msg: 'b' }, { id: 3, msg: 'c' }])));
  mkdirSync(join(root, 'day=2024-01-02', 'region=a%2Fb'), { recursive: true });
  // Node 20 has no zstd; DuckDB writes it
  const zst = join(root, 'day=2024-01-02', 'region=a%2Fb', 'c.json.zst');
  await conn.run(`COPY (SELECT 4 AS id, 'd' AS msg, 'ignored' AS day) TO ${quoteLiteral(zst)} (FORMAT json, COMPRESSION zstd)`);
  write(join(root, 'day=2024-01-02', 'region=__HIVE_DEFAULT_PARTITION__', 'd.json'), lines([{ id: 5, msg: 'e' }]));
  const columns = [{ name: 'id', type: 'BIGINT' }, { name: 'msg', type: 'VARCHAR' }, { name: 'day', type: 'DATE' }, { name: 'region', type: 'VARCHAR' }];
  const { reader, table } = await open({ path: join(root, '**', '*.json*'), hive_partitioning: true }, columns);
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  t.equal((end as string[]).length, 4, 'all nested files are listed');
  t.same(await reader.load(conn, table, [], end), { rows: 5, badRows: 0, badRowExamples: [] });
  t.same(await rowsOf(table), [
    [1, 'a', '2024-01-01', 'eu'],
    [2, 'b', '2024-01-01', 'us'],
    [3, 'c', '2024-01-01', 'us'],
    [4, 'd', '2024-01-02', 'a/b'],
    [5, 'e', '2024-01-02', null],
  ], 'directory values, decoded, typed; the path wins over a key in the file');
  const { reader: plain, table: plainTable } = await open({ path: join(root, '**', '*.json*') }, columns);
  await plain.load(conn, plainTable, [], end);
  t.same((await rowsOf(plainTable)).map((r) => r[2]), [null, null, null, null], 'without hive_partitioning the path is not read (and "ignored" is a bad DATE)');

  write(join(root, 'day=oops', 'region=eu', 'e.json'), lines([{ id: 6 }]));
  const next = reader.endOffset(end, await reader.latestOffset(), undefined);
  await t.rejects(reader.load(conn, table, end, next), { code: 'BAD_INPUT_ROW', message: /partition directory day=oops\/region=eu does not fit/ });
});

t.test('records: whole JSON documents, the array at a key unnested', async (t) => {
  const root = join(dir, 'trail');
  write(join(root, 'a.json.gz'), gzipSync(JSON.stringify({ Records: [{ id: 1, msg: 'a' }, { id: 2, msg: 'b' }] })));
  write(join(root, 'b.json'), JSON.stringify({ Records: [{ id: 3, msg: 'c' }, 7] }, null, 2) + JSON.stringify({ Records: [{ id: 4 }] }));
  write(join(root, 'c.json'), JSON.stringify({ digest: true }));
  const columns = [{ name: 'id', type: 'BIGINT' }, { name: 'msg', type: 'VARCHAR' }];
  const { reader, table } = await open({ path: join(root, '*.json*'), records: 'Records' }, columns);
  const end = reader.endOffset([], await reader.latestOffset(), undefined);
  const stats = await reader.load(conn, table, [], end);
  t.equal(stats.rows, 4);
  t.equal(stats.badRows, 2);
  t.match(stats.badRowExamples.map((b) => `${b.location} ${b.message}`), [/b\.json:2 expected a JSON object, found ubigint$/, /c\.json:1 no JSON array at "Records"$/]);
  t.same(await rowsOf(table), [[1, 'a'], [2, 'b'], [3, 'c'], [4, null]]);
  await t.rejects(fileSource.validate('x', columns, { path: 'a.csv', records: 'Records' }, env), /"records" applies to format 'json' only/);
});

t.test("after_read: files leave only once committed; the done set keeps only listed files", async (t) => {
  for (const mode of ['archive', 'delete'] as const) {
    const root = join(dir, `after-${mode}`, 'in');
    const archive = join(dir, `after-${mode}`, 'archive');
    write(join(root, 'x', 'a.json'), lines([{ id: 1 }]));
    write(join(root, 'b.json'), lines([{ id: 2 }]));
    const options: Options = { path: join(root, '**', '*.json'), after_read: mode, ...(mode === 'archive' ? { archive_path: archive } : {}) };
    const { reader, table } = await open(options, [{ name: 'id', type: 'BIGINT' }]);
    const end = reader.endOffset([], await reader.latestOffset(), undefined);
    await reader.load(conn, table, [], end);
    t.ok(existsSync(join(root, 'x', 'a.json')), 'still there while the batch is not committed');
    await reader.load(conn, table, [], end);
    t.equal(Number(await conn.scalar(`SELECT count(*) FROM ${table}`)), 4, 're-running the batch finds its files');
    await reader.committed!(end);
    t.notOk(existsSync(join(root, 'x', 'a.json')));
    t.notOk(existsSync(join(root, 'b.json')));
    if (mode === 'archive') t.same(readdirSync(archive, { recursive: true }).map(String).sort(), ['b.json', 'x', join('x', 'a.json')], 'archived with their paths');
    await reader.committed!(end); // idempotent
    write(join(root, 'c.json'), lines([{ id: 3 }]));
    const next = reader.endOffset(end, await reader.latestOffset(), undefined);
    t.same(next, [join(root, 'c.json')], 'released files are dropped from the done set');
    t.ok(reader.hasData(end, next));

    // a restarted reader releases what the last run committed but had not yet released
    const { reader: again } = await open(options, [{ name: 'id', type: 'BIGINT' }]);
    await again.committed!(next);
    t.notOk(existsSync(join(root, 'c.json')));
  }
  await t.rejects(fileSource.validate('x', [{ name: 'id', type: 'BIGINT' }], { path: join(dir, 'in', '*.json'), after_read: 'archive' }, env), /needs archive_path/);
  await t.rejects(fileSource.validate('x', [{ name: 'id', type: 'BIGINT' }], { path: join(dir, 'in', '*.json'), after_read: 'archive', archive_path: join(dir, 'in', 'old') }, env), /is inside the source's directory/);
});
