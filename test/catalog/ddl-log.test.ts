import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { DdlLog, replayDdlLog, type DdlRecord } from '../../src/catalog/ddl-log.js';
import type { CatalogObject } from '../../src/catalog/types.js';

const at = '2026-01-01T00:00:00.000Z';
const q = { text: 'SELECT * FROM bid', start: { offset: 0, line: 1, column: 1 }, ast: null };
const bid: CatalogObject = { kind: 'source', name: 'bid', sql: 'CREATE SOURCE bid', columns: [{ name: 'x', type: 'BIGINT' }], watermark: null, connector: 'nexmark', options: { base_time: 1700000000000 } };
const hot: CatalogObject = { kind: 'materialized_view', name: 'hot', sql: 'CREATE MATERIALIZED VIEW hot', columns: [], query: q, options: {} };

function records(): DdlRecord[] {
  return [
    { op: 'create', at, sql: bid.sql, object: bid, dependsOn: [] },
    { op: 'create', at, sql: hot.sql, object: hot, dependsOn: ['bid'] },
    { op: 'alter', at, sql: 'ALTER MATERIALIZED VIEW hot PAUSE', name: 'hot', action: 'pause' },
  ];
}

t.test('records are replayed in order after reopening', async (t) => {
  const dir = t.testdir();
  const log = DdlLog.open(dir);
  for (const r of records()) log.append(r);
  log.append({ op: 'drop', at, sql: 'DROP SOURCE x', names: [] });
  log.close();
  t.ok(fs.existsSync(path.join(dir, 'catalog', 'ddl.log')));
  const replayed = replayDdlLog(DdlLog.open(dir));
  t.same(replayed.warnings, []);
  t.same(replayed.catalog.list().map((o) => o.name), ['bid', 'hot']);
  t.same(replayed.catalog.get('bid'), bid, 'resolved options survive');
  t.same(replayed.catalog.dependents('bid').map((o) => o.name), ['hot']);
  t.ok(replayed.paused.has('hot'));
});

t.test('a drop removes objects and their paused state', async (t) => {
  const dir = t.testdir();
  const log = DdlLog.open(dir);
  for (const r of records()) log.append(r);
  log.append({ op: 'drop', at, sql: 'DROP SOURCE bid CASCADE', names: ['hot', 'bid'] });
  log.close();
  const replayed = replayDdlLog(DdlLog.open(dir));
  t.same(replayed.catalog.list(), []);
  t.notOk(replayed.paused.has('hot'));
});

t.test('a torn last line is ignored with a warning and cut off', async (t) => {
  const dir = t.testdir();
  const log = DdlLog.open(dir);
  for (const r of records().slice(0, 1)) log.append(r);
  log.close();
  const file = path.join(dir, 'catalog', 'ddl.log');
  const good = fs.readFileSync(file, 'utf8');
  fs.appendFileSync(file, JSON.stringify(records()[1]).slice(0, 40));
  const reopened = DdlLog.open(dir);
  const replayed = replayDdlLog(reopened);
  t.equal(replayed.warnings.length, 1);
  t.match(replayed.warnings[0], /torn last line/);
  t.same(replayed.catalog.list().map((o) => o.name), ['bid']);
  t.equal(fs.readFileSync(file, 'utf8'), good, 'the torn bytes are truncated');
  // later appends start on a clean line
  reopened.append(records()[1]!);
  reopened.close();
  t.same(replayDdlLog(DdlLog.open(dir)).catalog.list().map((o) => o.name), ['bid', 'hot']);
});

t.test('a complete but garbled last line counts as torn too', async (t) => {
  const dir = t.testdir();
  const log = DdlLog.open(dir);
  log.append(records()[0]!);
  log.close();
  fs.appendFileSync(path.join(dir, 'catalog', 'ddl.log'), '{"op":"crea\n');
  const replayed = replayDdlLog(DdlLog.open(dir));
  t.equal(replayed.warnings.length, 1);
  t.same(replayed.catalog.list().map((o) => o.name), ['bid']);
});

t.test('a bad line before the last is corruption', async (t) => {
  const dir = t.testdir();
  fs.mkdirSync(path.join(dir, 'catalog'));
  fs.writeFileSync(path.join(dir, 'catalog', 'ddl.log'), `not json\n${JSON.stringify(records()[0])}\n`);
  t.throws(() => replayDdlLog(DdlLog.open(dir)), { code: 'IO_ERROR', message: /corrupt at line 1/ });
});
