-- case: star with a filter
SELECT * FROM bid WHERE price > 10 AND channel LIKE 'a%';
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR)
--   Filter "price" > 10 AND "channel" LIKE 'a%' -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: qualified star, aliases and expressions
SELECT b.*, price * 2 AS double_price, upper(channel) FROM bid AS b;
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, "price" * 2 AS double_price, upper("channel") AS upper(channel) -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, double_price BIGINT, upper(channel) VARCHAR)
--   Scan source bid -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra])

-- case: expressions render as DuckDB SQL over field names
SELECT CAST(price AS VARCHAR) AS a, price::DOUBLE AS b, EXTRACT(YEAR FROM date_time) AS c,
       date_trunc('hour', date_time) AS d, date_time + INTERVAL '1' HOUR AS e,
       CASE WHEN price > 1 THEN 'hi' ELSE 'it''s' END AS f, price BETWEEN 1 AND 2 AS g,
       url IS NOT NULL AS h, channel || '/' || url AS i, auction IN (1, 2, 3) AS j,
       coalesce(extra, 'none') AS k, -price AS l, NOT (price > 1) AS m
FROM bid;
-- expect:
-- Project CAST("price" AS VARCHAR) AS a, "price"::DOUBLE AS b, EXTRACT(YEAR FROM "date_time") AS c, date_trunc('hour', "date_time") AS d, "date_time" + INTERVAL '1' HOUR AS e, CASE WHEN "price" > 1 THEN 'hi' ELSE 'it''s' END AS f, "price" BETWEEN 1 AND 2 AS g, "url" IS NOT NULL AS h, "channel" || '/' || "url" AS i, "auction" IN (1, 2, 3) AS j, coalesce("extra", 'none') AS k, -"price" AS l, NOT("price" > 1) AS m -> (a VARCHAR, b DOUBLE, c BIGINT, d TIMESTAMP, e TIMESTAMP, f VARCHAR, g BOOLEAN, h BOOLEAN, i VARCHAR, j BOOLEAN, k VARCHAR, l BIGINT, m BOOLEAN)
--   Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: default column names are DuckDB's
SELECT price + 1, upper(channel), price FROM bid;
-- expect:
-- Project "price" + 1 AS (price + 1), upper("channel") AS upper(channel), "price" AS price -> ((price + 1) BIGINT, upper(channel) VARCHAR, price BIGINT)
--   Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: duplicate output names are made unique
SELECT price, price, price AS price_1 FROM bid;
-- expect:
-- Project "price" AS price, "price" AS price_2, "price" AS price_1 -> (price BIGINT, price_2 BIGINT, price_1 BIGINT)
--   Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: select distinct
SELECT DISTINCT channel, auction FROM bid;
-- expect:
-- Distinct -> (channel VARCHAR, auction BIGINT)
--   Project "channel" AS channel, "auction" AS auction -> (channel VARCHAR, auction BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: subquery in FROM with alias and column names
SELECT s.a, b FROM (SELECT auction, price FROM bid WHERE price > 5) AS s(a, b) WHERE a > 1;
-- expect:
-- Project "auction" AS a, "price" AS b -> (a BIGINT, b BIGINT)
--   Filter "auction" > 1 -> (auction BIGINT [s.a], price BIGINT [s.b])
--     Project "auction" AS auction, "price" AS price -> (auction BIGINT [s.a], price BIGINT [s.b])
--       Filter "price" > 5 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: ORDER BY inside a subquery is dropped
SELECT auction FROM (SELECT auction FROM bid ORDER BY price) AS s;
-- expect:
-- Project "auction" AS auction -> (auction BIGINT)
--   Project "auction" AS auction -> (auction BIGINT [s.auction])
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: CTEs see earlier CTEs and may rename columns
WITH big AS (SELECT auction, price FROM bid WHERE price > 100),
     renamed (x, y) AS (SELECT * FROM big)
SELECT x, y FROM renamed;
-- expect:
-- Project "auction" AS x, "price" AS y -> (x BIGINT, y BIGINT)
--   Project "auction" AS auction, "price" AS price -> (auction BIGINT [renamed.x], price BIGINT [renamed.y])
--     Project "auction" AS auction, "price" AS price -> (auction BIGINT [big.auction], price BIGINT [big.price])
--       Filter "price" > 100 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: a view is inlined and takes its catalog column names
SELECT a FROM renamed AS r WHERE r.a > 1;
-- expect:
-- Project "auction" AS a -> (a BIGINT)
--   Filter "auction" > 1 -> (auction BIGINT [r.a])
--     Project "auction" AS auction -> (auction BIGINT [r.a])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: a materialized view is inlined
SELECT * FROM hot WHERE bids > 10;
-- expect:
-- Project "auction" AS auction, "bids" AS bids -> (auction BIGINT, bids BIGINT)
--   Filter "bids" > 10 -> (auction BIGINT [hot.auction], bids BIGINT [hot.bids])
--     Project "auction" AS auction, "count" AS bids -> (auction BIGINT [hot.auction], bids BIGINT [hot.bids])
--       Aggregate keys=[auction] aggs=[count(*)] -> (auction BIGINT [bid.auction], count BIGINT)
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: ORDER BY alias, ordinal and select expression with LIMIT and OFFSET
SELECT auction AS a, price * 2 AS p FROM bid ORDER BY a DESC, 2 NULLS FIRST, price * 2 LIMIT 10 OFFSET 5;
-- expect:
-- SortLimit order=["a" DESC, "p" NULLS FIRST, "p"] limit=10 offset=5 -> (a BIGINT, p BIGINT)
--   Project "auction" AS a, "price" * 2 AS p -> (a BIGINT, p BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: OFFSET without LIMIT
SELECT auction FROM bid OFFSET 3;
-- expect:
-- SortLimit offset=3 -> (auction BIGINT)
--   Project "auction" AS auction -> (auction BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
