/**
 * Views over views across kill -9: a chain (bids -> per_auction -> by_count) and a diamond (two views
 * of per_auction joined) are killed at every step of the micro-batch protocol, upstream and
 * downstream in turn, restarting the same data directory each time; the final views must equal a
 * run that never crashed: every upstream change read exactly once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { commitLog } from '../../src/checkpoint/batch-log.js';
import { FAULT_STEPS } from '../../src/util/fault.js';
import { builtEngineMissing, runChild, type ChildRun } from '../support/crash-runs.js';

const WORKLOAD = `
CREATE SOURCE IF NOT EXISTS bid WITH (connector = 'nexmark', table = 'bid', rate_limited = false, max_events = 8000, base_time = '2024-01-01 00:00:00');
CREATE MATERIALIZED VIEW IF NOT EXISTS per_auction WITH (max_rows_per_batch = 100) AS
  SELECT auction, count(*) AS n, max(price) AS top FROM bid GROUP BY auction;
CREATE MATERIALIZED VIEW IF NOT EXISTS by_count WITH (max_rows_per_batch = 1) AS
  SELECT n, count(*) AS auctions FROM per_auction GROUP BY n;
CREATE MATERIALIZED VIEW IF NOT EXISTS pricey WITH (max_rows_per_batch = 1) AS
  SELECT auction, top FROM per_auction WHERE top > 5000000;
CREATE MATERIALIZED VIEW IF NOT EXISTS busy WITH (max_rows_per_batch = 1) AS
  SELECT auction, n FROM per_auction WHERE n > 3;
CREATE MATERIALIZED VIEW IF NOT EXISTS both_ways WITH (max_rows_per_batch = 1) AS
  SELECT p.auction, p.top, b.n FROM pricey AS p JOIN busy AS b ON p.auction = b.auction;
SELECT n, auctions FROM by_count ORDER BY n;
SELECT auction, top, n FROM both_ways ORDER BY auction;
SELECT count(*) AS n, sum(n) AS bids FROM per_auction;
`;

/** Every `result ...` line of a finished run: the three SELECTs. */
function results(run: ChildRun): string[] {
  return run.stdout.split('\n').filter((l) => l.startsWith('result '));
}

const root = mkdtempSync(join(tmpdir(), 'eddy-crash-chain-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'workload.sql'), WORKLOAD);

t.test('a chain and a diamond of views killed at every protocol step read every upstream change once', { skip: builtEngineMissing() }, async (t) => {
  const reference = await runChild(join(root, 'reference'));
  t.equal(reference.code, 0, reference.stderr);
  const expected = results(reference);
  t.equal(expected.length, 3, 'the reference run printed its three results');
  t.ok(expected[0]!.length > 20 && expected[1]!.length > 20, 'the downstream views have rows');

  const dataDir = join(root, 'crashed');
  let kills = 0;
  // each view reads one upstream batch per batch (max_rows_per_batch = 1), so each has 80 or more
  // batches to run; each kill is at the named query's next batch but one
  for (const step of FAULT_STEPS) {
    for (const query of ['per_auction', 'by_count', 'both_ways']) {
      const ids = await commitLog(dataDir, query).batchIds().catch(() => []);
      const batch = (ids.length === 0 ? -1 : Math.max(...ids)) + 2;
      const run = await runChild(dataDir, { EDDY_FAULT: `${query}:${step}:${batch}` });
      // a query that ran past that batch while another was killed is not killed: the run finishes
      t.ok(run.signal === 'SIGKILL' || run.code === 0, `${query} killed at ${step} of batch ${batch}, or ran past it: ${run.stderr.slice(-300)}`);
      if (run.signal === 'SIGKILL') kills++;
    }
  }
  t.ok(kills >= 12, `${kills} runs were killed`);
  const final = await runChild(dataDir);
  t.equal(final.code, 0, final.stderr);
  const got = results(final);
  t.same(got[2], expected[2], 'the upstream view equals the never-crashed run');
  t.same(got[0], expected[0], 'the chain downstream equals it');
  t.same(got[1], expected[1], 'the diamond downstream equals it');
});
