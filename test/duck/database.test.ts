import t, { type Test } from 'tap';
import { Database, type Connection } from '../../src/duck/index.js';

async function withTable(t: Test, fn: (conn: Connection) => Promise<void>): Promise<void> {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  t.teardown(() => {
    conn.close();
    db.close();
  });
  await conn.run('CREATE TABLE x (a INTEGER)');
  await fn(conn);
}

const count = async (conn: Connection): Promise<number> => Number(await conn.scalar('SELECT count(*) FROM x'));

t.test('a transaction commits its statements and the statements given to run before COMMIT', async (t) => {
  await withTable(t, async (conn) => {
    const out = await conn.transaction(async () => conn.runCount('INSERT INTO x VALUES (1), (2)'), ['INSERT INTO x VALUES (3)']);
    t.equal(out, 2, 'the first statement still returns its own result with BEGIN in front of it');
    t.equal(await count(conn), 3);
  });
});

t.test('a transaction whose first statement fails leaves nothing behind and the connection usable', async (t) => {
  await withTable(t, async (conn) => {
    await t.rejects(conn.transaction(async () => {
      await conn.run('INSERT INTO x VALUES (1); INSERT INTO nowhere VALUES (1)');
    }));
    t.equal(await count(conn), 0);
    await conn.transaction(async () => conn.run('INSERT INTO x VALUES (5)'));
    t.equal(await count(conn), 1);
  });
});

t.test('a failing statement before COMMIT rolls back the whole transaction', async (t) => {
  await withTable(t, async (conn) => {
    await t.rejects(conn.transaction(async () => conn.run('INSERT INTO x VALUES (1)'), ['INSERT INTO nowhere VALUES (1)']));
    t.equal(await count(conn), 0);
  });
});

t.test('an error thrown by the transaction body rolls back what it ran', async (t) => {
  await withTable(t, async (conn) => {
    await t.rejects(conn.transaction(async () => {
      await conn.run('INSERT INTO x VALUES (1)');
      throw new Error('stop here');
    }), /stop here/);
    t.equal(await count(conn), 0);
  });
});

t.test('a transaction whose body runs nothing still commits the statements before COMMIT', async (t) => {
  await withTable(t, async (conn) => {
    await conn.transaction(async () => undefined, ['INSERT INTO x VALUES (1)']);
    await conn.transaction(async () => undefined);
    t.equal(await count(conn), 1);
  });
});

t.test('transactions do not nest', async (t) => {
  await withTable(t, async (conn) => {
    await t.rejects(conn.transaction(async () => conn.transaction(async () => undefined)), /do not nest/);
    t.equal(await count(conn), 0);
  });
});

t.test('DuckDB runs on the threads asked for, by default one per core', async (t) => {
  const { availableParallelism } = await import('node:os');
  for (const [options, expected] of [[{}, availableParallelism()], [{ threads: 3 }, 3]] as const) {
    const db = await Database.open(':memory:', options);
    const conn = await db.connect();
    t.equal(Number(await conn.scalar("SELECT current_setting('threads')")), expected);
    conn.close();
    db.close();
  }
});

t.test('checkpointThreshold sets DuckDB\'s checkpoint_threshold', async (t) => {
  const db = await Database.open(':memory:', { checkpointThreshold: '64KB' });
  const conn = await db.connect();
  t.teardown(() => {
    conn.close();
    db.close();
  });
  t.equal(await conn.scalar("SELECT current_setting('checkpoint_threshold')"), '62.5 KiB', '64KB: 64,000 bytes, as DuckDB shows them');
});
