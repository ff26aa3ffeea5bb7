/** psql's SUBSCRIBE over the engine's subscriptions: resuming after a batch the client saw. */
import t from 'tap';
import { connect, startServer } from './helpers.js';

t.test('SUBSCRIBE ... WITH (from_batch = N) resumes with the changes of batch N on, no snapshot', async (t) => {
  const { port, engine } = await startServer(t, 'CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  const client = await connect(t, port);
  // a feed follows the view from the start, as a client that saw its batches would have had
  await client.query('BEGIN');
  await client.query('DECLARE live CURSOR FOR SUBSCRIBE m WITH (snapshot = false)');
  for (const k of ['a', 'b', 'c']) {
    await engine.execute(`INSERT INTO s VALUES ('${k}')`);
    await engine.drain();
  }
  await client.query('DECLARE resumed CURSOR FOR SUBSCRIBE m WITH (from_batch = 1)');
  const rows = (await client.query("FETCH ALL resumed WITH (timeout = '1s')")).rows.map((r) => [Number(r.batch), r.op, r.k, Number(r.n)]);
  t.same(rows, [[1, 'insert', 'b', 1], [2, 'insert', 'c', 1]], 'batches 1 and 2, not the snapshot, not batch 0');
  await t.rejects(client.query('DECLARE bad CURSOR FOR SUBSCRIBE m WITH (from_batch = -1)'), { message: /from_batch must be a batch number/ });
  await client.query('ROLLBACK');
});
