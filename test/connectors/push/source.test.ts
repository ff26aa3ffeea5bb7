import t from 'tap';
import type { SourceObject } from '../../../src/catalog/types.js';
import { PushSourceStore, pushSource, pushStorageTable } from '../../../src/connectors/push/source.js';
import { EddyError } from '../../../src/util/errors.js';
import { createTable, openTestDb } from '../helpers.js';

const db = await openTestDb();
const { conn, env } = db;
t.teardown(() => db.close());

const store = new PushSourceStore();

async function createSource(name: string): Promise<SourceObject> {
  const v = await pushSource.validate(name, [
    { name: 'user_id', type: 'BIGINT' },
    { name: 'url', type: 'VARCHAR' },
    { name: 'ts', type: 'TIMESTAMP' },
  ], {}, env);
  const source: SourceObject = { kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'push', options: v.options };
  await store.create(conn, source);
  return source;
}

t.test('validate needs columns and takes no options', async (t) => {
  await t.rejects(pushSource.validate('c', null, {}, env), /needs a column list/);
  await t.rejects(pushSource.validate('c', [{ name: 'a', type: 'INT' }], { topic: 'x' }, env), /unknown option "topic" for connector "push"/);
  await t.rejects(pushSource.validate('c', [{ name: '__seq', type: 'INT' }], {}, env), /reserved/);
});

t.test('INSERT bodies are appended in order with gapless sequence numbers; the view shows them', async (t) => {
  const clicks = await createSource('clicks');
  t.same(await store.insert(conn, clicks, null, "VALUES (1, 'a', '2024-01-01 00:00:00'), (2, 'b', '2024-01-01 00:00:01')"), { rows: 2 });
  t.same(await store.insert(conn, clicks, ['url', 'user_id'], "SELECT 'c', 3"), { rows: 1 });
  t.same(await conn.query(`SELECT * FROM "${pushStorageTable('clicks')}" ORDER BY __seq`).then((r) => r.rows), [
    [1, 'a', '2024-01-01 00:00:00', 1],
    [2, 'b', '2024-01-01 00:00:01', 2],
    [3, 'c', null, 3],
  ]);
  t.same(await conn.query('SELECT * FROM clicks ORDER BY user_id').then((r) => r.columns.map((c) => c.name)), ['user_id', 'url', 'ts'], 'the view has no sequence column');
  t.equal(await conn.scalar('SELECT count(*) FROM clicks'), 3);
  t.same(await store.appendRows(conn, clicks, [{ user_id: 4, url: 'd', ts: '2024-01-02T00:00:00' }, { user_id: 5n }]), { rows: 2 });
  t.same(await conn.query('SELECT user_id, url, ts FROM clicks WHERE user_id >= 4 ORDER BY user_id').then((r) => r.rows), [
    [4, 'd', '2024-01-02 00:00:00'],
    [5, null, null],
  ]);
});

t.test('bad values are errors naming the source, row and column; nothing is appended', async (t) => {
  const s = await createSource('bad');
  const err = await store.insert(conn, s, null, "VALUES (1, 'a', '2024-01-01'), (2, 'b', 'yesterday')").catch((e: unknown) => e);
  t.type(err, EddyError);
  t.equal((err as EddyError).code, 'BAD_INPUT_ROW');
  t.equal((err as EddyError).message, 'source "bad": row 2, column "ts": cannot cast "yesterday" to TIMESTAMP');
  await t.rejects(store.insert(conn, s, null, 'VALUES (1, 2)'), /3 columns but 2 values per row/);
  await t.rejects(store.insert(conn, s, ['nope'], 'VALUES (1)'), /has no column "nope"/);
  await t.rejects(store.insert(conn, s, null, 'SELECT * FROM missing_table'), { code: 'UNDEFINED_TABLE' });
  await t.rejects(store.insert(conn, s, null, 'VALUES (1,'), { code: 'SYNTAX_ERROR' });
  await t.rejects(store.appendRows(conn, s, [{ user_id: 1 }, { user_id: 'x' }]), { message: 'source "bad": row index 1, column "user_id": cannot cast "x" to BIGINT' });
  await t.rejects(store.appendRows(conn, s, [{ user_id: 1, colour: 'red' }]), { message: 'source "bad": row index 0: unknown column "colour"' });
  await t.rejects(store.appendRows(conn, s, [{ user_id: 1 }, [1, 2] as unknown as Record<string, unknown>]), /row index 1: expected a JSON object, found array/);
  t.equal(await conn.scalar('SELECT count(*) FROM bad'), 0, 'nothing partially appended');
  t.same(await store.appendRows(conn, s, [{ user_id: 1 }]), { rows: 1 });
  t.equal(await conn.scalar(`SELECT max(__seq) FROM "${pushStorageTable('bad')}"`), 1, 'failed appends used no sequence numbers');
});

