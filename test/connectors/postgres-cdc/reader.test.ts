/**
 * The postgres-cdc reader on its own, against a real PostgreSQL 15 and a real DuckDB: what it does
 * with a slot and a snapshot copy a crash left behind, that the server is told to forget WAL only
 * once an offset is committed, and that a restart re-reads a batch exactly.
 */
import t, { type Test } from 'tap';
import type { SourceObject } from '../../../src/catalog/types.js';
import { postgresCdcSource } from '../../../src/connectors/postgres-cdc/source.js';
import { slotName } from '../../../src/connectors/postgres-cdc/settings.js';
import { recordedSnapshot } from '../../../src/connectors/postgres-cdc/snapshot.js';
import type { SourceOffset, SourceReader } from '../../../src/connectors/types.js';
import { Database, type Connection } from '../../../src/duck/index.js';
import { startPostgres } from '../../support/postgres-server.js';

const pg = await startPostgres(t);
const db = await Database.open(':memory:');
const conn: Connection = await db.connect();
t.teardown(() => db.close());
const env = { dataDir: '/nonexistent', db };
let tables = 0;

async function source(t: Test): Promise<{ object: SourceObject; table: string }> {
  const table = `t${++tables}`;
  await pg.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v INT)`);
  await pg.query(`INSERT INTO ${table} SELECT g, g FROM generate_series(1, 100) AS g`);
  const options = {
    connector: 'postgres-cdc', hostname: pg.host, port: pg.port, username: pg.user, password: pg.password,
    'database.name': pg.database, 'table.name': table,
  };
  const columns = [{ name: 'id', type: 'INTEGER' }, { name: 'v', type: 'INTEGER' }];
  const validated = await postgresCdcSource.validate(table, columns, options, env, ['id']);
  const object: SourceObject = { kind: 'source', name: table, sql: '', columns: validated.columns, watermark: null, connector: 'postgres-cdc', options: validated.options, primaryKey: ['id'] };
  void t;
  return { object, table };
}

async function open(t: Test, object: SourceObject, queryId: string): Promise<SourceReader> {
  const reader = await postgresCdcSource.open(object, env, { query: 'q', queryId });
  t.teardown(() => reader.close());
  return reader;
}

/** Loads (start, end] and returns the rows with their commands. */
async function load(reader: SourceReader, start: SourceOffset, end: SourceOffset): Promise<number[][]> {
  await conn.run('CREATE OR REPLACE TEMP TABLE batch (id INTEGER, v INTEGER, __op INTEGER, __pos BIGINT)');
  await reader.load(conn, 'batch', start, end);
  return (await conn.objects<{ id: number; v: number; op: number }>('SELECT id, v, __op AS op FROM batch ORDER BY __pos')).map((r) => [r.id, r.v, r.op]);
}

async function confirmed(slot: string): Promise<string | null> {
  return (await pg.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.lsn ?? null;
}

async function until(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

t.test('a slot left without a recorded snapshot copy (a crash during the copy) is dropped and taken again', async (t) => {
  const { object } = await source(t);
  const slot = slotName(object.name, 'crashed-during-copy');
  await pg.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
  const before = (await pg.query('SELECT restart_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0].lsn;
  await pg.query(`UPDATE ${object.name} SET v = -v WHERE id <= 10`);
  const reader = await open(t, object, 'crashed-during-copy');
  await reader.startAt!(reader.initialOffset);
  const latest = await reader.latestOffset();
  const rows = await load(reader, reader.initialOffset, latest);
  t.equal(rows.length, 100, 'the whole table, from a new snapshot');
  t.same(rows.filter((r) => r[0]! <= 2), [[1, -1, 1], [2, -2, 1]], 'as of now, not as of the old slot');
  const after = (await pg.query('SELECT restart_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0].lsn;
  t.not(after, before, 'the slot was made again');
});

t.test('a recorded copy is read again after a crash before the first batch committed; the server forgets WAL only after a commit', async (t) => {
  const { object, table } = await source(t);
  const first = await open(t, object, 'q2');
  await first.startAt!(first.initialOffset);
  const snapshotEnd = first.endOffset(first.initialOffset, await first.latestOffset(), 40);
  t.same(snapshotEnd, { ...(snapshotEnd as object), snapshot: 40 }, 'a batch of 40 snapshot rows');
  const rowsBefore = await load(first, first.initialOffset, snapshotEnd);
  const slot = slotName(object.name, 'q2');
  const copy = await recordedSnapshot(conn, slot);
  t.equal(copy?.rows, 100);
  await first.close(); // a crash: nothing committed

  await pg.query(`DELETE FROM ${table} WHERE id = 1`);
  const second = await open(t, object, 'q2');
  await second.startAt!(second.initialOffset);
  const latest = await second.latestOffset();
  t.same(await load(second, second.initialOffset, snapshotEnd), rowsBefore, 'the same batch, the same rows: the copy, not a new snapshot');
  const all = await load(second, snapshotEnd, latest);
  t.equal(all.length, 61, 'the rest of the snapshot, then the delete');
  t.same(all.at(-1), [1, null, -1], 'a delete carries the key');
  const confirmedBefore = await confirmed(slot);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(await confirmed(slot), confirmedBefore, 'loaded but not committed: nothing confirmed');
  await second.committed!(latest);
  t.ok(await until(async () => (await confirmed(slot)) !== confirmedBefore), `confirmed once committed (${confirmedBefore} -> ${await confirmed(slot)})`);
  t.equal(await recordedSnapshot(conn, slot), null, 'the copy is dropped once a committed offset is past it');

  await pg.query(`INSERT INTO ${table} VALUES (1000, 1)`);
  await pg.query(`INSERT INTO ${table} VALUES (1001, 2)`);
  await second.close();
  // restarted from the committed offset: the two inserts, and nothing before them
  const third = await open(t, object, 'q2');
  await third.startAt!(latest);
  const end = await third.latestOffset();
  t.same(await load(third, latest, end), [[1000, 1, 1], [1001, 2, 1]]);
  const middle = third.endOffset(latest, end, 1);
  t.same(await load(third, latest, middle), [[1000, 1, 1]], 'a batch of one change');
  t.same(await load(third, middle, end), [[1001, 2, 1]], 'and the next');

  await third.release!();
  t.equal(await confirmed(slot), null, 'release drops the slot');
});

t.test('a slot dropped upstream stops the query with what to do', async (t) => {
  const { object } = await source(t);
  const reader = await open(t, object, 'q3');
  await reader.startAt!(reader.initialOffset);
  const latest = await reader.latestOffset();
  await load(reader, reader.initialOffset, latest);
  await reader.committed!(latest);
  await reader.close();
  const slot = slotName(object.name, 'q3');
  await until(async () => (await pg.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active !== true);
  await pg.query('SELECT pg_drop_replication_slot($1)', [slot]);
  const again = await open(t, object, 'q3');
  await again.startAt!(latest);
  await t.rejects(again.latestOffset(), { code: 'QUERY_FAILED', message: /replication slot "eddy_t3_[0-9a-f]+" is gone/ });
});
