import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import { BatchFiles } from '../../../src/connectors/file/batch-files.js';
import { copyBatchSql } from '../../../src/connectors/file/copy-sql.js';
import { parquetSink } from '../../../src/connectors/file/sinks.js';
import { readManifest } from '../../../src/connectors/file/manifest.js';
import { fileSinkSettings } from '../../../src/connectors/file/sink-settings.js';
import type { SinkBatch } from '../../../src/connectors/types.js';
import { quoteLiteral } from '../../../src/duck/index.js';
import { Engine } from '../../../src/engine/index.js';
import { openTestDb } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-file-sinks-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const files = (root: string): string[] => readdirSync(root, { recursive: true }).map(String).filter((f) => !f.startsWith('_') && /\.(parquet|jsonl|csv|gz)$/.test(f)).sort();

t.test('parquet, jsonl and csv sinks through the engine: partitions, file size, manifest', async (t) => {
  const root = join(dir, 'engine');
  mkdirSync(join(root, 'in'), { recursive: true });
  const rows = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, d: `2024-01-0${(i % 2) + 1}`, s: `x,"${i + 1}` }));
  writeFileSync(join(root, 'in', 'a.json'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const engine = await Engine.open({ dataDir: join(root, 'data') });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE src (id BIGINT, d DATE, s VARCHAR) WITH (connector = 'file', path = ${quoteLiteral(join(root, 'in', '*.json'))});
CREATE SINK p AS SELECT * FROM src WITH (connector = 'parquet', path = ${quoteLiteral(join(root, 'p'))}, partition_by = 'd', max_rows_per_file = 2, compression = 'zstd');
CREATE SINK j AS SELECT * FROM src WITH (connector = 'jsonl', path = ${quoteLiteral(join(root, 'j'))}, compression = 'gzip');
CREATE SINK c AS SELECT id, s FROM src WITH (connector = 'csv', path = ${quoteLiteral(join(root, 'c'))}, delimiter = ';');`);
  await engine.drain();
  const back = await engine.execute(`SELECT id, d::VARCHAR, s FROM read_parquet(${quoteLiteral(join(root, 'p', '**', '*.parquet'))}, hive_partitioning = true) ORDER BY id`);
  t.same(back[0]!.rows, rows.map((r) => [r.id, r.d, r.s]), 'parquet read back by glob with hive partitions equals the input');
  const parquet = files(join(root, 'p'));
  t.equal(parquet.length, 4, '4 + 3 rows in 2 partitions, at most 2 rows per file: 2 + 2 files');
  t.ok(parquet.every((f) => /^d=2024-01-0[12]\/part-p-[0-9a-f]{8}-00000000-000\d\.parquet$/.test(f)), parquet.join(' '));
  const manifest = await readManifest(join(root, 'p'));
  t.equal(manifest.length, 1);
  t.same([...manifest[0]!.files].sort(), parquet);
  t.equal(manifest[0]!.rows, 7);
  t.notOk(existsSync(join(root, 'p', '_tmp', `${manifest[0]!.run}-0`)), 'temporary files are gone');

  const [jsonl] = files(join(root, 'j'));
  const lines = gunzipSync(readFileSync(join(root, 'j', jsonl!))).toString().trim().split('\n').map((l) => JSON.parse(l));
  t.same(lines.sort((a, b) => a.id - b.id), rows, 'jsonl.gz: one object per row');
  const [csv] = files(join(root, 'c'));
  t.equal(readFileSync(join(root, 'c', csv!), 'utf8').split('\n')[0], 'id;s', 'csv with its header and delimiter');

  // a second batch adds files; none of the first batch's change
  writeFileSync(join(root, 'in', 'b.json'), JSON.stringify({ id: 8, d: '2024-01-03', s: 'y' }) + '\n');
  await engine.drain();
  const second = files(join(root, 'p'));
  t.same(second.filter((f) => !parquet.includes(f)).map((f) => f.replace(/[0-9a-f]{8}/, 'RUN')), ['d=2024-01-03/part-p-RUN-00000001-0000.parquet']);
  t.equal((await readManifest(join(root, 'p'))).length, 2);
});

t.test('errors: output mode, options', async (t) => {
  const engine = await Engine.open({ dataDir: join(dir, 'errors') });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE src (id BIGINT, d DATE) WITH (connector = 'file', path = ${quoteLiteral(join(dir, 'none', '*.json'))})`);
  await t.rejects(engine.execute(`CREATE SINK a AS SELECT d, count(*) AS n FROM src GROUP BY d WITH (connector = 'parquet', path = ${quoteLiteral(join(dir, 'x'))})`),
    { code: 'INVALID_OUTPUT_MODE', message: /parquet connector does not support output_mode '(update|complete)' \(files are immutable once written/ });
  await t.rejects(engine.execute(`CREATE SINK b AS SELECT * FROM src WITH (connector = 'parquet', path = 'x', partition_by = 'day')`), /partition_by column "day" is not a column of the query/);
  await t.rejects(engine.execute(`CREATE SINK b AS SELECT * FROM src WITH (connector = 'parquet', path = 'x', compression = 'rar')`), /option "compression": expected one of 'snappy'/);
  await t.rejects(engine.execute(`CREATE SINK b AS SELECT * FROM src WITH (connector = 'jsonl', path = 'x', header = true)`), /unknown option "header" for connector "jsonl"/);
  await t.rejects(engine.execute(`CREATE SINK b AS SELECT * FROM src WITH (connector = 'csv', path = 'x', partition_by = 'id, d')`), /takes every column/);
});

