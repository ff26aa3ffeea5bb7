/**
 * Query directories: a name never becomes a path component, distinct names never share a directory
 * (also when the file system ignores case), and the one removal helper deletes nothing but a
 * directory directly inside <data-dir>/queries/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { QUERIES_DIR, queryDir, queryDirName, removeInsideQueries, removeQueryDir } from '../../src/checkpoint/query-dir.js';

const NAMES = ['hot', 'Hot', 'HOT', '..', '.', '../../victim', 'a/b', 'a\\b', 'a_b', 'a b', 'a\u0000b', 'Zürich', 'Zurich', 'データ', '🌊', 'x'.repeat(1000), 'x'.repeat(999), ''];

t.test('every name maps to one short ASCII path component of its own', async (t) => {
  const seen = new Map<string, string>();
  for (const name of NAMES) {
    const dir = queryDirName(name);
    t.match(dir, /^[A-Za-z0-9_]{0,40}-[0-9a-f]{16}$/, `${JSON.stringify(name.slice(0, 20))} -> ${dir}`);
    t.ok(Buffer.byteLength(dir) < 255, 'under the 255-byte limit of a file name');
    const folded = dir.toLowerCase(); // what a case-insensitive file system compares
    t.notOk(seen.has(folded), `${JSON.stringify(name.slice(0, 20))} does not share a directory with ${JSON.stringify(seen.get(folded)?.slice(0, 20))}`);
    seen.set(folded, name);
    t.equal(queryDir('/data', name), join('/data', QUERIES_DIR, dir), 'directly inside queries/');
  }
});

t.test('the encoding is stable: existing checkpoints are found again after an upgrade', async (t) => {
  t.equal(queryDirName('hot'), 'hot-7f5d1618e7d28cc7');
  t.equal(queryDirName('..'), '__-5ec1f7e700f37c3d');
});

t.test('the removal helper deletes a query directory and refuses everything else', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eddy-qdir-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  const queries = join(dataDir, QUERIES_DIR);
  mkdirSync(join(queries, 'nested', 'deeper'), { recursive: true });
  mkdirSync(join(root, 'victim'));
  for (const f of [join(root, 'victim', 'keep.txt'), join(dataDir, 'eddy.duckdb'), join(queries, 'nested', 'deeper', 'keep.txt')]) writeFileSync(f, 'sentinel');

  for (const target of [dataDir, queries, join(queries, '.'), join(queries, '..'), join(queries, '..', '..', 'victim'), join(root, 'victim'), join(queries, 'nested', 'deeper'), '/']) {
    await t.rejects(removeInsideQueries(dataDir, target), { code: 'INTERNAL', message: /refusing to delete .*not a query directory directly inside/ }, `refuses ${target}`);
  }
  t.ok(existsSync(join(root, 'victim', 'keep.txt')) && existsSync(join(dataDir, 'eddy.duckdb')) && existsSync(join(queries, 'nested', 'deeper', 'keep.txt')), 'nothing was deleted');

  for (const name of ['..', '.', '../../victim', 'a/b']) {
    mkdirSync(queryDir(dataDir, name), { recursive: true });
    writeFileSync(join(queryDir(dataDir, name), 'metadata.json'), '{}');
    await removeQueryDir(dataDir, name);
    t.notOk(existsSync(queryDir(dataDir, name)), `the directory of ${JSON.stringify(name)} is gone`);
  }
  t.ok(existsSync(join(root, 'victim', 'keep.txt')) && existsSync(join(dataDir, 'eddy.duckdb')) && existsSync(join(queries, 'nested')), 'and nothing else');
});
