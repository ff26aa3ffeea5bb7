import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import t from 'tap';
import { sql, startTestServer } from '../http/helpers.js';
import { TestWsClient } from './ws-client.js';

t.test('a client that does not read is told it is too slow and dropped; others get everything', async (t) => {
  const { url, wsUrl, engine, server } = await startTestServer(t, { limits: { maxPendingBatches: 4, maxBufferedBytes: 256 * 1024 } });
  await sql(url, `CREATE SOURCE s (id BIGINT, payload VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT id, payload FROM s`);
  const fast = await TestWsClient.connect(wsUrl);
  const slow = await TestWsClient.connect(wsUrl);
  t.teardown(() => {
    fast.close();
    slow.close();
  });
  fast.send({ type: 'subscribe', name: 'm', snapshot: false });
  slow.send({ type: 'subscribe', name: 'm', snapshot: false });
  await fast.until((m) => m.some((x) => x.type === 'subscribed'));
  await slow.until((m) => m.some((x) => x.type === 'subscribed'));
  (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
  const rounds = 12;
  const perRound = 300;
  const resumeSlow = () => (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
  let dropped = false;
  for (let i = 0; i < rounds; i++) {
    // 300 rows of 10 kB: 3 MB a batch, far more than the socket buffers hold in all
    await sql(url, `INSERT INTO s SELECT ${i * perRound} + i, repeat('x', 10000) FROM range(${perRound}) AS r(i)`);
    await engine.drain();
    if (!dropped && engine.subscriberCounts().get('m') === 1) {
      // read again at once: the server waits a few seconds for a dropped client to take its error
      dropped = true;
      resumeSlow();
    }
  }
  await fast.until((m) => m.filter((x) => x.type === 'change').length === rounds * perRound, 30_000);
  const ids = fast.messages.filter((x) => x.type === 'change').map((x) => x.row.id);
  t.equal(new Set(ids).size, rounds * perRound, 'the fast client got every change once');
  t.equal(engine.subscriberCounts().get('m'), 1, 'the slow client was dropped');
  t.ok(dropped, 'dropped while the batches came');
  await slow.until(() => slow.closed !== null, 30_000);
  const told = slow.messages.find((x) => x.type === 'error');
  t.match(told, { code: 'slow_consumer', message: /reads too slowly/ });
  t.equal(slow.closed?.code, 1008);
  t.ok(slow.messages.filter((x) => x.type === 'change').length < rounds * perRound, 'it did not get everything');
});

t.test('50 websocket subscribers see every change; memory stays flat over rounds', async (t) => {
  const { url, wsUrl, engine, server } = await startTestServer(t);
  await sql(url, `CREATE SOURCE s (id BIGINT, v VARCHAR); CREATE MATERIALIZED VIEW m AS SELECT id, v FROM s`);
  const clientsPerRound = 50;
  const inserts = 20;
  const rowsPerInsert = 10;
  const rss: number[] = [];
  const heap: number[] = [];
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let next = 0;
  for (let round = 0; round < 8; round++) {
    const clients = await Promise.all(Array.from({ length: clientsPerRound }, () => TestWsClient.connect(wsUrl)));
    for (const c of clients) c.send({ type: 'subscribe', name: 'm', id: 'sub' });
    await Promise.all(clients.map((c) => c.until((m) => m.some((x) => x.type === 'subscribed'))));
    const start = next;
    for (let i = 0; i < inserts; i++) {
      const values = Array.from({ length: rowsPerInsert }, () => `(${next++}, 'row ${next}')`).join(', ');
      await sql(url, `INSERT INTO s VALUES ${values}`);
      if (i % 5 === 4) await engine.drain();
    }
    await engine.drain();
    const expected = Array.from({ length: next - start }, (_, i) => start + i);
    await Promise.all(clients.map((c) => c.until(() => c.of('sub', 'change').length >= expected.length, 30_000)));
    for (const c of clients) {
      const seen = c.of('sub', 'change').map((m) => m.row.id).sort((a: number, b: number) => a - b);
      const snapshot = c.of('sub', 'snapshot').length;
      if (seen.length !== expected.length || seen.some((id: number, i: number) => id !== expected[i]) || snapshot !== start) {
        t.fail(`round ${round}: a client saw ${seen.length} changes and ${snapshot} snapshot rows, expected ${expected.length} and ${start}`);
      }
    }
    t.pass(`round ${round}: ${clientsPerRound} clients each saw all ${expected.length} changes after a ${start}-row snapshot`);
    for (const c of clients) c.close();
    for (let i = 0; i < 100 && server.wsClients > 0; i++) await new Promise((r) => setTimeout(r, 20));
    t.equal(server.wsClients, 0, 'every socket closed on the server');
    t.equal(engine.subscriberCounts().get('m'), 0, 'no subscriber left behind');
    gc();
    rss.push(process.memoryUsage().rss);
    heap.push(process.memoryUsage().heapUsed);
  }
  const mb = (n: number) => Math.round(n / 1048576);
  const report = `RSS ${rss.map(mb).join(', ')} MB; JS heap ${heap.map(mb).join(', ')} MB`;
  // the first rounds warm up (JIT, DuckDB's buffers); after them memory must stay flat
  t.ok(heap[heap.length - 1]! - heap[2]! < 16 * 1048576, `JS heap flat after warm-up: ${report}`);
  t.ok(rss[rss.length - 1]! - rss[2]! < 96 * 1048576, `RSS bounded after warm-up: ${report}`);
});