t.test('a query already of the column types is appended in one statement, in its order; a failing one appends nothing', async (t) => {
  const s = await createSource('typed');
  const body = "SELECT 10 - i AS user_id, 'u' || i AS url, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts FROM range(1, 5001) t(i)";
  t.same((await conn.describe(body)).map((c) => c.type), ['BIGINT', 'VARCHAR', 'TIMESTAMP'], 'the body has the source\'s types');
  t.same(await store.insert(conn, s, null, body), { rows: 5000 });
  t.same(await store.insert(conn, s, ['url'], "SELECT 'last'"), { rows: 1 });
  t.same(await store.insert(conn, s, null, `${body} LIMIT 0`), { rows: 0 });
  t.same(await conn.objects(`SELECT count(*) AS n, min(__seq) AS lo, max(__seq) AS hi, count(*) FILTER (WHERE url <> 'u' || __seq) AS misplaced FROM "${pushStorageTable('typed')}" WHERE __seq <= 5000`),
    [{ n: 5000, lo: 1, hi: 5000, misplaced: 0 }], 'sequence numbers follow the query\'s rows');
  t.same(await conn.query(`SELECT user_id, url, ts, __seq FROM "${pushStorageTable('typed')}" WHERE __seq > 4999 ORDER BY __seq`).then((r) => r.rows), [
    [-4990, 'u5000', '2024-01-01 01:23:20', 5000],
    [null, 'last', null, 5001],
  ]);
  const failing = "SELECT CAST(CASE WHEN i < 3 THEN '1' ELSE 'x' END AS BIGINT) AS user_id, 'v' AS url, TIMESTAMP '2024-01-01' AS ts FROM range(5) t(i)";
  await t.rejects(store.insert(conn, s, null, failing), { code: 'QUERY_FAILED', message: /source "typed": cannot append rows: Conversion Error/ });
  t.equal(await conn.scalar(`SELECT max(__seq) FROM "${pushStorageTable('typed')}"`), 5001, 'the failed query appended nothing and used no sequence numbers');
  t.same(await store.insert(conn, s, ['user_id'], 'SELECT 7::BIGINT'), { rows: 1 });
  t.equal(await conn.scalar(`SELECT user_id FROM "${pushStorageTable('typed')}" WHERE __seq = 5002`), 7);
});

t.test('concurrent inserts are serialised: sequence numbers are gapless and in order', async (t) => {
  const s = await createSource('busy');
  const conns = await Promise.all([env.db.connect(), env.db.connect(), env.db.connect()]);
  await Promise.all(
    Array.from({ length: 30 }, (_, i) => store.insert(conns[i % 3]!, s, ['user_id'], `SELECT i FROM range(${i * 10}, ${i * 10 + 10}) t(i)`)),
  );
  for (const c of conns) c.close();
  t.same(await conn.objects(`SELECT count(*) AS n, count(DISTINCT __seq) AS d, min(__seq) AS lo, max(__seq) AS hi FROM "${pushStorageTable('busy')}"`), [{ n: 300, d: 300, lo: 1, hi: 300 }]);
  t.equal(await conn.scalar(`SELECT count(*) FROM (SELECT user_id // 10 AS g, max(__seq) - min(__seq) AS span FROM "${pushStorageTable('busy')}" GROUP BY g) WHERE span <> 9`), 0, 'each insert got a contiguous range');
});

t.test('the reader loads (start, end] by sequence, bounded by maxRows', async (t) => {
  const s = await createSource('feed');
  const reader = await pushSource.open(s, env);
  t.equal(reader.initialOffset, 0);
  t.equal(await reader.latestOffset(), 0);
  t.notOk(reader.hasData(0, await reader.latestOffset()));
  await store.insert(conn, s, ['user_id'], 'SELECT * FROM range(1, 11)');
  const latest = await reader.latestOffset();
  t.equal(latest, 10);
  const end = reader.endOffset(0, latest, 4);
  t.equal(end, 4);
  await createTable(conn, 'delta', s.columns);
  t.same(await reader.load(conn, '"delta"', 0, end), { rows: 4, badRows: 0, badRowExamples: [] });
  t.same(await reader.load(conn, '"delta"', end, reader.endOffset(end, latest, undefined)), { rows: 6, badRows: 0, badRowExamples: [] });
  t.same(await conn.query('SELECT user_id FROM delta').then((r) => r.rows.flat()), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await store.insert(conn, s, ['user_id'], 'VALUES (11)');
  t.equal(await reader.latestOffset(), 11);
  await reader.close();
});

t.test('the reader copies only the columns a query reads; the others are NULL', async (t) => {
  const s = await createSource('narrow');
  await store.insert(conn, s, null, "VALUES (1, 'a', '2024-01-01 00:00:00'), (2, 'b', '2024-01-01 00:00:01')");
  const reader = await pushSource.open(s, env);
  await createTable(conn, 'narrow_delta', s.columns);
  t.same(await reader.load(conn, '"narrow_delta"', 0, 2, new Set(['user_id', 'ts'])), { rows: 2, badRows: 0, badRowExamples: [] });
  t.same(await conn.query('SELECT * FROM narrow_delta ORDER BY user_id').then((r) => r.rows), [
    [1, null, '2024-01-01 00:00:00'],
    [2, null, '2024-01-01 00:00:01'],
  ]);
  await reader.close();
});

t.test('drop removes the storage and the view; create again starts over', async (t) => {
  const s = await createSource('gone');
  await store.insert(conn, s, ['user_id'], 'VALUES (1)');
  await store.create(conn, s);
  t.equal(await conn.scalar('SELECT count(*) FROM gone'), 1, 'create is idempotent (DDL replay)');
  await store.drop(conn, 'gone');
  await t.rejects(conn.query('SELECT * FROM gone'));
  await t.rejects(conn.query(`SELECT * FROM "${pushStorageTable('gone')}"`));
  await createSource('gone');
  await store.insert(conn, s, ['user_id'], 'VALUES (2)');
  t.equal(await conn.scalar(`SELECT max(__seq) FROM "${pushStorageTable('gone')}"`), 1);
});
