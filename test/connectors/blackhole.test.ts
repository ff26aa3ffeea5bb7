import t from 'tap';
import type { SinkObject } from '../../src/catalog/types.js';
import { BlackholeSinkWriter, blackholeSink } from '../../src/connectors/blackhole.js';
import type { SinkBatch } from '../../src/connectors/types.js';
import { openTestDb } from './helpers.js';

const db = await openTestDb();
t.teardown(() => db.close());

const sinkObject: SinkObject = { kind: 'sink', name: 'out', sql: '', columns: [], query: { text: '', start: { offset: 0, line: 1, column: 1 }, ast: null }, from: null, connector: 'blackhole', options: {} };

t.test('counts rows once per batch and discards them', async (t) => {
  await t.rejects(blackholeSink.validate('out', [], { path: 'x' }, db.env), /unknown option "path" for connector "blackhole"/);
  const writer = (await blackholeSink.open(sinkObject, db.env)) as BlackholeSinkWriter;
  await db.conn.run('CREATE TABLE outbox AS SELECT i AS x, 1 AS __op FROM range(7) t(i)');
  const columns = [{ name: 'x', type: 'BIGINT' }];
  const batch = (batchId: number): SinkBatch => ({ queryName: 'out', queryId: 'q', batchId, outputMode: 'append', columns, key: null, conn: db.conn, relation: '"outbox"' });
  t.same(await writer.deliver(batch(0)), { rows: 7 });
  t.same(await writer.deliver(batch(1)), { rows: 7 });
  t.same(await writer.deliver(batch(1)), { rows: 7 }, 'a redelivery reports its rows');
  t.equal(writer.totalRows, 14, 'but is not counted twice');
  t.equal(await db.conn.scalar('SELECT count(*) FROM outbox'), 7, 'the relation is left alone');
});

t.test('every column is read: an output expression that fails fails the delivery', async (t) => {
  const writer = await blackholeSink.open(sinkObject, db.env);
  await db.conn.run(`CREATE VIEW bad_output AS SELECT i, CAST('x' || i AS INTEGER) AS y, 1 AS __op FROM range(3) t(i)`);
  const columns = [{ name: 'i', type: 'BIGINT' }, { name: 'y', type: 'INTEGER' }];
  await t.rejects(writer.deliver({ queryName: 'out', queryId: 'q', batchId: 0, outputMode: 'append', columns, key: null, conn: db.conn, relation: 'bad_output' }),
    /cannot read batch 0/, 'a count(*) alone would skip computing y');
});
