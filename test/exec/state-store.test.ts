import { statSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Database } from '../../src/duck/index.js';
import { StateStore } from '../../src/exec/state-store.js';

async function openStore(t: Test) {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  const dataDir = t.testdir();
  const store = await StateStore.attach(conn, dataDir, 'q');
  t.teardown(async () => {
    await store.detach(conn);
    conn.close();
    db.close();
  });
  return { conn, store, dir: store.dir };
}

t.test("a batch's state inserts fill small row groups, written to the database file rather than the WAL", async (t) => {
  const { conn, store, dir } = await openStore(t);
  const table = store.table('rows');
  await conn.run(`CREATE TABLE ${table} (k BIGINT, v BIGINT, w BIGINT, x BIGINT)`);
  await conn.run('CHECKPOINT');
  await conn.transaction(() => conn.run(`INSERT INTO ${table} SELECT range, range * 2, range * 3, (hash(range) >> 1)::BIGINT FROM range(100000)`));
  const wal = statSync(join(dir, 'state.duckdb.wal'), { throwIfNoEntry: false })?.size ?? 0;
  t.ok(wal < 400_000, `the WAL holds references, not 100,000 rows of 32 bytes: ${wal} bytes`);
  const groups = Number(await conn.scalar(`SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('${table.replaceAll("'", "''")}')`));
  t.equal(groups, Math.ceil(100000 / 16384), 'row groups of 16,384 rows');
});

t.test('row widths are estimated from the column types of each state table', async (t) => {
  const { conn, store } = await openStore(t);
  await conn.run(`CREATE TABLE ${store.table('a')} (k BIGINT, s VARCHAR, n INTEGER)`);
  await conn.run(`CREATE TABLE ${store.table('b b')} (t TIMESTAMP, d DECIMAL(10,2))`);
  const widths = await store.rowWidths(conn, ['a', 'b b']);
  t.same(Object.fromEntries(widths), { a: 8 + 32 + 4, 'b b': 8 + 16 });
  t.same(Object.fromEntries(await store.rowWidths(conn, [])), {});
});
