/**
 * 1,000 websocket subscribers, twenty of which stop reading a view of wide rows: the slow ones are
 * told and cut off, the rest get every change once and in order, and the server's memory stays
 * within its per-client bounds instead of growing with what the slow ones do not read.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import t from 'tap';
import { WebSocket } from 'ws';
import { sql, startTestServer } from '../http/helpers.js';

/** A subscriber that keeps what it needs to judge order and completeness, not the rows themselves. */
class CountingSubscriber {
  changes = 0;
  outOfOrder = 0;
  subscribed = false;
  slowConsumer = false;
  closed = false;
  private last = -1;
  private readonly ids = new Set<number>();
  duplicates = 0;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; code?: string; batch?: number; row?: { id: number } };
      if (m.type === 'subscribed') this.subscribed = true;
      else if (m.type === 'error' && m.code === 'slow_consumer') this.slowConsumer = true;
      else if (m.type === 'change') {
        const id = m.row!.id;
        if (this.ids.has(id)) this.duplicates++;
        this.ids.add(id);
        // in order: batch by batch (the rows of one batch come in no particular order)
        if (m.batch! < this.last) this.outOfOrder++;
        this.last = m.batch!;
        this.changes++;
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static connect(url: string): Promise<CountingSubscriber> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new CountingSubscriber(socket)));
      socket.once('error', reject);
    });
  }

  pause(): void {
    (this.socket as unknown as { _socket: { pause(): void } })._socket.pause();
  }
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

t.test('1,000 subscribers: slow readers are cut off, the others get every change once, in order; memory bounded', async (t) => {
  const limits = { maxBufferedBytes: 256 * 1024, maxPendingBatches: 8 };
  const { url, wsUrl, engine, server } = await startTestServer(t, { limits });
  await sql(url, `CREATE SOURCE s (id BIGINT);
    CREATE MATERIALIZED VIEW narrow AS SELECT id FROM s;
    CREATE MATERIALIZED VIEW wide AS SELECT id, repeat('x', 80000) AS pad FROM s`);
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const clients: CountingSubscriber[] = [];
  for (let i = 0; i < 1000; i += 100) clients.push(...(await Promise.all(Array.from({ length: 100 }, () => CountingSubscriber.connect(wsUrl)))));
  t.teardown(() => clients.forEach((c) => c.socket.terminate()));
  const slow = clients.slice(0, 20);
  const fast = clients.slice(20);
  for (const c of slow) c.socket.send(JSON.stringify({ type: 'subscribe', name: 'wide', snapshot: false }));
  for (const c of fast) c.socket.send(JSON.stringify({ type: 'subscribe', name: 'narrow', snapshot: false }));
  await until(() => clients.every((c) => c.subscribed), 30_000, 'every subscription');
  for (const c of slow) c.pause();
  gc();
  const before = process.memoryUsage().heapUsed;

  const batches = 12;
  const perBatch = 25;
  for (let b = 0; b < batches; b++) {
    await sql(url, `INSERT INTO s SELECT ${b * perBatch} + i FROM range(${perBatch}) AS r(i)`);
    await engine.drain();
  }
  const expected = batches * perBatch;
  const started = performance.now();
  await until(() => fast.every((c) => c.changes >= expected), 60_000, 'the fast subscribers');
  t.comment(`the fast subscribers had every change ${Math.round(performance.now() - started)} ms after the last batch`);
  await until(() => (engine.subscriberCounts().get('wide') ?? 0) === 0, 60_000, 'the slow subscribers to be cut off');
  gc();
  const grown = process.memoryUsage().heapUsed - before;

  const wrong = fast.filter((c) => c.changes !== expected || c.duplicates > 0 || c.outOfOrder > 0);
  t.same(
    wrong.slice(0, 3).map((c) => ({ changes: c.changes, duplicates: c.duplicates, outOfOrder: c.outOfOrder })),
    [],
    `each of the ${fast.length} fast subscribers saw all ${expected} changes once, in order`,
  );
  t.equal(engine.subscriberCounts().get('narrow'), fast.length, 'no fast subscriber was dropped');
  // 20 slow readers of 25 x 80 kB per batch: without bounds, 12 batches would hold 480 MB for them
  // (kept by this process, which also holds the clients): a third of that is the bound
  t.ok(grown < 160 * 1024 * 1024, `heap grew ${Math.round(grown / 1048576)} MB while the slow readers were cut off`);
  slow.forEach((c) => (c.socket as unknown as { _socket: { resume(): void } })._socket.resume());
  await until(() => slow.every((c) => c.closed), 30_000, 'the slow sockets to close');
  t.ok(slow.every((c) => c.slowConsumer || c.changes < expected), 'the slow ones were told (or at least cut short)');
});
