/**
 * Each Nexmark query of sql-examples/nexmark that runs (docs/SQL.md, "Nexmark coverage") against
 * DuckDB's batch answer: generated events fed in random, shuffled chunks (some rows late), and after
 * every chunk's drain the materialized view equals the batch answer over the non-late rows so far.
 * Queries without window functions are their own reference; TUMBLE/HOP/SESSION are expanded into
 * plain DuckDB. Not compared: q6 (its ROW_NUMBER and its ROWS frame order bids by price and time,
 * which tie, and SQL lets each engine order ties its own way; the window-function operator is compared
 * on unique orders in test/exec/differential.test.ts), q12 (it does not run), q10/q15/q16/q17/q21 in RisingWave's text
 * (they do not run; their -duckdb variants are compared), and Flink's texts in flink/ (the same
 * queries as RisingWave's, covered by nexmark-queries.test.ts).
 *
 * EDDY_NX_CASE=q5 runs the cases whose name contains q5; EDDY_NX_SEEDS=3 runs three seeds per case.
 */
import { rewriteTemporalJoins } from '../../src/sql/temporal-join-rewrite.js';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { runNexmarkDifferential, type NexmarkCase } from '../support/nexmark-differential.js';

const DIR = new URL('../../sql-examples/nexmark/', import.meta.url).pathname;