t.test('redelivery: the same batch again writes nothing new; an interrupted move is rolled forward', async (t) => {
  const db = await openTestDb(join(dir, 'redeliver-data'));
  t.teardown(() => db.close());
  const out = join(dir, 'redeliver');
  const columns = [{ name: 'id', type: 'BIGINT' }, { name: 'k', type: 'VARCHAR' }];
  await db.conn.run(`CREATE TABLE batch AS SELECT i AS id, 'k' || (i % 3) AS k, 1 AS __op FROM range(30) t(i)`);
  const sink = { kind: 'sink' as const, name: 'q', sql: '', columns, query: { text: '', ast: null } as never, from: null, connector: 'parquet', options: { path: out, partition_by: 'k', trigger: 'once' } };
  const batch = (batchId: number): SinkBatch => ({ queryName: 'q', queryId: 'x', batchId, outputMode: 'append', columns, key: null, conn: db.conn, relation: 'batch' });
  const writer = await parquetSink.open(sink, db.env);
  t.same(await writer.deliver(batch(0)), { rows: 30 });
  const first = files(out);
  t.equal(first.length, 3);
  t.same(await writer.deliver(batch(0)), { rows: 30 }, 'a redelivery reports the rows');
  const reopened = await parquetSink.open(sink, db.env);
  await reopened.deliver(batch(0));
  t.same(files(out), first, 'no new files, from the same writer or a new one');
  t.equal((await readManifest(out)).length, 1);

  // batch 1: crash after the intent and one rename
  const manifest = await readManifest(out);
  const run = manifest[0]!.run;
  const bf = new BatchFiles(out, 'q', run, 'parquet');
  await bf.resetTmp(1);
  const settings = fileSinkSettings('parquet', 'q', columns, { path: out, partition_by: 'k' });
  await db.conn.run(copyBatchSql(settings, columns, 'batch', bf.tmpDir(1)).sql);
  const intent = await bf.prepare(1, 30);
  await bf.moveIntoPlace({ ...intent, moves: intent.moves.slice(0, 1) });
  t.equal(files(out).length, 4, 'one file of batch 1 is in place');
  const recovered = await parquetSink.open(sink, db.env);
  t.same(await recovered.deliver(batch(1)), { rows: 30 });
  t.equal(files(out).length, 6, 'the rest rolled forward from the intent');
  t.same((await readManifest(out)).map((e) => e.batch), [0, 1]);
  t.equal(Number(await db.conn.scalar(`SELECT count(*) FROM read_parquet(${quoteLiteral(join(out, '**', '*.parquet'))})`)), 60);
  t.same(readdirSync(join(out, '_tmp')), [], 'intent and temporary files cleaned up');

  // a torn manifest line (crash while appending) is dropped
  writeFileSync(join(out, '_eddy_manifest'), readFileSync(join(out, '_eddy_manifest'), 'utf8') + '{"sink":"q","ru');
  t.equal((await readManifest(out)).length, 2);
  t.ok(readFileSync(join(out, '_eddy_manifest'), 'utf8').endsWith('\n'));
});
