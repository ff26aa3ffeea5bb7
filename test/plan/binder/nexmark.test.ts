/**
 * Nexmark queries in RisingWave's text (sinks' connectors removed) bind over Nexmark's schemas; the
 * plans have the windows, ranks and time bounds the queries call for.
 */
import t from 'tap';
import type { CatalogReader } from '../../../src/catalog/reader.js';
import type { CatalogObject } from '../../../src/catalog/types.js';
import { bindQuery } from '../../../src/plan/binder/query.js';
import { explainLogical } from '../../../src/plan/logical/explain.js';
import { inputsOf, type LogicalNode } from '../../../src/plan/logical/nodes.js';
import { bindContext, closeFixture, queryText } from './fixture.js';

const source = (name: string, columns: string): CatalogObject => ({
  kind: 'source',
  name,
  sql: `CREATE SOURCE ${name} ...`,
  columns: columns.split(', ').map((c) => ({ name: c.split(' ')[0]!, type: c.split(' ').slice(1).join(' ') })),
  watermark: null,
  connector: 'nexmark',
  options: {},
});

const objects = [
  source('person', 'id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR'),
  source('auction', 'id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR'),
  source('bid', 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR'),
];
const catalog: CatalogReader = { get: (n) => objects.find((o) => o.name === n), list: () => objects };

t.teardown(closeFixture);

const kinds = (n: LogicalNode): string[] => [n.kind, ...inputsOf(n).flatMap(kinds)];
const joins = (n: LogicalNode): LogicalNode[] => [...(n.kind === 'join' ? [n] : []), ...inputsOf(n).flatMap(joins)];

const queries: Record<string, { sql: string; has?: string[] }> = {
  q5: {
    has: ['window'],
    sql: `SELECT AuctionBids.auction, AuctionBids.num FROM (
      SELECT bid.auction, count(*) AS num, window_start AS starttime
      FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY window_start, bid.auction
    ) AS AuctionBids JOIN (
      SELECT max(CountBids.num) AS maxn, CountBids.starttime_c FROM (
        SELECT count(*) AS num, window_start AS starttime_c
        FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY bid.auction, window_start
      ) AS CountBids GROUP BY CountBids.starttime_c
    ) AS MaxBids ON AuctionBids.starttime = MaxBids.starttime_c AND AuctionBids.num >= MaxBids.maxn`,
  },
  q7: {
    has: ['window'],
    sql: `SELECT B.auction, B.price, B.bidder, B.date_time FROM bid B
      JOIN (SELECT MAX(price) AS maxprice, window_end as date_time FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_end) B1
      ON B.price = B1.maxprice
      WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time`,
  },
  q8: {
    has: ['window'],
    sql: `SELECT P.id, P.name, P.starttime FROM (
      SELECT id, name, window_start AS starttime, window_end AS endtime FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
      GROUP BY id, name, window_start, window_end) P
    JOIN (
      SELECT seller, window_start AS starttime, window_end AS endtime FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
      GROUP BY seller, window_start, window_end) A
    ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`,
  },
  q9: {
    has: ['rank'],
    sql: `SELECT id, item_name, description, initial_bid, reserve, date_time, expires, seller, category, auction, bidder, price, bid_date_time
      FROM (SELECT A.*, B.auction, B.bidder, B.price, B.date_time AS bid_date_time,
                   ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.date_time ASC) AS rownum
            FROM auction A, bid B WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires) tmp
      WHERE rownum <= 1`,
  },
  q11: {
    has: ['window'],
    sql: `SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
      FROM SESSION(bid, date_time, INTERVAL '10' SECOND, bidder) GROUP BY bidder, window_start, window_end`,
  },
  q12: {
    has: ['window'],
    sql: `SELECT bidder, count(*) as bid_count, window_start, window_end FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
      GROUP BY bidder, window_start, window_end`,
  },
  q14: {
    sql: `SELECT auction, bidder, 0.908 * price as price,
      CASE WHEN extract(hour from date_time) >= 8 AND extract(hour from date_time) <= 18 THEN 'dayTime'
           WHEN extract(hour from date_time) <= 6 OR extract(hour from date_time) >= 20 THEN 'nightTime'
           ELSE 'otherTime' END AS bidTimeType,
      date_time, length(extra) - length(replace(extra, 'c', '')) AS c_counts
      FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
  },
  q18: {
    has: ['rank'],
    sql: `SELECT auction, bidder, price, channel, url, date_time FROM (SELECT *,
      ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC) AS rank_number FROM bid) WHERE rank_number <= 1`,
  },
  q19: {
    has: ['rank'],
    sql: `SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
      WHERE rank_number <= 10`,
  },
  q20: {
    sql: `SELECT auction, bidder, price, channel, url, B.date_time as bid_date_time, B.extra as bid_extra,
      item_name, description, initial_bid, reserve, A.date_time as auction_date_time, expires, seller, category, A.extra as auction_extra
      FROM bid AS B INNER JOIN auction AS A on B.auction = A.id WHERE A.category = 10`,
  },
  q22: {
    sql: `SELECT auction, bidder, price, channel, split_part(url, '/', 4) as dir1, split_part(url, '/', 5) as dir2,
      split_part(url, '/', 6) as dir3 FROM bid`,
  },
};

for (const [name, q] of Object.entries(queries)) {
  t.test(name, async (t) => {
    const plan = await bindQuery(queryText(q.sql), await bindContext(catalog));
    t.ok(explainLogical(plan).length > 0);
    for (const kind of q.has ?? []) t.ok(kinds(plan).includes(kind), `plan has a ${kind} node`);
  });
}

t.test('q7 and q9 carry a join time bound; q8 an equality of window starts', async (t) => {
  const bound = async (sql: string) =>
    joins(await bindQuery(queryText(sql), await bindContext(catalog))).map((j) => (j.kind === 'join' ? j.timeBound ?? null : null));
  t.match(await bound(queries.q7!.sql), [{ leftField: 'date_time', lowerMicros: 0, upperMicros: 10_000_000 }]);
  t.match(await bound(queries.q9!.sql), [{ leftField: 'date_time', rightField: 'date_time_1', lowerMicros: 0, upperMicros: null }]);
  t.match(await bound(queries.q8!.sql), [{ lowerMicros: 0, upperMicros: 0 }]);
});

/** RisingWave's q15-q17 and q21 use PostgreSQL functions DuckDB lacks: they fail with UNDEFINED_FUNCTION until mapped. */
t.test('queries needing PostgreSQL-only functions', async (t) => {
  for (const sql of [
    "SELECT to_char(date_time, 'YYYY-MM-DD') as day, count(*) AS total_bids FROM bid GROUP BY to_char(date_time, 'YYYY-MM-DD')",
    "SELECT auction, (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2] AS channel_id FROM bid",
  ]) {
    await t.rejects(bindQuery(queryText(sql), await bindContext(catalog)), { code: 'UNDEFINED_FUNCTION' });
  }
});
