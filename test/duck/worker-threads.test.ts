import t, { type Test } from 'tap';
import { Database } from '../../src/duck/index.js';
import { WorkerThreads } from '../../src/duck/worker-threads.js';

async function openDb(t: Pick<Test, 'teardown'>, threads: number) {
  const db = await Database.open(':memory:', { threads });
  const conn = await db.connect();
  const other = await db.connect();
  t.teardown(() => {
    other.close();
    conn.close();
    db.close();
  });
  const setting = async () => Number(await other.scalar("SELECT current_setting('threads')"));
  return { conn, other, setting };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('light work lowers DuckDB to one thread once no bulk work ran for the quiet time', async (t) => {
  const { conn, setting } = await openDb(t, 4);
  const threads = new WorkerThreads(4, true, 50);
  await threads.bulk(conn, async () => undefined);
  await threads.settle(conn);
  t.equal(await setting(), 4, 'right after bulk work the threads stay up');
  await sleep(60);
  await threads.settle(conn);
  t.equal(threads.threads, 1);
  t.equal(await setting(), 1, 'DuckDB runs on one thread');
});

t.test('bulk work runs on every thread, and light work settling meanwhile leaves them up', async (t) => {
  const { conn, other, setting } = await openDb(t, 4);
  const threads = new WorkerThreads(4, true, 0);
  await threads.settle(conn);
  t.equal(await setting(), 1);
  let during = 0;
  await threads.bulk(conn, async () => {
    during = await setting();
    await threads.settle(other);
    t.equal(await setting(), 4, 'a settle while bulk work runs does not lower the threads');
  });
  t.equal(during, 4, 'the bulk work ran on every thread');
  await threads.settle(conn);
  t.equal(await setting(), 1, 'lowered again once the bulk work ended (quiet time 0)');
});

t.test('a settle and a bulk call issued together leave DuckDB where the last one asked', async (t) => {
  const { conn, other, setting } = await openDb(t, 4);
  const threads = new WorkerThreads(4, true, 0);
  for (let i = 0; i < 20; i++) {
    const settled = threads.settle(conn);
    const bulk = threads.bulk(other, async () => setting());
    await settled;
    t.equal(await bulk, 4);
  }
  t.equal(threads.threads, 4);
  t.equal(await setting(), 4);
});

t.test('a pinned thread count is never changed', async (t) => {
  const { conn, setting } = await openDb(t, 3);
  const threads = new WorkerThreads(3, false, 0);
  await threads.settle(conn);
  await threads.bulk(conn, async () => undefined);
  await threads.settle(conn);
  t.equal(threads.threads, 3);
  t.equal(await setting(), 3);
});

t.test('Database.open adapts the threads unless they were pinned', async (t) => {
  const free = await Database.open(':memory:');
  const pinned = await Database.open(':memory:', { threads: 2 });
  t.teardown(() => [free, pinned].forEach((db) => db.close()));
  t.equal(free.threads.adaptive, true);
  t.equal(pinned.threads.adaptive, false);
  t.equal(pinned.threads.max, 2);
});
