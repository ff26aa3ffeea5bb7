import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { toDuckDbSql } from '../../bench/nexmark/queries.js';
import { main } from '../../src/cli/main.js';

function capture(): { out: string[]; err: string[]; io: { out(s: string): void; err(s: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s) => out.push(s), err: (s) => err.push(s) } };
}

t.test('eddy bench nexmark runs q0 over 10k events and writes the JSON report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.json');
  const c = capture();
  const code = await main(['bench', 'nexmark', '--queries', 'q0', '--events', '10000', '--json', file,
    '--latency-seconds', '0', '--incremental-events', '0', '--no-one-row'], c.io);
  t.equal(code, 0, c.err.join(''));
  const reports = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  t.equal(reports.length, 1);
  const r = reports[0]!;
  t.equal(r.query, 'q0');
  t.equal(r.events, 10000);
  for (const key of ['streaming_s', 'batch_s', 'ratio_vs_batch', 'events_per_cpu_s', 'replayed_s', 'ratio_replayed_vs_batch']) {
    t.type(r[key], 'number', key);
    t.ok((r[key] as number) > 0, `${key} is positive`);
  }
  // q0 passes every bid through: both sides see the same rows (46 of every 50 events are bids)
  t.equal(r.eddy_rows, 9200);
  t.equal(r.duckdb_rows, 9200);
  t.equal(r.replayed_rows, 9200, 'replayed from push sources holding the same events, the same rows again');
  t.match(c.out.join(''), /\| q0 \| sink \| 10000 \|/);
});

t.test('the incremental run with a fixed trigger interval measures batches of that interval\'s events', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'report.json');
  const c = capture();
  const code = await main(['bench', 'nexmark', '--queries', 'q7', '--events', '10000', '--json', file, '--latency-seconds', '0', '--no-one-row', '--no-replay',
    '--incremental-events', '100000', '--incremental-trigger-ms', '200', '--incremental-samples', '3'], c.io);
  t.equal(code, 0, c.err.join(''));
  const [r] = JSON.parse(readFileSync(file, 'utf8')) as { incremental: { trigger_ms: number; batch_rows: number }[] }[];
  const inc = r!.incremental[0]!;
  t.ok(inc.trigger_ms > 0, 'a trigger time');
  // 200 ms of events at 10,000 events/s, 92% of them bids: about 1,840 rows, more when a batch runs late
  t.ok(inc.batch_rows >= 1000 && inc.batch_rows < 10000, `about 200 ms of bids per batch (${inc.batch_rows})`);
});

t.test('bad arguments are a usage error', async (t) => {
  const c = capture();
  t.equal(await main(['bench', 'nexmark', '--events', 'many'], c.io), 2);
  t.match(c.err.join(''), /--events must be a positive integer/);
  const d = capture();
  t.equal(await main(['bench', 'tpch'], d.io), 2);
});

t.test('TUMBLE and HOP become plain DuckDB subqueries', async (t) => {
  const tumble = toDuckDbSql(`SELECT max(price), window_end FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_end`);
  t.match(tumble, /FROM \(SELECT \*, time_bucket\(INTERVAL '10 seconds', "date_time"\) AS window_start, .* AS window_end FROM "bid"\) AS "bid" GROUP BY/);
  const hop = toDuckDbSql(`SELECT count(*) FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) B WHERE true`);
  t.match(hop, /generate_series\(time_bucket\(INTERVAL '2 seconds', "date_time"\) - INTERVAL '8 seconds'/);
  t.match(hop, /\) AS "B" WHERE true$/);
  t.equal(toDuckDbSql('SELECT auction FROM bid'), 'SELECT auction FROM bid');
});
