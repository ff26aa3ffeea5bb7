import t from 'tap';
import type { SinkObject } from '../../src/catalog/types.js';
import { ConsoleSinkConnector } from '../../src/connectors/console.js';
import type { SinkBatch } from '../../src/connectors/types.js';
import { openTestDb } from './helpers.js';

const db = await openTestDb();
t.teardown(() => db.close());

const sinkObject: SinkObject = { kind: 'sink', name: 'out', sql: '', columns: [], query: { text: '', start: { offset: 0, line: 1, column: 1 }, ast: null }, from: null, connector: 'console', options: {} };

function batch(batchId: number, relation: string): SinkBatch {
  return { queryName: 'out', queryId: 'q1', batchId, outputMode: 'changelog', columns: [], key: null, conn: db.conn, relation };
}

t.test('prints each change with its batch and op; a redelivered batch is marked', async (t) => {
  const lines: string[] = [];
  const connector = new ConsoleSinkConnector((line) => lines.push(line));
  t.same(await connector.validate('out', [], { connector: 'console' }, db.env), {});
  await t.rejects(connector.validate('out', [], { colour: 'red' }, db.env), /sink "out": unknown option "colour" for connector "console"/);
  const writer = await connector.open(sinkObject, db.env);
  await db.conn.run(`CREATE TABLE outbox AS SELECT * FROM (VALUES (1, 'a', 10::BIGINT, 1), (2, 'b', 20, -1)) v(id, name, big, __op)`);
  t.same(await writer.deliver(batch(3, '"outbox"')), { rows: 2 });
  t.same(await writer.deliver(batch(3, '"outbox"')), { rows: 2 });
  t.same(lines, [
    'batch 3 + {"id":1,"name":"a","big":10}',
    'batch 3 - {"id":2,"name":"b","big":20}',
    'batch 3 (redelivered) + {"id":1,"name":"a","big":10}',
    'batch 3 (redelivered) - {"id":2,"name":"b","big":20}',
  ]);
  await t.rejects(writer.deliver(batch(4, '"no_such_table"')), { code: 'QUERY_FAILED' });
  await writer.close();
});
