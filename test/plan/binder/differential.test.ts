/**
 * Differential tests: each query is bound, the plan is compiled back to one batch SQL query
 * (plan-sql.ts) and run over real tables; its column names, types and rows must equal DuckDB's own
 * answer for the user's query. This checks name resolution, renaming, USING merges, aggregate
 * rewriting, output naming (a materialized view's columns must be what DuckDB calls them) and types.
 */
import t, { type Test } from 'tap';
import { bind, closeFixture, seededConnection } from './fixture.js';
import { planToSql } from './plan-sql.js';
import { inputsOf, type LogicalNode } from '../../../src/plan/logical/nodes.js';

const queries = [
  'SELECT * FROM bid WHERE price > 10',
  'SELECT b.*, price * 2 AS p2, upper(channel), price + 1, CAST(price AS VARCHAR), price::DOUBLE FROM bid b',
  "SELECT EXTRACT(YEAR FROM date_time), date_trunc('hour', date_time), date_time + INTERVAL '1' HOUR, CASE WHEN price > 100 THEN 'big' ELSE 'small' END, url LIKE 'a%', url IS NULL, channel || '-' || url, auction IN (1, 3), coalesce(extra, 'none') FROM bid",
  'SELECT * FROM bid b JOIN auction a ON b.auction = a.id',
  'SELECT * FROM bid b LEFT JOIN auction a ON b.auction = a.id AND a.date_time < b.date_time',
  'SELECT a.date_time, b.date_time FROM bid b RIGHT JOIN auction a ON b.auction = a.id',
  'SELECT * FROM bid b FULL JOIN auction a ON b.auction = a.id',
  'SELECT * FROM stations s JOIN prices p USING (id)',
  'SELECT * FROM stations s LEFT JOIN prices p USING (id)',
  'SELECT * FROM stations s RIGHT JOIN prices p USING (id)',
  'SELECT * FROM stations s FULL JOIN prices p USING (id)',
  'SELECT id, s.id, p.id, name FROM stations s FULL JOIN prices p USING (id)',
  'SELECT s.name, p.price FROM stations s, prices p WHERE s.id = p.id',
  'SELECT auction, count(*), count(extra), count(DISTINCT bidder), sum(price), avg(price), min(url), max(date_time) FROM bid GROUP BY auction',
  'SELECT auction + 1 AS next, sum(price) / count(*) AS mean, count(*) FILTER (WHERE price > 100) AS big FROM bid GROUP BY auction HAVING count(*) > 1',
  "SELECT auction + bidder, date_trunc('day', date_time) AS day, count(*) AS n FROM bid GROUP BY auction + bidder, date_trunc('day', date_time)",
  'SELECT channel AS c, max(price) FROM bid GROUP BY c',
  'SELECT channel, count(*) FROM bid GROUP BY 1',
  'SELECT count(*), sum(price), avg(price) FROM bid',
  'SELECT sum(price), avg(price), sum(p.id), min(price) FROM prices p',
  'SELECT a.category, count(*) AS bids FROM bid b JOIN auction a ON b.auction = a.id GROUP BY a.category',
  'SELECT DISTINCT channel FROM bid',
  'SELECT auction FROM bid UNION ALL SELECT id FROM stations UNION ALL SELECT category FROM auction',
  'SELECT auction, price FROM bid UNION SELECT id, price FROM prices',
  'WITH big AS (SELECT auction, price FROM bid WHERE price > 100), r (x, y) AS (SELECT * FROM big) SELECT x, y, x + y FROM r',
  'SELECT s.a, b FROM (SELECT auction, price FROM bid) AS s(a, b) WHERE a > 1',
  'SELECT * FROM big_bids JOIN hot USING (auction)',
  'SELECT a, count(*) FROM renamed GROUP BY a',
  'SELECT auction AS a, price FROM bid ORDER BY a DESC, 2 LIMIT 3',
  'SELECT "price", PRICE, Bid.Auction FROM BID',
  'SELECT b1.auction, b2.bidder FROM bid b1 JOIN bid b2 ON b1.auction = b2.auction AND b1.bidder <> b2.bidder',
  'SELECT s.*, p.* FROM stations s JOIN prices p USING (id)',
  'SELECT count(*) FROM bid HAVING count(*) > 1',
  'SELECT auction, sum(price * 2) AS s2, max(price) - min(price) AS spread FROM bid WHERE channel IS NOT NULL GROUP BY auction',
  'WITH bid AS (SELECT auction, price FROM bid WHERE price > 100) SELECT * FROM bid',
  'SELECT x.auction, y.price FROM big_bids x JOIN big_bids y USING (auction)',
  'SELECT DISTINCT channel, count(*) AS n FROM bid GROUP BY channel ORDER BY n DESC, channel',
  'SELECT auction FROM bid UNION SELECT id FROM auction ORDER BY auction DESC LIMIT 2',
  'SELECT "Mixed Case", n + 1, o."Mixed Case" || \'!\' AS bang, count(*) FROM odd o GROUP BY "Mixed Case", n',
  'SELECT auction, count(*) FROM bid GROUP BY auction ORDER BY count(*) DESC, auction',
  "SELECT date_time - INTERVAL 1 DAY, date_time + INTERVAL '2 hours', INTERVAL '4' SECOND FROM bid",
  'WITH c AS (SELECT auction, max(price) AS top FROM bid GROUP BY auction) SELECT x.auction, y.top FROM c x JOIN c y ON x.top = y.top',
  "SELECT channel, count(DISTINCT bidder) FILTER (WHERE price > 10), sum(price) FILTER (WHERE url LIKE 'a%') FROM bid GROUP BY channel",
];

