-- Nexmark-style continuous queries as RisingWave and Flink publish them: all must parse with an AST.
-- Format (read by test/sql/cases.test.ts): `-- case: title`, the SQL, then `-- expect: <json>` lines
-- (tap-matched against parseScript's result) or `-- fail: <text in the error message>`.

-- case: q0 pass-through
CREATE MATERIALIZED VIEW nexmark_q0 AS SELECT auction, bidder, price, date_time FROM bid;
-- expect: [{"kind": "create_materialized_view", "name": "nexmark_q0", "query": {"ast": {"type": "select"}}}]

-- case: q1 currency conversion
CREATE MATERIALIZED VIEW nexmark_q1 AS
SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid;
-- expect: [{"query": {"text": "SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid", "start": {"line": 2, "column": 1}}}]

-- case: q2 selection
CREATE SINK nexmark_q2 AS
SELECT auction, price FROM bid WHERE auction = 1007 OR auction = 1020 OR auction = 2001 OR auction = 2019
WITH (connector = 'blackhole');
-- expect: [{"kind": "create_sink", "input": {"kind": "query", "query": {"ast": {"type": "select"}}}, "options": {"connector": "blackhole"}}]

-- case: q3 local item suggestion (join)
CREATE MATERIALIZED VIEW nexmark_q3 AS
SELECT P.name, P.city, P.state, A.id
FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'or' OR P.state = 'id' OR P.state = 'ca');
-- expect: [{"query": {"ast": {"from": [{"table": "auction"}, {"table": "person", "join": "INNER JOIN"}]}}}]

-- case: q4 average price per category
CREATE MATERIALIZED VIEW nexmark_q4 AS
SELECT Q.category, AVG(Q.final) AS avg
FROM (
  SELECT MAX(B.price) AS final, A.category
  FROM auction A, bid B
  WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
  GROUP BY A.id, A.category
) Q
GROUP BY Q.category;
-- expect: [{"kind": "create_materialized_view", "query": {"ast": {"type": "select"}}}]

-- case: q5 hot items (HOP)
CREATE MATERIALIZED VIEW nexmark_q5 AS
SELECT AuctionBids.auction, AuctionBids.num
FROM (
  SELECT auction, count(*) AS num, window_start AS starttime
  FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
  GROUP BY window_start, auction
) AS AuctionBids
JOIN (
  SELECT max(CountBids.num) AS maxn, CountBids.starttime_c
  FROM (
    SELECT count(*) AS num, window_start AS starttime_c
    FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
    GROUP BY auction, window_start
  ) AS CountBids
  GROUP BY CountBids.starttime_c
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime_c AND AuctionBids.num >= MaxBids.maxn;
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: q5 in Flink's window TVF form
CREATE MATERIALIZED VIEW nexmark_q5_flink AS
SELECT auction, num FROM (
  SELECT auction, count(*) AS num, window_start, window_end
  FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
  GROUP BY auction, window_start, window_end
) AS counts;
-- expect: [{"query": {"text": "/TABLE\\(HOP\\(TABLE bid/", "ast": {"type": "select"}}}]

-- case: q7 highest bid (TUMBLE)
CREATE MATERIALIZED VIEW nexmark_q7 AS
SELECT B.auction, B.price, B.bidder, B.date_time
FROM bid B
JOIN (
  SELECT MAX(price) AS maxprice, window_end AS date_time
  FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
  GROUP BY window_end
) B1 ON B.price = B1.maxprice
WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time;
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: q8 monitor new users
CREATE MATERIALIZED VIEW nexmark_q8 AS
SELECT P.id, P.name, P.starttime
FROM (
  SELECT id, name, window_start AS starttime, window_end AS endtime
  FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
  GROUP BY id, name, window_start, window_end
) P
JOIN (
  SELECT seller, window_start AS starttime, window_end AS endtime
  FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
  GROUP BY seller, window_start, window_end
) A ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: q9 winning bids (ROW_NUMBER)
CREATE MATERIALIZED VIEW nexmark_q9 AS
SELECT id, item_name, description, initial_bid, reserve, date_time, expires, seller, category,
       auction, bidder, price, bid_date_time
FROM (
  SELECT A.*, B.auction, B.bidder, B.price, B.date_time AS bid_date_time,
         ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.date_time ASC) AS rownum
  FROM auction A, bid B
  WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires
) tmp
WHERE rownum <= 1;
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: q14 CASE and EXTRACT
CREATE MATERIALIZED VIEW nexmark_q14 AS
SELECT auction, bidder, 0.908 * price AS price,
  CASE
    WHEN extract(hour FROM date_time) >= 8 AND extract(hour FROM date_time) <= 18 THEN 'dayTime'
    WHEN extract(hour FROM date_time) <= 6 OR extract(hour FROM date_time) >= 20 THEN 'nightTime'
    ELSE 'otherTime'
  END AS bidTimeType,
  date_time, extra
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: q15 distinct counts with FILTER
CREATE MATERIALIZED VIEW nexmark_q15 AS
SELECT to_char(date_time, 'YYYY-MM-DD') AS day,
  count(*) AS total_bids,
  count(*) FILTER (WHERE price < 10000) AS rank1_bids,
  count(DISTINCT bidder) AS total_bidders,
  count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders
FROM bid
GROUP BY to_char(date_time, 'YYYY-MM-DD');
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: q22 split_part
CREATE MATERIALIZED VIEW nexmark_q22 AS
SELECT auction, bidder, price, channel,
  split_part(url, '/', 4) AS dir1, split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3
FROM bid;
-- expect: [{"query": {"ast": {"type": "select"}}}]

-- case: a whole pipeline script with positions
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events_per_second = 10000);
CREATE MATERIALIZED VIEW hot WITH (trigger = '1 second') AS
  SELECT auction, window_start, count(*) AS bids
  FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY auction, window_start;
CREATE SINK hot_parquet FROM hot
  WITH (connector = 'parquet', path = 'out/hot', partition_by = 'window_start', output_mode = 'append');
SELECT * FROM hot WHERE bids > 10;
-- expect: [
-- expect:   {"kind": "create_source", "start": {"line": 1, "column": 1}},
-- expect:   {"kind": "create_materialized_view", "start": {"line": 2, "column": 1}, "query": {"start": {"line": 3, "column": 3}}},
-- expect:   {"kind": "create_sink", "start": {"line": 5}, "input": {"kind": "from", "name": "hot"}},
-- expect:   {"kind": "select", "start": {"line": 7}}
-- expect: ]
