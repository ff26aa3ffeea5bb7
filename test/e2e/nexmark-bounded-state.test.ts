/**
 * Millions of Nexmark events through a windowed aggregate and a time-bounded stream-stream join:
 * the state row count (progress stateOperators[].numRowsTotal) stays under a fixed bound while the
 * input grows, because the watermark evicts closed windows and join rows that can no longer match.
 */
import t, { type Test } from 'tap';
import type { Progress } from '../../src/exec/progress.js';
import { openTempEngine } from '../support/temp-engine.js';

// The join costs more per row than the aggregate, so it gets fewer events to stay within a minute
// on 2 cores; 3M events in batches of 100k take about 30 s.
const AGGREGATE_EVENTS = Number(process.env.EDDY_BOUNDED_STATE_EVENTS ?? 3_000_000);
const JOIN_EVENTS = Number(process.env.EDDY_BOUNDED_STATE_JOIN_EVENTS ?? 3_000_000);

const engine = await openTempEngine(t, 'bounded');

const options = (events: number): string => `connector = 'nexmark', rate_limited = false, max_events = ${events}, events_per_second = 10000`;
await engine.execute(`
  CREATE SOURCE bid (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) WITH (${options(AGGREGATE_EVENTS)}, table = 'bid');
  CREATE SOURCE auction_j (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) WITH (${options(JOIN_EVENTS)}, table = 'auction');
  CREATE SOURCE bid_j (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) WITH (${options(JOIN_EVENTS)}, table = 'bid');
`);

const stateRows = (p: Progress): number => p.stateOperators.reduce((n, op) => n + op.numRowsTotal, 0);
const inputSoFar = (ps: readonly Progress[], upTo: number): number => ps.slice(0, upTo + 1).reduce((n, p) => n + p.numInputRows, 0);

async function check(t: Test, name: string, query: string, events: number, batch: number, bound: number): Promise<void> {
  const started = performance.now();
  await engine.execute(`CREATE MATERIALIZED VIEW ${name} WITH (max_rows_per_batch = ${batch}) AS ${query}`);
  await engine.drain();
  const seconds = (performance.now() - started) / 1000;
  const progress = engine.progress(name);
  const total = inputSoFar(progress, progress.length - 1);
  t.ok(progress.every((p) => p.error === undefined), 'no batch failed');
  t.ok(progress.length >= 6, `${progress.length} batches`);
  for (const [i, p] of progress.entries()) {
    t.comment(`${name} batch ${p.batchId}: input so far ${inputSoFar(progress, i)}, state rows ${stateRows(p)} (${p.stateOperators.map((op) => `${op.operatorName}=${op.numRowsTotal}`).join(', ')}), watermark ${p.eventTime.watermark ?? '-'}`);
  }
  const last = progress.slice(-3);
  for (const p of last) t.ok(stateRows(p) <= bound, `batch ${p.batchId}: ${stateRows(p)} state rows <= ${bound}`);
  t.ok(total >= events * 0.9, `${total} input rows (bids and auctions of ${events} events) in ${seconds.toFixed(1)} s`);
  t.ok(bound * 3 < total, `the bound is a small fraction of the input (${total} rows)`);
  const half = Math.floor(progress.length / 2);
  const early = Math.max(...progress.slice(1, half).map(stateRows));
  const late = Math.max(...progress.slice(half).map(stateRows));
  t.ok(late <= early * 1.25, `state does not grow with the input: at most ${early} rows in the first half, ${late} in the second`);
}

t.test('TUMBLE count of bids per auction', async (t) => {
  // The groups of open windows: those a batch's 30 s of event time touch, plus the 4 s watermark
  // delay and the batch the watermark lags behind (it is used from the next batch).
  await check(t, 'bids_per_window',
    "SELECT auction, window_start, window_end, count(*) AS bids, max(price) AS top FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end",
    AGGREGATE_EVENTS, 300_000, 70_000);
});

t.test('bids within 10 seconds of their auction', async (t) => {
  // A bid stays until the watermark passes it, an auction until 10 s later; the watermark lags one
  // batch, so the state holds about one batch of rows plus the 14 s of event time behind it.
  await check(t, 'early_bids',
    "SELECT a.id, a.seller, b.price, b.date_time FROM bid_j AS b JOIN auction_j AS a ON b.auction = a.id AND b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '10' SECOND",
    JOIN_EVENTS, 100_000, 250_000);
});