/** Eddy queries with window TVFs, and the same query in DuckDB's own SQL. */
const equivalents: [string, string][] = [
  [
    "SELECT auction, window_start, window_end, count(*) AS n FROM TUMBLE(bid, date_time, INTERVAL '1' HOUR) GROUP BY auction, window_start, window_end",
    "SELECT auction, time_bucket(INTERVAL '1 hour', date_time) AS window_start, time_bucket(INTERVAL '1 hour', date_time) + INTERVAL '1 hour' AS window_end, count(*) AS n FROM bid GROUP BY ALL",
  ],
  [
    "SELECT t.* FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '1' DAY)) t",
    "SELECT *, time_bucket(INTERVAL '1 day', date_time) AS window_start, time_bucket(INTERVAL '1 day', date_time) + INTERVAL '1 day' AS window_end FROM bid",
  ],
  [
    "SELECT window_start, max(price) AS top FROM HOP(bid, date_time, INTERVAL '30' MINUTE, INTERVAL '1' HOUR) GROUP BY window_start",
    "SELECT s AS window_start, max(price) AS top FROM bid, (SELECT unnest(range(TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-03 00:00:00', INTERVAL '30 minutes')) AS s) w WHERE date_time >= s AND date_time < s + INTERVAL '1 hour' GROUP BY s",
  ],
  [
    "SELECT window_start, window_end, count(*) AS n FROM SESSION(bid, date_time, INTERVAL '1' HOUR) GROUP BY window_start, window_end",
    "VALUES (TIMESTAMP '2024-01-01 10:00:00', TIMESTAMP '2024-01-01 12:15:00', 3::BIGINT), (TIMESTAMP '2024-01-02 09:00:00', TIMESTAMP '2024-01-02 10:00:00', 1), (TIMESTAMP '2024-01-02 12:00:00', TIMESTAMP '2024-01-02 13:00:00', 1)",
  ],
  [
    "SELECT user_id, window_start, count(*) AS n FROM SESSION(clicks, ts, INTERVAL '5' SECOND, user_id) GROUP BY user_id, window_start",
    "VALUES (1::BIGINT, TIMESTAMPTZ '2024-01-01 10:00:01+00', 2::BIGINT), (1, TIMESTAMPTZ '2024-01-01 10:00:30+00', 1), (2, TIMESTAMPTZ '2024-01-01 10:00:09+00', 2)",
  ],
  [
    "SELECT window_end, count(*) AS n FROM TUMBLE(clicks, ts, INTERVAL '10' SECOND) GROUP BY window_end",
    "SELECT time_bucket(INTERVAL '10 seconds', ts) + INTERVAL '10 seconds' AS window_end, count(*) AS n FROM clicks GROUP BY ALL",
  ],
  [
    'SELECT auction, bidder, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY date_time DESC) AS rn FROM bid) WHERE rn = 1',
    'SELECT auction, bidder, price FROM bid QUALIFY ROW_NUMBER() OVER (PARTITION BY auction ORDER BY date_time DESC) = 1',
  ],
  [
    'SELECT * FROM (SELECT auction, price, RANK() OVER (PARTITION BY channel ORDER BY price DESC) AS r FROM bid) WHERE r <= 1 AND price > 10',
    'SELECT * FROM (SELECT auction, price, RANK() OVER (PARTITION BY channel ORDER BY price DESC) AS r FROM bid) WHERE r <= 1 AND price > 10',
  ],
  [
    'WITH d AS (SELECT auction, DENSE_RANK() OVER (PARTITION BY lower(channel) ORDER BY bidder) AS dr FROM bid) SELECT auction, dr FROM d WHERE dr < 3',
    'WITH d AS (SELECT auction, DENSE_RANK() OVER (PARTITION BY lower(channel) ORDER BY bidder) AS dr FROM bid) SELECT auction, dr FROM d WHERE dr < 3',
  ],
  ['SELECT * FROM latest_bid WHERE rn = 1', 'SELECT * FROM latest_bid WHERE rn = 1'],
];

