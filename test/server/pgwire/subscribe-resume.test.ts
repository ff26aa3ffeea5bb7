/** psql's SUBSCRIBE over the engine's subscriptions: resuming after a batch the client saw. */
import t from 'tap';
import { Engine } from '../../../src/engine/index.js';
import { PgServer } from '../../../src/server/pgwire/index.js';
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

t.test('SUBSCRIBE ... WITH (from_batch = N) resumes after a server restart from the view log, within its retention', async (t) => {
  const first = await startServer(t, "CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m WITH (retention_batches = 10) AS SELECT k, count(*) AS n FROM s GROUP BY k; CREATE MATERIALIZED VIEW plain AS SELECT k, count(*) AS n FROM s GROUP BY k");
  for (const k of ['a', 'b', 'c']) {
    await first.engine.execute(`INSERT INTO s VALUES ('${k}')`);
    await first.engine.drain();
  }
  await first.server.close();
  await first.engine.close();

  const engine = await Engine.open({ dataDir: first.dir });
  const server = await PgServer.start(engine, { port: 0 });
  t.teardown(async () => {
    await server.close();
    await engine.close();
  });
  const client = await connect(t, server.port);
  await client.query('BEGIN');
  await client.query('DECLARE resumed CURSOR FOR SUBSCRIBE m WITH (from_batch = 1)');
  await engine.execute("INSERT INTO s VALUES ('a')");
  await engine.drain();
  const rows = (await client.query("FETCH ALL resumed WITH (timeout = '1s')")).rows.map((r) => [Number(r.batch), r.op, r.k, Number(r.n)]);
  t.same(rows, [[1, 'insert', 'b', 1], [2, 'insert', 'c', 1], [3, 'delete', 'a', 1], [3, 'insert', 'a', 2]], 'batches 1 and 2 from before the restart, then batch 3');
  await client.query('ROLLBACK');
  await client.query('BEGIN');
  const refused = client.query('DECLARE old CURSOR FOR SUBSCRIBE plain WITH (from_batch = 0)').then(() => client.query("FETCH ALL old WITH (timeout = '1s')"));
  await t.rejects(refused, { message: /cannot resume "plain" from batch 0/ }, 'a view without retention has no history from before the restart');
  await client.query('ROLLBACK');
});
