/**
 * Differential: random transactions of inserts, updates (key changes included), deletes and the odd
 * TRUNCATE on two PostgreSQL tables, read by views over postgres-cdc sources in small random batches
 * (random max_rows_per_batch and buffer sizes); at each quiet point every view equals PostgreSQL's
 * answer to the same SQL over its tables as they are now: aggregates, a join of two changing
 * sources, an outer join, a rank, a filter, and a view over a view.
 */
import t from 'tap';
import { Engine } from '../../../src/engine/index.js';
import { startPostgres } from '../../support/postgres-server.js';
import { seededRandom } from '../../support/seeded-random.js';

const pg = await startPostgres(t);
const SEED = Number(process.env['EDDY_SEED'] ?? 1604);
const random = seededRandom(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (n: number) => Math.floor(random() * n);

const VIEWS: Record<string, { sql: string; order: string }> = {
  per_owner: { sql: 'SELECT owner, count(*) AS n, sum(balance) AS total, min(balance) AS lo, max(balance) AS hi FROM accounts GROUP BY owner', order: 'owner' },
  big_orders: { sql: 'SELECT a.id, a.owner, o.id AS order_id, o.amount FROM accounts AS a JOIN orders AS o ON o.account = a.id WHERE o.amount > 20', order: 'order_id' },
  order_counts: { sql: 'SELECT a.id, count(o.id) AS orders, sum(o.amount) AS spent FROM accounts AS a LEFT JOIN orders AS o ON o.account = a.id GROUP BY a.id', order: 'id' },
  richest: { sql: 'SELECT owner, id, balance FROM (SELECT owner, id, balance, row_number() OVER (PARTITION BY owner ORDER BY balance DESC, id) AS r FROM accounts) AS ranked WHERE r <= 2', order: 'owner, id' },
  by_size: { sql: 'SELECT n, count(*) AS owners FROM per_owner GROUP BY n', order: 'n' },
};

function normalise(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify(rows.map((r) => Object.values(r).map((v) => (v === null ? null : String(v)))));
}

async function upstream(name: string): Promise<string> {
  const v = VIEWS[name]!;
  // by_size reads per_owner: PostgreSQL computes it over the same SQL inlined
  const sql = name === 'by_size' ? `SELECT n, count(*) AS owners FROM (${VIEWS['per_owner']!.sql}) AS per_owner GROUP BY n` : v.sql;
  return normalise((await pg.query(`SELECT * FROM (${sql}) AS q ORDER BY ${v.order}`)).rows);
}

async function eddy(engine: Engine, name: string): Promise<string> {
  const [result] = await engine.execute(`SELECT * FROM ${name} ORDER BY ${VIEWS[name]!.order}`);
  return normalise(result!.rows.map((r) => Object.fromEntries(result!.columns.map((c, i) => [c.name, r[i]]))));
}

let nextAccount = 1;
let nextOrder = 1;

async function randomTransaction(): Promise<void> {
  const statements: string[] = [];
  for (let i = 0, n = 1 + int(8); i < n; i++) {
    const r = random();
    const account = 1 + int(nextAccount);
    if (r < 0.3) statements.push(`INSERT INTO accounts VALUES (${nextAccount++}, '${pick(['ann', 'bob', 'cy', 'dee'])}', ${int(100)})`);
    else if (r < 0.5) statements.push(`INSERT INTO orders VALUES (${nextOrder++}, ${account}, ${int(50)})`);
    else if (r < 0.65) statements.push(`UPDATE accounts SET balance = ${int(100)}${random() < 0.3 ? `, owner = '${pick(['ann', 'bob', 'cy', 'dee'])}'` : ''} WHERE id = ${account}`);
    else if (r < 0.72) statements.push(`UPDATE accounts SET id = ${nextAccount++} WHERE id = ${account}`);
    else if (r < 0.8) statements.push(`UPDATE orders SET amount = ${int(50)}, account = ${1 + int(nextAccount)} WHERE id = ${1 + int(nextOrder)}`);
    else if (r < 0.9) statements.push(`DELETE FROM accounts WHERE id = ${account}`);
    else if (r < 0.995) statements.push(`DELETE FROM orders WHERE id = ${1 + int(nextOrder)}`);
    else statements.push('TRUNCATE orders');
  }
  await pg.query(`BEGIN; ${statements.join('; ')}; COMMIT`);
}

t.test(`views over postgres-cdc sources equal PostgreSQL's answers under random changes (seed ${SEED})`, async (t) => {
  await pg.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT, balance INT)');
  await pg.query('CREATE TABLE orders (id INT PRIMARY KEY, account INT, amount INT)');
  for (let i = 0; i < 30; i++) await randomTransaction();
  const engine = await Engine.open({ dataDir: t.testdir(), tuning: { retryMinMs: 50, retryMaxMs: 400 } });
  t.teardown(() => engine.close());
  const opts = (table: string) => `${pg.sourceOptions(table)}, buffer.max_changes = ${5 + int(60)}`;
  await engine.execute(`CREATE SOURCE accounts (id INT PRIMARY KEY, owner VARCHAR, balance INT) WITH (${opts('accounts')});
    CREATE SOURCE orders (id INT PRIMARY KEY, account INT, amount INT) WITH (${opts('orders')})`);
  for (const [name, v] of Object.entries(VIEWS)) {
    await engine.execute(`CREATE MATERIALIZED VIEW ${name} WITH (max_rows_per_batch = ${1 + int(40)}) AS ${v.sql}`);
  }
  for (let round = 0; round < 8; round++) {
    for (let i = 0, n = 1 + int(25); i < n; i++) await randomTransaction();
    for (const name of Object.keys(VIEWS)) {
      const want = await upstream(name);
      let got = '';
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        await engine.execute('FLUSH');
        got = await eddy(engine, name);
        if (got === want) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      t.equal(got, want, `round ${round}: ${name}`);
    }
  }
});
