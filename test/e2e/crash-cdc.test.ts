/**
 * postgres-cdc across kill -9: views over a CDC source (an aggregate and a mirror of the rows, in
 * small batches) are killed at every step of the micro-batch protocol and at random moments, the
 * first time while the snapshot is being copied, with more upstream changes committed between runs
 * (inserts, updates, key changes, deletes, one transaction larger than a batch). After the last run
 * the views must equal PostgreSQL's own answer: every change read exactly once, the LSN confirmed
 * to the server only for what was committed, and no replication slot left behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { commitLog } from '../../src/checkpoint/batch-log.js';
import { FAULT_STEPS } from '../../src/util/fault.js';
import { builtEngineMissing, runChild, type ChildRun } from '../support/crash-runs.js';
import { startPostgres } from '../support/postgres-server.js';
import { seededRandom } from '../support/seeded-random.js';

const pg = await startPostgres(t);
const random = seededRandom(16);
const OWNERS = ['ann', 'bob', 'cy', 'dee', 'eve'];
let nextId = 1;

/** A few random transactions of inserts, updates (some of the key), and deletes. */
async function churn(transactions: number): Promise<void> {
  for (let i = 0; i < transactions; i++) {
    const statements: string[] = [];
    for (let j = 0, n = 1 + Math.floor(random() * 6); j < n; j++) {
      const id = 1 + Math.floor(random() * nextId);
      const r = random();
      if (r < 0.45) statements.push(`INSERT INTO accounts VALUES (${nextId++}, '${OWNERS[Math.floor(random() * OWNERS.length)]}', ${Math.floor(random() * 1000)})`);
      else if (r < 0.75) statements.push(`UPDATE accounts SET balance = balance + ${Math.floor(random() * 100) - 50}, owner = '${OWNERS[Math.floor(random() * OWNERS.length)]}' WHERE id = ${id}`);
      else if (r < 0.85) statements.push(`UPDATE accounts SET id = ${nextId++} WHERE id = ${id}`);
      else statements.push(`DELETE FROM accounts WHERE id = ${id}`);
    }
    await pg.query(`BEGIN; ${statements.join('; ')}; COMMIT`);
  }
}

const WORKLOAD = `
CREATE SOURCE IF NOT EXISTS accounts (id INT PRIMARY KEY, owner VARCHAR, balance BIGINT) WITH (${pg.sourceOptions('accounts')}, buffer.max_changes = 700);
CREATE MATERIALIZED VIEW IF NOT EXISTS per_owner WITH (max_rows_per_batch = 150) AS
  SELECT owner, count(*) AS n, sum(balance) AS total FROM accounts GROUP BY owner;
CREATE MATERIALIZED VIEW IF NOT EXISTS mirror WITH (max_rows_per_batch = 230) AS SELECT * FROM accounts;
SELECT owner, n, total FROM per_owner ORDER BY owner;
SELECT count(*) AS n, sum(balance) AS balance, sum(id * balance) AS mix FROM mirror;
`;

/** The same answers from PostgreSQL itself, in the child's `result` form. */
async function upstreamAnswers(): Promise<string[]> {
  const per = await pg.query('SELECT owner, count(*)::int AS n, sum(balance)::int AS total FROM accounts GROUP BY owner ORDER BY owner');
  const all = await pg.query('SELECT count(*)::int AS n, sum(balance)::int AS balance, sum(id::bigint * balance)::bigint::text AS mix FROM accounts');
  const norm = (rows: Record<string, unknown>[]) => JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)]))));
  return [norm(per.rows), norm(all.rows)];
}

function results(run: ChildRun): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith('result ')).map((l) => {
    const rows = JSON.parse(l.slice('result '.length)) as Record<string, unknown>[];
    return JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)]))));
  });
}

const root = mkdtempSync(join(tmpdir(), 'eddy-crash-cdc-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'workload.sql'), WORKLOAD);

t.test('views over a postgres-cdc source killed at every step and mid-snapshot read every change once', { skip: builtEngineMissing() }, async (t) => {
  await pg.query('CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT, balance BIGINT)');
  await pg.query(`INSERT INTO accounts SELECT g, (ARRAY['ann','bob','cy','dee','eve'])[1 + g % 5], g % 97 FROM generate_series(1, 60000) AS g`);
  nextId = 60001;
  const dataDir = join(root, 'data');

  // killed while the first snapshot is copied (or just after): the slot without a recorded copy is dropped and taken again
  const early = await runChild(dataDir, {}, 700);
  t.ok(early.signal === 'SIGKILL' || early.code === 0, `the first run was killed early or finished: ${early.stderr.slice(-300)}`);
  await churn(20);
  // and the big transaction, larger than the buffer and than a batch
  await pg.query(`UPDATE accounts SET balance = balance + 1 WHERE id % 3 = 0`);

  let kills = 0;
  for (const step of FAULT_STEPS) {
    for (const query of ['per_owner', 'mirror']) {
      const ids = await commitLog(dataDir, query).batchIds().catch(() => []);
      const batch = (ids.length === 0 ? -1 : Math.max(...ids)) + 2;
      const run = await runChild(dataDir, { EDDY_FAULT: `${query}:${step}:${batch}` });
      t.ok(run.signal === 'SIGKILL' || run.code === 0, `${query} killed at ${step} of batch ${batch}, or ran past it: ${run.stderr.slice(-300)}`);
      if (run.signal === 'SIGKILL') kills++;
      await churn(5);
    }
  }
  for (let i = 0; i < 4; i++) {
    const run = await runChild(dataDir, {}, 300 + Math.floor(random() * 900));
    t.ok(run.signal === 'SIGKILL' || run.code === 0, `killed at a random moment, or finished: ${run.stderr.slice(-300)}`);
    if (run.signal === 'SIGKILL') kills++;
    await churn(5);
  }
  t.ok(kills >= 8, `${kills} runs were killed`);

  const final = await runChild(dataDir);
  t.equal(final.code, 0, final.stderr.slice(-2000));
  const expected = await upstreamAnswers();
  const got = results(final);
  t.same(got[0], expected[0], 'the aggregate equals PostgreSQL\'s over the table now');
  t.same(got[1], expected[1], 'the mirror holds every row once, as it is now');
  const slots = await pg.query("SELECT slot_name, confirmed_flush_lsn::text AS at FROM pg_replication_slots WHERE slot_name LIKE 'eddy_%'");
  t.equal(slots.rows.length, 2, 'one slot per query: none left by the crash during the snapshot');
  const now = String((await pg.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn);
  t.ok(slots.rows.every((r) => r.at !== null), `the slots confirmed what was committed (server at ${now})`);
});
