/**
 * postgres-cdc against a real PostgreSQL 15 server (a private cluster per file): the snapshot, then
 * inserts, updates, deletes and TRUNCATE reaching views as changes; keys that change; values that do
 * not fit, located and skipped or failed; CREATE SOURCE's checks; slots per query, dropped with them.
 */
import t, { type Test } from 'tap';
import { Engine } from '../../../src/engine/index.js';
import { startPostgres, type PostgresServer } from '../../support/postgres-server.js';

const pg: PostgresServer = await startPostgres(t);

async function open(t: Test): Promise<Engine> {
  const engine = await Engine.open({ dataDir: t.testdir(), tuning: { retryMinMs: 50, retryMaxMs: 400, drainRetryMs: 3000 } });
  t.teardown(() => engine.close());
  return engine;
}

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

async function slots(): Promise<string[]> {
  return (await pg.query("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'eddy_%' ORDER BY 1")).rows.map((r) => String(r.slot_name));
}

/** FLUSH waits for what the server sent; a change committed upstream just now may still be on its way. */
async function settle(engine: Engine, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await engine.execute('FLUSH');
    if (await check()) return;
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

t.test('the snapshot, then inserts, updates, deletes and TRUNCATE, as changes of the views', async (t) => {
  await pg.query('CREATE TABLE users (id INT PRIMARY KEY, country TEXT, score NUMERIC(10,2), born DATE, active BOOLEAN, data BYTEA)');
  await pg.query(`INSERT INTO users VALUES (1, 'fr', 10.5, '2001-02-03', true, '\\x0102'), (2, 'no', 20, NULL, false, NULL), (3, 'fr', 30, NULL, NULL, NULL)`);
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE users (id INT, country VARCHAR, score DECIMAL(10,2), born DATE, active BOOLEAN, data BLOB, PRIMARY KEY (id))
      WITH (${pg.sourceOptions('users')});
    CREATE MATERIALIZED VIEW by_country AS SELECT country, count(*) AS n, sum(score) AS total FROM users GROUP BY country;
    CREATE MATERIALIZED VIEW everyone AS SELECT * FROM users`);
  t.same(await rows(engine, 'SELECT country, n, total::DOUBLE FROM by_country ORDER BY country'), [['fr', 2, 40.5], ['no', 1, 20]], 'CREATE returns after the snapshot');
  t.same(await rows(engine, "SELECT id, born::VARCHAR, active, hex(data) FROM everyone WHERE id = 1"), [[1, '2001-02-03', true, '0102']], 'values as PostgreSQL had them');
  t.equal((await slots()).length, 2, 'a slot per reading query');

  await pg.query("INSERT INTO users VALUES (4, 'it', 1, NULL, true, NULL)");
  await pg.query("UPDATE users SET country = 'it', score = 2 WHERE id = 1");
  await pg.query('DELETE FROM users WHERE id = 2');
  await pg.query('BEGIN; UPDATE users SET id = 30 WHERE id = 3; INSERT INTO users VALUES (5, NULL, 5, NULL, NULL, NULL); COMMIT');
  const expected = [['fr', 1, 30], ['it', 2, 3], [null, 1, 5]];
  const view = () => rows(engine, 'SELECT country, n, total::DOUBLE FROM by_country ORDER BY country NULLS LAST');
  await settle(engine, async () => JSON.stringify(await view()) === JSON.stringify(expected));
  t.same(await view(), expected);
  t.same(await rows(engine, 'SELECT id FROM everyone ORDER BY id'), [[1], [4], [5], [30]], 'a changed key deletes the old key\'s row');

  await pg.query("BEGIN; TRUNCATE users; INSERT INTO users VALUES (7, 'se', 7, NULL, NULL, NULL); COMMIT");
  await settle(engine, async () => (await rows(engine, 'SELECT count(*) FROM everyone'))[0]![0] === 1 && JSON.stringify(await view()) === JSON.stringify([['se', 1, 7]]));
  t.same(await rows(engine, 'SELECT id, country FROM everyone'), [[7, 'se']], 'TRUNCATE deletes every row, and what follows it stays');
  t.same(await view(), [['se', 1, 7]]);
  t.match(JSON.stringify(await rows(engine, 'EXPLAIN CREATE MATERIALIZED VIEW x AS SELECT * FROM users')), /Upsert key=\[id\].*TRUNCATE deletes every row/, 'the plan says so');

  await engine.execute('DROP MATERIALIZED VIEW everyone');
  t.equal((await slots()).length, 1, 'a dropped query drops its slot');
  await engine.execute('DROP SOURCE users CASCADE');
  t.same(await slots(), [], 'DROP SOURCE ... CASCADE drops the slots of its readers');
  t.same((await pg.query("SELECT pubname FROM pg_publication WHERE pubname = 'eddy_users'")).rows, [], 'and the publication it created');
});

t.test('a value that does not fit is counted and located, or fails the query', async (t) => {
  await pg.query('CREATE TABLE readings (id INT PRIMARY KEY, v TEXT)');
  await pg.query("INSERT INTO readings VALUES (1, '5'), (2, 'five')");
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE readings (id INT PRIMARY KEY, v INTEGER) WITH (${pg.sourceOptions('readings')}, on_error = 'skip');
    CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n, sum(v) AS s FROM readings`);
  t.same(await rows(engine, 'SELECT * FROM m'), [[1, 5]]);
  await pg.query("UPDATE readings SET v = 'x' WHERE id = 1");
  await settle(engine, async () => JSON.stringify(await rows(engine, 'SHOW PROGRESS m')).includes('0/'));
  await settle(engine, async () => /numBadRows\\":1[^]*numBadRows\\":1/.test(JSON.stringify(await rows(engine, 'SHOW PROGRESS m'))));
  t.match(JSON.stringify(await rows(engine, 'SHOW PROGRESS m')), /numBadRows\\":1[^]*numBadRows\\":1/, 'the bad snapshot row and the bad change are counted');
  t.same(await rows(engine, 'SELECT * FROM m'), [[1, 5]], 'the bad change is skipped: the row keeps its last good version');

  await engine.execute(`CREATE SOURCE strict_readings (id INT PRIMARY KEY, v INTEGER) WITH (${pg.sourceOptions('readings')}, publication.name = 'eddy_strict', on_error = 'fail');
    CREATE MATERIALIZED VIEW m2 WITH (background = true) AS SELECT count(*) AS n FROM strict_readings`);
  await t.rejects(engine.drain(), /source "strict_readings": snapshot of public\.readings row \d+, column "v": cannot cast "(x|five)" to INTEGER/, 'on_error = fail names the snapshot row');
  await engine.execute('DROP MATERIALIZED VIEW m2');

  await pg.query('CREATE TABLE gauges (id INT PRIMARY KEY, v TEXT)');
  await pg.query("INSERT INTO gauges VALUES (1, '1')");
  await engine.execute(`CREATE SOURCE gauges (id INT PRIMARY KEY, v INTEGER) WITH (${pg.sourceOptions('gauges')}, on_error = 'fail');
    CREATE MATERIALIZED VIEW g AS SELECT sum(v) AS s FROM gauges`);
  t.same(await rows(engine, 'SELECT * FROM g'), [[1]]);
  await pg.query("BEGIN; INSERT INTO gauges VALUES (2, '2'); INSERT INTO gauges VALUES (3, 'three'); COMMIT");
  let error = '';
  const deadline = Date.now() + 15_000;
  while (error === '' && Date.now() < deadline) {
    error = await engine.execute('FLUSH').then(() => '', (e: Error) => e.message);
    if (error === '') await new Promise((r) => setTimeout(r, 50));
  }
  t.match(error, /source "gauges": transaction [0-9A-F]+\/[0-9A-F]+ change 2, column "v": cannot cast "three" to INTEGER/, 'and the change by its transaction and number');
  t.same(await rows(engine, 'SELECT * FROM g'), [[1]], 'nothing of the failed batch is applied');
});