t.teardown(closeFixture);

/** DuckDB allows duplicate output names; Eddy keeps the first and suffixes the rest (x, x_1). */
function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names.map((n) => n.toLowerCase()));
  const seen = new Set<string>();
  return names.map((n) => {
    if (!seen.has(n.toLowerCase())) {
      seen.add(n.toLowerCase());
      return n;
    }
    let i = 1;
    while (taken.has(`${n}_${i}`.toLowerCase())) i++;
    taken.add(`${n}_${i}`.toLowerCase());
    return `${n}_${i}`;
  });
}

for (const [sql, duck] of [...queries.map((q) => [q, q] as const), ...equivalents]) {
  t.test(sql, async (t) => {
    const conn = await seededConnection();
    const plan = await bind(sql);
    checkInvariants(t, plan);
    const planned = await conn.query(planToSql(plan));
    const expected = await conn.query(duck);
    if (sql === duck || !duck.startsWith('VALUES')) {
      t.same(plan.fields.map((f) => f.name), uniqueNames(expected.columns.map((c) => c.name)), 'column names are DuckDB\'s');
    }
    t.same(plan.fields.map((f) => f.type), expected.columns.map((c) => c.type), 'column types are DuckDB\'s');
    t.same(planned.columns.map((c) => c.type), expected.columns.map((c) => c.type), 'the plan\'s SQL has those types');
    const rows = (r: { rows: readonly unknown[][] }) => r.rows.map((row) => JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    // Only a result ORDER BY orders rows; one inside OVER (...) does not.
    if (/ORDER BY/i.test(withoutWindowSpecs(sql))) t.same(rows(planned), rows(expected), 'same rows in order');
    else t.same(rows(planned).sort(), rows(expected).sort(), 'same rows');
  });
}

/** The SQL with every OVER (...) removed, nested parentheses included (PARTITION BY lower(x)). */
function withoutWindowSpecs(sql: string): string {
  let out = '';
  let i = 0;
  for (let m = /OVER\s*\(/gi.exec(sql.slice(i)); m; m = /OVER\s*\(/gi.exec(sql.slice(i))) {
    out += sql.slice(i, i + m.index);
    let j = i + m.index + m[0].length;
    for (let depth = 1; j < sql.length && depth > 0; j++) depth += sql[j] === '(' ? 1 : sql[j] === ')' ? -1 : 0;
    i = j;
  }
  return out + sql.slice(i);
}

/** The contract with the planner: unique names per node, keys/args/join sides by input field names. */
function checkInvariants(t: Test, node: LogicalNode): void {
  const names = node.fields.map((f) => f.name.toLowerCase());
  t.equal(new Set(names).size, names.length, `${node.kind}: field names are unique`);
  const inputNames = new Set(inputsOf(node).flatMap((n) => n.fields.map((f) => f.name)));
  if (node.kind === 'project') t.equal(node.exprs.length, node.fields.length, 'project: one expr per field');
  if (node.kind === 'aggregate') {
    for (const k of node.keys) t.ok(inputNames.has(k), `aggregate key ${k} is an input field`);
    for (const a of node.aggregates) for (const arg of a.fn === 'general' ? a.inputs : a.arg === null ? [] : [a.arg]) t.ok(inputNames.has(arg), `aggregate arg ${arg} is an input field`);
    t.same(node.fields.slice(0, node.keys.length).map((f) => f.name), node.keys, 'aggregate: keys first');
  }
  if (node.kind === 'join') {
    const left = new Set(node.left.fields.map((f) => f.name.toLowerCase()));
    t.ok(node.right.fields.every((f) => !left.has(f.name.toLowerCase())), 'join: sides have disjoint names');
    for (const [l, r] of node.equiKeys) t.ok(left.has(l.toLowerCase()) && !left.has(r.toLowerCase()), `join key ${l}=${r}`);
  }
  if (node.kind === 'union') for (const i of node.inputs) t.equal(i.fields.length, node.fields.length, 'union: same width');
  for (const input of inputsOf(node)) checkInvariants(t, input);
}
