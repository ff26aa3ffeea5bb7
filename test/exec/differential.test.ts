/**
 * Every operator and combinations of them, checked against DuckDB's batch answer after each chunk
 * of random input (random chunk sizes, random max_rows_per_batch, event times out of order).
 */
import t from 'tap';
import { int, pick, runDifferential, type CaseSource, type DifferentialCase } from '../support/differential.js';

const channels = ["'web'", "'app'", "'api'", 'NULL'];

const bid: CaseSource = {
  ddl: 'CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, amount DOUBLE, fee DECIMAL(10,2), ts TIMESTAMP)',
  row: (r, i) => {
    const price = r() < 0.05 ? 'NULL' : String(int(r, 1, 100));
    const ts = `TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${Math.max(0, i * 2 - int(r, 0, 20))} SECOND`;
    return `(${int(r, 1, 6)}, ${int(r, 1, 9)}, ${price}, ${pick(r, channels)}, ${(r() * 100).toFixed(3)}, ${(r() * 10).toFixed(2)}, ${ts})`;
  },
};

const person: CaseSource = {
  ddl: 'CREATE SOURCE person (id BIGINT, name VARCHAR, city VARCHAR)',
  row: (r, i) => `(${(i % 9) + 1}, 'p${i}', ${pick(r, ["'Paris'", "'Oslo'", "'Rome'"])})`,
};

// Events with a unique id, so that ROWS frames and lag have one right answer to compare with.
const ev: CaseSource = {
  ddl: 'CREATE SOURCE ev (id BIGINT, k INTEGER, v INTEGER)',
  row: (r, i) => `(${i}, ${int(r, 1, 4)}, ${r() < 0.05 ? 'NULL' : String(int(r, 1, 50))})`,
};

const auctionTable = `CREATE TABLE auction_info (id BIGINT, category VARCHAR);
  INSERT INTO auction_info VALUES (1, 'books'), (2, 'music'), (3, 'books'), (4, 'toys'), (5, NULL)`;