t.test('a transaction larger than the buffer is read in parts, the stream paused between them', async (t) => {
  await pg.query('CREATE TABLE events (id INT PRIMARY KEY, v INT)');
  const engine = await open(t);
  await engine.execute(`CREATE SOURCE events (id INT PRIMARY KEY, v INTEGER) WITH (${pg.sourceOptions('events')}, buffer.max_changes = 500);
    CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(v) AS s FROM events`);
  await pg.query('INSERT INTO events SELECT g, g % 7 FROM generate_series(1, 20000) AS g');
  const expected = [[20000, (await pg.query('SELECT sum(id % 7)::int AS s FROM generate_series(1, 20000) AS id')).rows[0].s]];
  await settle(engine, async () => JSON.stringify(await rows(engine, 'SELECT * FROM totals')) === JSON.stringify(expected));
  t.same(await rows(engine, 'SELECT * FROM totals'), expected, 'every change of the transaction, once');
  const batches = (await rows(engine, 'SHOW PROGRESS totals')).map((r) => JSON.parse(String(r[1])) as { numInputRows: number; sources: { endOffset: { partial?: number } }[] });
  t.ok(batches.some((b) => b.sources[0]!.endOffset.partial !== undefined), 'some batch ended inside the transaction');
  const largest = Math.max(...batches.map((b) => b.numInputRows));
  t.ok(largest < 20000 / 4, `no batch held the transaction whole (largest ${largest} rows)`);
});

t.test('CREATE SOURCE says what is wrong with the table, the key or the server', async (t) => {
  await pg.query('CREATE TABLE items (id INT PRIMARY KEY, name TEXT, price INT)');
  const engine = await open(t);
  await t.rejects(engine.execute(`CREATE SOURCE a (id INT PRIMARY KEY, title VARCHAR) WITH (${pg.sourceOptions('items')})`), /"title" is not a column of "public"\."items" upstream/);
  await t.rejects(engine.execute(`CREATE SOURCE b (id INT, name VARCHAR) WITH (${pg.sourceOptions('items')})`), /needs a PRIMARY KEY/);
  await t.rejects(engine.execute(`CREATE SOURCE c (id INT, name VARCHAR PRIMARY KEY) WITH (${pg.sourceOptions('items')})`), /PRIMARY KEY \(name\) is not the key "public"\."items" sends with its changes: its primary key is \(id\)/);
  await t.rejects(engine.execute(`CREATE SOURCE d (id INT PRIMARY KEY) WITH (${pg.sourceOptions('nothing')})`), /table "public"\."nothing" does not exist upstream/);
  await t.rejects(engine.execute(`CREATE SOURCE e (id INT PRIMARY KEY) WITH (${pg.sourceOptions('items').replace(/password = '[^']*'/, "password = 'wrong'")})`), /password authentication failed/);
  await t.rejects(engine.execute(`CREATE SOURCE f (id INT PRIMARY KEY) WITH (${pg.sourceOptions('items')}, slot = 'x')`), /unknown option "slot" for connector "postgres-cdc"/);
  await pg.query('ALTER TABLE items REPLICA IDENTITY FULL');
  await engine.execute(`CREATE SOURCE g (id INT, name VARCHAR PRIMARY KEY) WITH (${pg.sourceOptions('items')})`);
  t.pass('under REPLICA IDENTITY FULL any key is carried');
});