/** The file's statements before the view, and the view's query. */
function queryFile(file: string): { setup?: string; query: string } {
  const sql = readFileSync(DIR + file, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  const m = /CREATE MATERIALIZED VIEW \w+ AS/.exec(sql);
  if (!m) throw new Error(`${file} creates no materialized view`);
  const setup = sql.slice(0, m.index).trim();
  const query = sql.slice(m.index + m[0].length).trim().replace(/;\s*$/, '');
  return setup ? { setup, query } : { query };
}

/** A query that DuckDB runs as written. */
/** The query as DuckDB runs it: a lookup FOR SYSTEM_TIME AS OF PROCTIME() of a table that never changes is a plain join. */
const asWritten = (file: string): NexmarkCase => {
  const q = queryFile(file);
  return { ...q, reference: rewriteTemporalJoins(q.query).text };
};

const US = 1_000_000;
/** The start of the epoch-aligned window of `size` seconds holding `ts` (TUMBLE, and HOP's latest). */
const floorTo = (ts: string, size: number): string => `make_timestamp((epoch_us(${ts}) // ${size * US}) * ${size * US})`;

/** Only windows closed by the watermark, in append mode; every window in update mode. */
const closed = (windowEnd: string, append: boolean): string => (append ? `${windowEnd} <= {wm}` : 'TRUE');

// HOP(bid, date_time, 2 s slide, 10 s size): each bid is in the 5 windows starting at its slide and the 4 before
const q5 = (append: boolean): string => `
  WITH hb AS (SELECT b.*, ${floorTo('date_time', 2)} - INTERVAL (j * 2) SECOND AS ws FROM bid AS b, range(5) AS r(j)),
  counts AS (SELECT auction, count(*) AS num, ws FROM hb WHERE ${closed("ws + INTERVAL '10' SECOND", append)} GROUP BY auction, ws)
  SELECT c.auction, c.num FROM counts AS c
  JOIN (SELECT max(num) AS maxn, ws FROM counts GROUP BY ws) AS m ON c.ws = m.ws AND c.num >= m.maxn`;

const q7 = (append: boolean): string => `
  SELECT B.auction, B.price, B.bidder, B.date_time
  FROM bid B
  JOIN (SELECT max(price) AS maxprice, ws + INTERVAL '10' SECOND AS date_time
        FROM (SELECT *, ${floorTo('date_time', 10)} AS ws FROM bid) GROUP BY ws) B1 ON B.price = B1.maxprice
  WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time AND ${closed('B1.date_time', append)}`;

const q8 = (append: boolean): string => `
  SELECT P.id, P.name, P.starttime
  FROM (SELECT id, name, ws AS starttime, ws + INTERVAL '10' SECOND AS endtime
        FROM (SELECT *, ${floorTo('date_time', 10)} AS ws FROM person) GROUP BY id, name, ws) P
  JOIN (SELECT seller, ws AS starttime, ws + INTERVAL '10' SECOND AS endtime
        FROM (SELECT *, ${floorTo('date_time', 10)} AS ws FROM auction) GROUP BY seller, ws) A
    ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime
  WHERE ${closed('P.endtime', append)}`;

// SESSION(bid, date_time, 10 s gap, bidder): a session row appears once the watermark closes it
const q11 = `
  SELECT * FROM (
    SELECT bidder, count(*) AS bid_count, min(date_time) AS starttime, max(date_time) + INTERVAL '10' SECOND AS endtime
    FROM (SELECT *, sum(CASE WHEN prev IS NULL OR date_time - prev >= INTERVAL '10' SECOND THEN 1 ELSE 0 END)
                      OVER (PARTITION BY bidder ORDER BY date_time) AS sid
          FROM (SELECT *, lag(date_time) OVER (PARTITION BY bidder ORDER BY date_time) AS prev FROM bid))
    GROUP BY bidder, sid)
  WHERE endtime <= {wm}`;

/**
 * Known disagreements (Eddy bugs, found by this test): in update mode a join of two windowed aggregates
 * on the window's start loses rows. q5: stale counts stay in the view after their windows' counts grew
 * (first 168 events, max_rows_per_batch = 30: [1000, 39] six times next to [1000, 99]). q8: a person
 * and an auction of the same open window are missing when the auction arrives after the watermark
 * passed the window's start (seed 1100: person 1012 at 00:00:06, auction at 00:00:09.51, watermark
 * 00:00:05.5). Append mode, where the aggregates emit closed windows only, agrees. Likely cause: the
 * equality on window_start becomes the join's time bound (EXPLAIN LOGICAL: time_bound=[window_start_1 -
 * window_start in [0s, 0s]]), so state is evicted once the watermark passes window_start, while in
 * update mode the aggregates still change those rows until window_end.
 */
/** Queries known to disagree, marked todo with the reason. */
const KNOWN: Record<string, string> = {};

const cases: Record<string, NexmarkCase> = {
  q0: asWritten('q0.sql'),
  q1: asWritten('q1.sql'),
  q2: asWritten('q2.sql'),
  q3: asWritten('q3.sql'),
  'q3-upper': asWritten('q3-upper.sql'),
  q4: { ...asWritten('q4.sql'), events: 1500 },
  q5: { ...queryFile('q5.sql'), reference: q5(false) },
  'q5 append': { ...queryFile('q5.sql'), reference: q5(true), appendMode: true },
  q7: { ...queryFile('q7.sql'), reference: q7(false) },
  'q7 append': { ...queryFile('q7.sql'), reference: q7(true), appendMode: true },
  q8: { ...queryFile('q8.sql'), reference: q8(false) },
  'q8 append': { ...queryFile('q8.sql'), reference: q8(true), appendMode: true },
  q9: { ...asWritten('q9.sql'), events: 1500 },
  'q10-duckdb': asWritten('q10-duckdb.sql'),
  q11: { ...queryFile('q11.sql'), reference: q11 },
  'q11 append': { ...queryFile('q11.sql'), reference: q11, appendMode: true },
  q13: asWritten('q13.sql'),
  q14: asWritten('q14.sql'),
  'q15-duckdb': asWritten('q15-duckdb.sql'),
  'q16-duckdb': asWritten('q16-duckdb.sql'),
  'q17-duckdb': asWritten('q17-duckdb.sql'),
  q18: asWritten('q18.sql'),
  q19: asWritten('q19.sql'),
  q20: asWritten('q20.sql'),
  'q21-duckdb': asWritten('q21-duckdb.sql'),
  q22: asWritten('q22.sql'),
};

const only = process.env.EDDY_NX_CASE;
const seeds = Number(process.env.EDDY_NX_SEEDS ?? 1);
for (const [index, [name, c]] of Object.entries(cases).entries()) {
  if (only && !name.includes(only)) continue;
  t.test(name, KNOWN[name] ? { todo: KNOWN[name] } : {}, async (t) => {
    for (let s = 0; s < seeds; s++) {
      const seed = (index + 1) * 100 + s;
      const report = await runNexmarkDifferential({ ...c, seed });
      t.equal(report.mismatch, null, `seed ${seed}: the view equals DuckDB's batch answer after every drain`);
      t.ok(report.checks >= 3 && report.batches > report.checks / 2,
        `seed ${seed}: ${report.checks} checks, ${report.batches} batches, ${report.lateRows} late rows, ${report.rowsCompared} rows compared at the end`);
      if (report.mismatch) t.comment(JSON.stringify(report.mismatch).slice(0, 3000));
    }
  });
}
