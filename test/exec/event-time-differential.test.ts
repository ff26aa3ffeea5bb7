/**
 * Event-time operators against DuckDB's batch answer, over push sources with out-of-order rows (some
 * late): after every drain, the rows that are final equal the batch answer over the non-late rows.
 */
import t from 'tap';
import { int, pick } from '../support/differential.js';
import { runEventTimeDifferential, type EventTimeCase, type EventTimeSource } from '../support/event-time-differential.js';

const bid: EventTimeSource = { columns: 'k BIGINT, v BIGINT', values: (r) => `${int(r, 1, 4)}, ${int(r, 1, 1000)}` };
const auction: EventTimeSource = { columns: 'k BIGINT, name VARCHAR', values: (r, i) => `${(i % 12) + 1}, ${pick(r, ["'a'", "'b'", "'c'"])}`, step: 2 };

const US = 1_000_000;
// window_start of the TUMBLE/HOP window (size s, start offset o seconds) in DuckDB arithmetic
const floorTo = (ts: string, s: number, o = 0): string => `make_timestamp(((epoch_us(${ts}) - ${o * US}) // ${s * US}) * ${s * US} + ${o * US})`;

const tumble = {
  query: "SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s FROM TUMBLE(bid, ts, INTERVAL '10' SECOND) GROUP BY k, window_start, window_end",
  reference: `SELECT k, ws AS window_start, ws + INTERVAL '10' SECOND AS window_end, count(*) AS n, sum(v) AS s
    FROM (SELECT *, ${floorTo('ts', 10)} AS ws FROM {bid}) GROUP BY k, ws`,
};

const hop = {
  query: "SELECT k, window_start, window_end, count(*) AS n, max(v) AS m FROM HOP(bid, ts, INTERVAL '4' SECOND, INTERVAL '12' SECOND) GROUP BY k, window_start, window_end",
  reference: `SELECT k, ws AS window_start, ws + INTERVAL '12' SECOND AS window_end, count(*) AS n, max(v) AS m
    FROM (SELECT b.*, ${floorTo('ts', 4)} - INTERVAL (j * 4) SECOND AS ws FROM {bid} AS b, range(3) AS r(j)) GROUP BY k, ws`,
};

const session = {
  query: "SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s FROM SESSION(bid, ts, INTERVAL '3' SECOND, k) GROUP BY k, window_start, window_end",
  reference: `SELECT k, min(ts) AS window_start, max(ts) + INTERVAL '3' SECOND AS window_end, count(*) AS n, sum(v) AS s FROM (
      SELECT *, sum(CASE WHEN prev IS NULL OR ts - prev >= INTERVAL '3' SECOND THEN 1 ELSE 0 END) OVER (PARTITION BY k ORDER BY ts, id) AS sid
      FROM (SELECT *, lag(ts) OVER (PARTITION BY k ORDER BY ts, id) AS prev FROM {bid})) GROUP BY k, sid`,
  finalRows: 'window_end < {wm}',
};

const joinOn = "b.k = a.k AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '6' SECOND";
const innerJoin = {
  query: `SELECT a.id AS aid, b.id AS bid, a.name, b.v FROM auction AS a JOIN bid AS b ON ${joinOn}`,
  reference: `SELECT a.id AS aid, b.id AS bid, a.name, b.v FROM {auction} AS a JOIN {bid} AS b ON ${joinOn}`,
};
// matched rows are final at once; a padded row once the watermark has evicted its auction (ts < wm - 6 s).
// An uncorrelated LEFT JOIN: a NOT EXISTS over the late-row-filtered bids ran as a correlated pull query
// and took minutes.
const leftJoin = {
  query: `SELECT a.id AS aid, b.id AS bid, a.name, b.v FROM auction AS a LEFT JOIN bid AS b ON ${joinOn}`,
  reference: `SELECT a.id AS aid, b.id AS bid, a.name, b.v FROM {auction} AS a LEFT JOIN {bid} AS b ON ${joinOn}
    WHERE b.id IS NOT NULL OR a.ts < {wm} - INTERVAL '6' SECOND`,
};

const dedup = {
  query: 'SELECT id, k, v, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts, id) AS rn FROM bid) WHERE rn = 1',
  reference: 'SELECT id, k, v, ts FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts, id) AS rn FROM {bid}) WHERE rn = 1',
};
const topN = {
  query: 'SELECT id, k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM bid) WHERE rn <= 3',
  reference: 'SELECT id, k, v FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM {bid}) WHERE rn <= 3',
};

