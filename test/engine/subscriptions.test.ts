/**
 * The engine's one subscription mechanism, as every protocol uses it: a snapshot as of a batch, a
 * ring of recent change batches for resuming, and an end with a reason whoever caused it.
 */
import t, { type Test } from 'tap';
import type { Engine } from '../../src/engine/index.js';
import { openTempEngine } from '../support/temp-engine.js';
import { recorder } from '../support/change-recorder.js';

async function setup(t: Test): Promise<Engine> {
  const engine = await openTempEngine(t, 'subscriptions');
  await engine.execute('CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  return engine;
}

async function insert(engine: Engine, value: string): Promise<void> {
  await engine.execute(`INSERT INTO s VALUES ('${value}')`);
  await engine.drain();
}

t.test('a snapshot as of a batch, then every later batch once', async (t) => {
  const engine = await setup(t);
  await insert(engine, 'a');
  const sink = recorder();
  const unsubscribe = await engine.subscribe('m', { snapshot: true }, sink);
  t.same([sink.snapshot, sink.snapshotBatch], [[{ k: 'a', n: 1 }], 0]);
  await insert(engine, 'b');
  t.same(sink.batches.map((b) => b.batch), [1]);
  t.equal(engine.subscriberCounts().get('m'), 1);
  unsubscribe();
  await insert(engine, 'c');
  t.same(sink.batches.map((b) => b.batch), [1], 'nothing after unsubscribing');
  t.equal(engine.subscriberCounts().get('m') ?? 0, 0);
});

t.test('a subscriber that saw batch N resumes from N+1 out of the ring; an older point is refused', async (t) => {
  const engine = await openTempEngine(t, 'subscriptions-ring');
  await engine.execute('CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  const first = recorder();
  const unsubscribe = await engine.subscribe('m', { snapshot: false }, first);
  await insert(engine, 'a');
  await insert(engine, 'b');
  unsubscribe();
  await insert(engine, 'c');
  await insert(engine, 'd');
  // the client saw batch 1 (of a, b): it resumes from 2 and gets c and d without a snapshot
  t.same(first.batches.map((b) => b.batch), [0, 1]);
  const resumed = recorder();
  await engine.subscribe('m', { snapshot: true, fromBatch: 2 }, resumed);
  t.same([resumed.snapshot, resumed.snapshotBatch], [null, 1]);
  t.same(resumed.batches.map((b) => b.batch), [2, 3]);
  t.same(resumed.batches.map((b) => b.changes.map((c) => c.row.k)), [['c'], ['d']]);
  await insert(engine, 'e');
  t.same(resumed.batches.map((b) => b.batch), [2, 3, 4], 'then live changes');
});

t.test('the ring is bounded: a resume point older than it is refused with a hint to take a snapshot', async (t) => {
  const engine = await openTempEngine(t, 'subscriptions-small-ring', { subscriptions: { ringBatches: 2 } });
  await engine.execute('CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  await engine.subscribe('m', { snapshot: false }, recorder());
  for (const v of ['a', 'b', 'c', 'd']) await insert(engine, v);
  await t.rejects(engine.subscribe('m', { snapshot: false, fromBatch: 0 }, recorder()), { code: 'INVALID_PARAMETER', message: /cannot resume "m" from batch 0: the server keeps its changes from batch 2 on/ });
  const late = recorder();
  await engine.subscribe('m', { snapshot: false, fromBatch: 2 }, late);
  t.same(late.batches.map((b) => b.batch), [2, 3]);
});

t.test('DROP, RESET and close end every subscription with the reason; a new query gets a fresh feed', async (t) => {
  const engine = await setup(t);
  await insert(engine, 'a');
  const dropped = recorder();
  await engine.subscribe('m', { snapshot: true }, dropped);
  await engine.execute('DROP MATERIALIZED VIEW m');
  t.match(dropped.ended, { code: 'UNDEFINED_TABLE', message: 'materialized view "m" was dropped' });
  t.equal(engine.subscriberCounts().get('m') ?? 0, 0);

  await engine.execute('CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k');
  await engine.drain();
  const fresh = recorder();
  await engine.subscribe('m', { snapshot: true }, fresh);
  t.same(fresh.snapshot, [{ k: 'a', n: 1 }], 'the new view, from the source');
  await insert(engine, 'b');
  t.same(fresh.batches.flatMap((b) => b.changes.map((c) => c.row.k)), ['b'], 'the new feed delivers');

  await engine.execute('ALTER MATERIALIZED VIEW m RESET');
  t.match(fresh.ended, { code: 'OBJECT_IN_USE', message: /materialized view "m" was reset/ });

  const last = recorder();
  await engine.subscribe('m', { snapshot: false }, last);
  await engine.close();
  t.match(last.ended, { message: /the server is shutting down/ });
});
