/**
 * Row values and column names become Hive partition directories (`col=value/`) of a file sink: ones
 * that look like paths (`../../x`, `/abs`, `..`, `a/b`) stay inside the sink's path, one directory
 * each, because DuckDB percent-escapes both before Eddy moves the files into place.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { quoteLiteral } from '../../../src/duck/index.js';
import { Engine } from '../../../src/engine/index.js';

t.test('partition values and column names that look like paths stay inside the sink\'s path', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-partitions-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const out = join(root, 'a', 'b', 'out'); // `../../x` from a partition directory would be root/a/x
  mkdirSync(out, { recursive: true });
  writeFileSync(join(root, 'a', 'keep.txt'), 'sentinel');
  const engine = await Engine.open({ dataDir: join(root, 'data') });
  t.teardown(() => engine.close());
  await engine.execute(`
    CREATE SOURCE src (p VARCHAR, "../../q" VARCHAR, v INTEGER);
    CREATE SINK s FROM src WITH (connector = 'jsonl', path = ${quoteLiteral(out)}, partition_by = 'p, ../../q');
    INSERT INTO src VALUES ('../../x', '..', 1), ('/abs', '/', 2), ('..', 'a/b', 3), ('a\\b', '.', 4);`);
  await engine.drain();

  t.same(readdirSync(root).sort(), ['a', 'data']);
  t.same(readdirSync(join(root, 'a')).sort(), ['b', 'keep.txt'], 'nothing was written next to the sink\'s path');
  t.same(readdirSync(join(root, 'a', 'b')), ['out']);
  const files = readdirSync(out, { recursive: true }).map(String).filter((f) => f.endsWith('.jsonl'));
  t.equal(files.length, 4, 'one file per partition');
  for (const f of files) t.match(f, /^p=[^/]+\/\.\.%2F\.\.%2Fq=[^/]+\/part-s-[^/]+\.jsonl$/, `${f}: two directory levels, escaped`);
  const values = files.flatMap((f) => readFileSync(join(out, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { v: number }).v));
  t.same(values.sort(), [1, 2, 3, 4], 'every row written once');
});