// RANK keeps every row tied within the limit (v % 5 makes ties); without PARTITION BY, one global top.
const rankTies = {
  query: 'SELECT id, k, v FROM (SELECT *, RANK() OVER (PARTITION BY k ORDER BY v % 5 DESC) AS r FROM bid) WHERE r <= 2',
  reference: 'SELECT id, k, v FROM (SELECT *, RANK() OVER (PARTITION BY k ORDER BY v % 5 DESC) AS r FROM {bid}) WHERE r <= 2',
};
const globalTop = {
  query: 'SELECT id, v, rn FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY v DESC, id) AS rn FROM bid) WHERE rn <= 4',
  reference: 'SELECT id, v, rn FROM (SELECT *, ROW_NUMBER() OVER (ORDER BY v DESC, id) AS rn FROM {bid}) WHERE rn <= 4',
};

// A window function per TUMBLE window over the windowed counts: the partitions the watermark closes
// are evicted from the operator's state, and their rows stay in the view.
const windowShare = {
  query: `SELECT k, window_start, n, round(100.0 * n / sum(n) OVER (PARTITION BY window_start), 3) AS pct
    FROM (SELECT k, window_start, count(*) AS n FROM TUMBLE(bid, ts, INTERVAL '10' SECOND) GROUP BY k, window_start)`,
  reference: `SELECT k, ws AS window_start, count(*) AS n, round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY ws), 3) AS pct
    FROM (SELECT *, ${floorTo('ts', 10)} AS ws FROM {bid}) GROUP BY k, ws`,
};

// TUMBLE over a join's output, by the auction's time: a bid can match an auction up to 6 s older,
// below the watermark, so a window is final only 6 s after its end (planner.ts joinedTimes).
const joinThenWindow = {
  query: `SELECT window_start, window_end, count(*) AS n FROM TUMBLE((SELECT a.ts AS ts, b.v FROM auction AS a JOIN bid AS b ON ${joinOn}), ts, INTERVAL '10' SECOND) GROUP BY window_start, window_end`,
  reference: `SELECT ws AS window_start, ws + INTERVAL '10' SECOND AS window_end, count(*) AS n FROM (SELECT ${floorTo('a.ts', 10)} AS ws FROM {auction} AS a JOIN {bid} AS b ON ${joinOn}) GROUP BY ws`,
};

const cases: Record<string, EventTimeCase> = {
  'TUMBLE aggregate, update mode (open windows too)': { sources: { bid }, ...tumble },
  'TUMBLE aggregate, append mode (closed windows)': { sources: { bid }, ...tumble, appendMode: true, finalRows: 'window_end <= {wm}' },
  'HOP aggregate, update mode': { sources: { bid }, ...hop },
  'HOP aggregate, append mode': { sources: { bid }, ...hop, appendMode: true, finalRows: 'window_end <= {wm}' },
  'SESSION aggregate, update mode (closed sessions)': { sources: { bid }, ...session },
  'SESSION aggregate, append mode': { sources: { bid }, ...session, appendMode: true },
  'time-bounded inner join, update mode': { sources: { auction, bid }, ...innerJoin },
  'time-bounded inner join, append mode': { sources: { auction, bid }, ...innerJoin, appendMode: true },
  'time-bounded left outer join, update mode': { sources: { auction, bid }, ...leftJoin },
  'time-bounded left outer join, append mode': { sources: { auction, bid }, ...leftJoin, appendMode: true },
  'dedup (ROW_NUMBER = 1), update mode': { sources: { bid }, ...dedup },
  'top-N (ROW_NUMBER <= 3), update mode': { sources: { bid }, ...topN },
  'top-N with ties (RANK <= 2), update mode': { sources: { bid }, ...rankTies },
  'global top-N with the rank selected (ROW_NUMBER <= 4), update mode': { sources: { bid }, ...globalTop },
  'window function per TUMBLE window, update mode': { sources: { bid }, ...windowShare },
  'TUMBLE over a time-bounded join, update mode': { sources: { auction, bid }, ...joinThenWindow },
  'TUMBLE over a time-bounded join, append mode': { sources: { auction, bid }, ...joinThenWindow, appendMode: true, finalRows: "window_end + INTERVAL '6' SECOND <= {wm}" },
};

t.test('dedup and top-N over an unwindowed stream cannot be append-only', async (t) => {
  for (const c of [dedup, topN]) {
    await t.rejects(runEventTimeDifferential({ sources: { bid }, ...c, appendMode: true, steps: 1 }), /output_mode 'append' is not possible/);
  }
});

const only = process.env.EDDY_ET_CASE;
for (const [name, c] of Object.entries(cases)) {
  if (only && !name.includes(only)) continue;
  t.test(name, async (t) => {
    for (const seed of [1, 2]) {
      const report = await runEventTimeDifferential({ ...c, seed });
      t.equal(report.mismatch, null, `seed ${seed}: final rows equal DuckDB's batch answer after every drain`);
      t.ok(report.checks >= 10 && report.lateRows > 0 && report.finalRows > 0,
        `seed ${seed}: ${report.checks} checks over ${report.rowsFed} rows, ${report.lateRows} late, ${report.finalRows} final rows compared`);
      if (report.mismatch) t.comment(JSON.stringify(report.mismatch).slice(0, 3000));
    }
  });
}