const cases: Record<string, Omit<DifferentialCase, 'seed'>> = {
  'filter and project with DuckDB scalar functions': {
    sources: { bid },
    query: "SELECT auction, price * 2 AS p2, upper(channel) AS ch, date_trunc('minute', ts) AS m FROM bid WHERE price > 50 OR channel = 'api'",
  },
  'group by with count, sum, avg, min, max': {
    sources: { bid },
    query: 'SELECT auction, count(*) AS n, count(price) AS np, sum(price) AS s, avg(price) AS a, min(price) AS mn, max(price) AS mx FROM bid GROUP BY auction',
  },
  'sum and avg over double and decimal': {
    sources: { bid },
    query: 'SELECT channel, sum(amount) AS s, avg(amount) AS a, sum(fee) AS f, avg(fee) AS af FROM bid GROUP BY channel',
  },
  'count distinct': {
    sources: { bid },
    query: 'SELECT channel, count(DISTINCT bidder) AS bidders FROM bid GROUP BY channel',
  },
  'having': {
    sources: { bid },
    query: 'SELECT auction, count(*) AS n FROM bid GROUP BY auction HAVING count(*) > 3',
  },
  'global aggregate': {
    sources: { bid },
    query: 'SELECT count(*) AS n, sum(price) AS s, max(price) AS mx, min(channel) AS c FROM bid',
  },
  'aggregate with FILTER and an expression key': {
    sources: { bid },
    query: 'SELECT price % 10 AS bucket, count(*) FILTER (WHERE channel = \'web\') AS web, sum(price) FILTER (WHERE bidder > 4) AS s FROM bid GROUP BY price % 10',
  },
  'aggregate of an aggregate (how many auctions have each bid count)': {
    sources: { bid },
    query: 'SELECT n, count(*) AS auctions FROM (SELECT auction, count(*) AS n FROM bid GROUP BY auction) AS t GROUP BY n',
  },
  'min, max and count distinct over a retracting input': {
    sources: { bid },
    query: 'SELECT max(n) AS top, min(n) AS low, count(DISTINCT n) AS kinds, sum(n) AS total FROM (SELECT auction, count(*) AS n FROM bid GROUP BY auction) AS t',
  },
  'select distinct': {
    sources: { bid },
    query: 'SELECT DISTINCT auction, channel FROM bid',
  },
  'union all of filtered streams': {
    sources: { bid },
    query: "SELECT auction, price FROM bid WHERE price > 80 UNION ALL SELECT auction, price FROM bid WHERE channel = 'web'",
  },
  'stream-table inner join': {
    sources: { bid },
    setup: auctionTable,
    query: 'SELECT b.auction, b.price, a.category FROM bid AS b JOIN auction_info AS a ON a.id = b.auction',
  },
  'stream-table left join': {
    sources: { bid },
    setup: auctionTable,
    query: 'SELECT b.auction, b.price, a.category FROM bid AS b LEFT JOIN auction_info AS a ON a.id = b.auction',
  },
  'join then aggregate': {
    sources: { bid },
    setup: auctionTable,
    query: 'SELECT a.category, count(*) AS n, sum(b.price) AS s FROM bid AS b JOIN auction_info AS a ON a.id = b.auction GROUP BY a.category',
  },
  'CTE and subquery in FROM': {
    sources: { bid },
    query: 'WITH big AS (SELECT * FROM bid WHERE price > 30) SELECT channel, count(*) AS n FROM (SELECT channel FROM big) AS s GROUP BY channel',
  },
  'plain view inlined': {
    sources: { bid },
    setup: 'CREATE VIEW cheap AS SELECT * FROM bid WHERE price < 40',
    query: 'SELECT auction, count(*) AS n FROM cheap GROUP BY auction',
  },
  'stream-stream inner join': {
    sources: { bid, person },
    query: 'SELECT b.auction, b.price, p.name FROM bid AS b JOIN person AS p ON p.id = b.bidder',
  },
  'stream-stream join then aggregate': {
    sources: { bid, person },
    query: 'SELECT p.city, count(*) AS n, max(b.price) AS top FROM bid AS b JOIN person AS p ON p.id = b.bidder GROUP BY p.city',
  },
  'join of an aggregate with a stream': {
    sources: { bid, person },
    query: 'SELECT p.name, c.n FROM person AS p JOIN (SELECT bidder, count(*) AS n FROM bid GROUP BY bidder) AS c ON c.bidder = p.id',
  },
  'union of aggregates then aggregate': {
    sources: { bid },
    query: 'SELECT k, sum(n) AS total FROM (SELECT auction AS k, count(*) AS n FROM bid GROUP BY auction UNION ALL SELECT bidder AS k, count(*) AS n FROM bid GROUP BY bidder) AS u GROUP BY k',
  },
  'window functions: a ROWS frame, lag and a running sum per partition': {
    sources: { ev },
    query: `SELECT id, k, avg(v) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS a3,
      lag(v) OVER (PARTITION BY k ORDER BY id) AS prev, sum(v) OVER (PARTITION BY k ORDER BY v) AS running FROM ev`,
  },
  'row numbers and ranks selected as columns, without a top-N filter': {
    sources: { ev },
    query: 'SELECT id, k, row_number() OVER (PARTITION BY k ORDER BY v, id) AS rn, rank() OVER (PARTITION BY k ORDER BY v) AS r FROM ev',
  },
  'a lone row number without a top-N filter': {
    sources: { ev },
    query: 'SELECT id, k, v, row_number() OVER (PARTITION BY k ORDER BY v DESC, id) AS rn FROM ev',
  },
  'the top row per partition over a retracting input, its row number selected (ROW_NUMBER <= 1 over a GROUP BY)': {
    sources: { bid },
    query: 'SELECT bidder, auction, n, rn FROM (SELECT bidder, auction, n, row_number() OVER (PARTITION BY bidder ORDER BY n DESC, auction) AS rn FROM (SELECT bidder, auction, count(*) AS n FROM bid GROUP BY bidder, auction)) WHERE rn <= 1',
  },
  'deduplication ordered with NULLs first, per a key that may be NULL (ROW_NUMBER = 1)': {
    sources: { bid },
    query: 'SELECT channel, price, amount FROM (SELECT *, row_number() OVER (PARTITION BY channel ORDER BY price DESC NULLS FIRST, amount) AS rn FROM bid) WHERE rn = 1',
  },
  'deduplication ordered descending with NULLs last by default (ROW_NUMBER = 1)': {
    sources: { ev },
    query: 'SELECT k, id, v FROM (SELECT *, row_number() OVER (PARTITION BY k ORDER BY v DESC, id DESC) AS rn FROM ev) WHERE rn = 1',
  },
  'window function without PARTITION BY over an aggregate (a retracting input)': {
    sources: { bid },
    query: 'SELECT auction, n, sum(n) OVER (ORDER BY auction) AS running, round(100.0 * n / sum(n) OVER (), 2) AS pct FROM (SELECT auction, count(*) AS n FROM bid GROUP BY auction)',
  },
};

for (const [name, c] of Object.entries(cases)) {
  t.test(name, async (t) => {
    for (const seed of [1, 2]) {
      const report = await runDifferential({ ...c, seed });
      t.equal(report.mismatch, null, `seed ${seed}: view equals DuckDB's batch answer after every step`);
      t.ok(report.checks >= 8 && report.rowsFed > 0, `seed ${seed}: ${report.checks} checks over ${report.rowsFed} rows`);
    }
  });
}
