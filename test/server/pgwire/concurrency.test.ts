import t from 'tap';
import type pg from 'pg';
import { connect, startServer } from './helpers.js';

const CONNECTIONS = 50;
const SUBSCRIBERS = 20;
const ROUNDS = 5;
const INSERTS_PER_ROUND = 20;
const ROWS_PER_INSERT = 10;

t.test('many connections and subscribers: nothing is lost, memory stays bounded', async (t) => {
  const { port, engine } = await startServer(
    t,
    `CREATE SOURCE events (id BIGINT, payload VARCHAR);
     CREATE MATERIALIZED VIEW seen AS SELECT id, payload FROM events;`,
  );
  const clients: pg.Client[] = [];
  for (let i = 0; i < CONNECTIONS; i++) clients.push(await connect(t, port, { user: `user${i}` }));
  const subscribers = clients.slice(0, SUBSCRIBERS);
  const others = clients.slice(SUBSCRIBERS);
  const received = subscribers.map(() => new Set<number>());
  for (const s of subscribers) {
    await s.query('BEGIN');
    await s.query('DECLARE c CURSOR FOR SUBSCRIBE seen');
  }
  let stop = false;
  const readers = subscribers.map(async (s, i) => {
    while (!stop) {
      const { rows } = await s.query("FETCH ALL c WITH (timeout = '100ms')");
      for (const row of rows) {
        if (row.op === 'insert') received[i]!.add(Number(row.id));
      }
    }
  });

  const rss: number[] = [];
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const inserts: Promise<unknown>[] = [];
    for (let k = 0; k < INSERTS_PER_ROUND; k++) {
      const values = Array.from({ length: ROWS_PER_INSERT }, () => `(${next++}, repeat('x', 100))`).join(', ');
      const client = others[k % others.length]!;
      inserts.push(client.query(`INSERT INTO events VALUES ${values}`));
    }
    // the other connections keep querying meanwhile
    inserts.push(...others.map((c) => c.query('SELECT count(*) FROM seen')));
    await Promise.all(inserts);
    await engine.drain();
    const expected = next;
    const until = Date.now() + 20_000;
    while (received.some((r) => r.size < expected) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    t.same(
      received.map((r) => r.size),
      received.map(() => expected),
      `round ${round}: every subscriber saw all ${expected} rows`,
    );
    global.gc?.();
    rss.push(process.memoryUsage().rss);
  }
  stop = true;
  await Promise.all(readers);
  const growth = (rss[rss.length - 1]! - rss[1]!) / 1024 / 1024;
  t.ok(growth < 100, `RSS grew ${growth.toFixed(1)} MiB between round 2 and round ${ROUNDS} (bound 100 MiB)`);
});
