-- case: q18 dedup: latest bid per bidder and auction, rank not selected
SELECT auction, bidder, price, channel, url, date_time
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC) AS rank_number FROM bid)
WHERE rank_number <= 1;
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP)
--   Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR)
--     Rank row_number partition=[bidder, auction] order=["date_time" DESC] <= 1 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: q19 top-N with star keeps the rank column
SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid) WHERE rank_number <= 10;
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, "rank_number" AS rank_number -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, rank_number BIGINT)
--   Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, "rank_number" AS rank_number -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, rank_number BIGINT)
--     Rank row_number partition=[auction] order=["price" DESC] <= 10 as rank_number -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], rank_number BIGINT)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: rn = 1 with other conjuncts that stay a filter
SELECT b.auction, b.price FROM (SELECT auction, price, channel, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, channel) AS rn FROM bid WHERE price > 1) b WHERE rn = 1 AND channel = 'web';
-- expect:
-- Project "auction" AS auction, "price" AS price -> (auction BIGINT, price BIGINT)
--   Filter "channel" = 'web' -> (auction BIGINT [b.auction], price BIGINT [b.price], channel VARCHAR [b.channel])
--     Project "auction" AS auction, "price" AS price, "channel" AS channel -> (auction BIGINT [b.auction], price BIGINT [b.price], channel VARCHAR [b.channel])
--       Rank row_number partition=[auction] order=["price" DESC, "channel"] <= 1 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--         Filter "price" > 1 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--           Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: rank from a CTE, N > rn, dense_rank
WITH r AS (SELECT auction, bidder, DENSE_RANK() OVER (PARTITION BY auction ORDER BY price DESC NULLS LAST) AS dr FROM bid)
SELECT auction, bidder, dr FROM r WHERE 3 > dr;
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "dr" AS dr -> (auction BIGINT, bidder BIGINT, dr BIGINT)
--   Project "auction" AS auction, "bidder" AS bidder, "dr" AS dr -> (auction BIGINT [r.auction], bidder BIGINT [r.bidder], dr BIGINT [r.dr])
--     Rank dense_rank partition=[auction] order=["price" DESC NULLS LAST] <= 2 as dr -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], dr BIGINT)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: rank over an expression partition and without partition
SELECT x FROM (SELECT auction AS x, RANK() OVER (PARTITION BY lower(channel) ORDER BY date_time) AS r FROM bid) s WHERE r < 3;
-- expect:
-- Project "x" AS x -> (x BIGINT)
--   Project "auction" AS x -> (x BIGINT [s.x])
--     Rank rank partition=[partition_1] order=["date_time"] <= 2 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], partition_1 VARCHAR)
--       Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, lower("channel") AS partition_1 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], partition_1 VARCHAR)
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: rank from a view
SELECT auction, price FROM latest_bid WHERE rn = 1;
-- expect:
-- Project "auction" AS auction, "price" AS price -> (auction BIGINT, price BIGINT)
--   Project "auction" AS auction, "bidder" AS bidder, "price" AS price -> (auction BIGINT [latest_bid.auction], bidder BIGINT [latest_bid.bidder], price BIGINT [latest_bid.price])
--     Rank row_number partition=[auction] order=["date_time" DESC] <= 1 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: top-N over a window
SELECT * FROM (
  SELECT auction, window_start, num, ROW_NUMBER() OVER (PARTITION BY window_start ORDER BY num DESC) AS rn
  FROM (SELECT auction, window_start, count(*) AS num FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY auction, window_start)
) WHERE rn <= 3;
-- expect:
-- Project "auction" AS auction, "window_start" AS window_start, "num" AS num, "rn" AS rn -> (auction BIGINT, window_start TIMESTAMP, num BIGINT, rn BIGINT)
--   Project "auction" AS auction, "window_start" AS window_start, "num" AS num, "rn" AS rn -> (auction BIGINT, window_start TIMESTAMP, num BIGINT, rn BIGINT)
--     Rank row_number partition=[window_start] order=["num" DESC] <= 3 as rn -> (auction BIGINT, window_start TIMESTAMP, num BIGINT, rn BIGINT)
--       Project "auction" AS auction, "window_start" AS window_start, "count" AS num -> (auction BIGINT, window_start TIMESTAMP, num BIGINT)
--         Aggregate keys=[auction, window_start] aggs=[count(*)] -> (auction BIGINT [bid.auction], window_start TIMESTAMP [bid.window_start], count BIGINT)
--           Window TUMBLE(INTERVAL '10' SECOND) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--             Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: a row number without a top-N filter is a window function over all rows (ties broken by a hash of every field)
SELECT auction, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price) AS rn FROM bid;
-- expect:
-- Project "auction" AS auction, "rn" AS rn -> (auction BIGINT, rn BIGINT)
--   Over partition=[auction] [row_number() OVER (PARTITION BY "auction" ORDER BY "price" ASC, hash("auction", "bidder", "price", "channel", "url", "date_time", "extra"))] -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], rn BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: rn = 2 is not a top-N filter: the numbering is a window function, then a filter
SELECT * FROM (SELECT auction, ROW_NUMBER() OVER (ORDER BY price) AS rn FROM bid) WHERE rn = 2;
-- expect:
-- Project "auction" AS auction, "rn" AS rn -> (auction BIGINT, rn BIGINT)
--   Filter "rn" = 2 -> (auction BIGINT, rn BIGINT)
--     Project "auction" AS auction, "rn" AS rn -> (auction BIGINT, rn BIGINT)
--       Over partition=[] [row_number() OVER (ORDER BY "price" ASC, hash("auction", "bidder", "price", "channel", "url", "date_time", "extra"))] -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], rn BIGINT)
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: a window function over the groups of the same SELECT is not supported
SELECT * FROM (SELECT auction, sum(count(*)) OVER (PARTITION BY auction) AS s FROM bid GROUP BY auction) WHERE s > 1;
-- error: FEATURE_NOT_SUPPORTED 1:32
-- message: window functions over the groups

-- case: window function named as DuckDB names it
SELECT auction,
  row_number() OVER (PARTITION BY auction) FROM bid;
-- expect:
-- Project "auction" AS auction, "row_number" AS row_number() OVER (PARTITION BY auction) -> (auction BIGINT, row_number() OVER (PARTITION BY auction) BIGINT)
--   Over partition=[auction] [row_number() OVER (PARTITION BY "auction" ORDER BY hash("auction", "bidder", "price", "channel", "url", "date_time", "extra"))] -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], row_number BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: DISTINCT ON is a row_number deduplication ordered by the rest of the ORDER BY
SELECT DISTINCT ON (auction) auction, bidder, price FROM bid ORDER BY auction, price DESC, bidder;
-- expect:
-- Rank row_number partition=[auction] order=["price" DESC, "bidder"] <= 1 -> (auction BIGINT, bidder BIGINT, price BIGINT)
--   Project "auction" AS auction, "bidder" AS bidder, "price" AS price -> (auction BIGINT, bidder BIGINT, price BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
