import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CommittedFiles, MANIFEST_NAME } from '../../../src/connectors/file/manifest.js';
import { Database, quoteLiteral } from '../../../src/duck/index.js';
import { Engine } from '../../../src/engine/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eddy-file-manifest-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const count = async (engine: Engine, sql: string): Promise<number> => Number((await engine.execute(sql)).at(-1)!.rows[0]![0]);

t.test("a file source over an Eddy sink's directory reads only the files of committed batches", async (t) => {
  const out = join(dir, 'lake');
  const engine = await Engine.open({ dataDir: join(dir, 'data') });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE s (k INTEGER, v INTEGER);
CREATE SINK lake AS SELECT * FROM s WITH (connector = 'parquet', path = ${quoteLiteral(out)}, partition_by = 'k')`);
  await engine.execute('INSERT INTO s SELECT range % 3, range FROM range(30)');
  await engine.drain();
  await engine.execute('INSERT INTO s SELECT range % 3, range FROM range(30, 40)');
  await engine.drain();

  // What a crash between the renames of a batch leaves: a file in place whose batch never reached the
  // manifest (here a copy of a committed file under another batch's name).
  const partition = readdirSync(out).find((d) => d.startsWith('k='))!;
  const committed = readdirSync(join(out, partition)).find((f) => f.endsWith('.parquet'))!;
  copyFileSync(join(out, partition, committed), join(out, partition, 'part-lake-ffffffff-00000099-0000.parquet'));
  const glob = quoteLiteral(join(out, '**', '*.parquet'));
  t.ok(await count(engine, `SELECT count(*) FROM read_parquet(${glob})`) > 40, 'a plain glob sees the stray file');

  await engine.execute(`CREATE SOURCE back (k INTEGER, v INTEGER) WITH (connector = 'file', path = ${glob}, hive_partitioning = true);
CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(v) AS s FROM back`);
  await engine.drain();
  t.same((await engine.execute('SELECT n, s FROM totals'))[0]!.rows, [[40, 780]], 'the source reads the 40 committed rows once');

  // The same for DuckDB (docs/design/20261122-file-sinks.md): the manifest's files, then read_parquet of them.
  const manifest = quoteLiteral(join(out, '_eddy_manifest'));
  const duck = await Database.open(':memory:');
  t.teardown(() => duck.close());
  const conn = await duck.connect();
  await conn.run(`SET VARIABLE committed = (SELECT list(${quoteLiteral(`${out}/`)} || f) FROM (SELECT unnest(files) AS f FROM read_json(${manifest}, format = 'newline_delimited')))`);
  const exact = await conn.scalar(`SELECT count(*) FROM read_parquet(getvariable('committed'), hive_partitioning = true)`);
  t.equal(Number(exact), 40, 'a DuckDB reader that lists files from _eddy_manifest is exact too');
  conn.close();
});

t.test('CommittedFiles follows a manifest as it grows, and never counts a torn last line', async (t) => {
  const out = join(dir, 'follow');
  mkdirSync(out, { recursive: true });
  const committed = new CommittedFiles(out);
  t.equal(await committed.current(), null, 'no manifest: not a sink directory');
  const entry = (batch: number, files: string[]) => JSON.stringify({ sink: 's', run: 'r', batch, rows: 1, files, committed_at: '' });
  appendFileSync(join(out, MANIFEST_NAME), `${entry(0, ['a.parquet'])}\n`);
  t.same([...(await committed.current())!], ['a.parquet']);
  const torn = `${entry(1, ['b.parquet', 'c.parquet'])}\n`;
  appendFileSync(join(out, MANIFEST_NAME), torn.slice(0, 20));
  t.same([...(await committed.current())!], ['a.parquet'], 'a line being written is not a committed batch');
  appendFileSync(join(out, MANIFEST_NAME), torn.slice(20));
  t.same([...(await committed.current())!].sort(), ['a.parquet', 'b.parquet', 'c.parquet'], 'once complete, it is');
  rmSync(join(out, MANIFEST_NAME));
  writeFileSync(join(out, MANIFEST_NAME), `${entry(0, ['z.parquet'])}\n`);
  t.same([...(await committed.current())!], ['z.parquet'], 'a new manifest in its place is read from its start');
});
