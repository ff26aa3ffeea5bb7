-- case: tumble in Eddy's form, grouped by window
SELECT auction, window_start, window_end, count(*) AS bids FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY auction, window_start, window_end;
-- expect:
-- Project "auction" AS auction, "window_start" AS window_start, "window_end" AS window_end, "count" AS bids -> (auction BIGINT, window_start TIMESTAMP, window_end TIMESTAMP, bids BIGINT)
--   Aggregate keys=[auction, window_start, window_end] aggs=[count(*)] -> (auction BIGINT [bid.auction], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end], count BIGINT)
--     Window TUMBLE(INTERVAL '10' SECOND) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: tumble in Flink's form
SELECT window_start, max(price) FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '1' MINUTE)) GROUP BY window_start;
-- expect:
-- Project "window_start" AS window_start, "max_price" AS max(price) -> (window_start TIMESTAMP, max(price) BIGINT)
--   Aggregate keys=[window_start] aggs=[max(price)] -> (window_start TIMESTAMP [bid.window_start], max_price BIGINT)
--     Window TUMBLE(INTERVAL '1' MINUTE) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: tumble with an alias and qualified window columns
SELECT t.auction, t.window_end FROM TUMBLE(bid, date_time, INTERVAL '10 seconds') AS t;
-- expect:
-- Project "auction" AS auction, "window_end" AS window_end -> (auction BIGINT, window_end TIMESTAMP)
--   Window TUMBLE(INTERVAL '10 seconds') time=date_time -> (auction BIGINT [t.auction], bidder BIGINT [t.bidder], price BIGINT [t.price], channel VARCHAR [t.channel], url VARCHAR [t.url], date_time TIMESTAMP [t.date_time], extra VARCHAR [t.extra], window_start TIMESTAMP [t.window_start], window_end TIMESTAMP [t.window_end])
--     Scan source bid -> (auction BIGINT [t.auction], bidder BIGINT [t.bidder], price BIGINT [t.price], channel VARCHAR [t.channel], url VARCHAR [t.url], date_time TIMESTAMP [t.date_time], extra VARCHAR [t.extra])

-- case: window columns are qualified by the relation's name without an alias
SELECT bid.auction, bid.window_start FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND);
-- expect:
-- Project "auction" AS auction, "window_start" AS window_start -> (auction BIGINT, window_start TIMESTAMP)
--   Window HOP(INTERVAL '2' SECOND, INTERVAL '10' SECOND) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: hop in Flink's form
SELECT * FROM TABLE(HOP(TABLE bid, DESCRIPTOR(date_time), INTERVAL '5' MINUTE, INTERVAL '1' HOUR));
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, "window_start" AS window_start, "window_end" AS window_end -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, window_start TIMESTAMP, window_end TIMESTAMP)
--   Window HOP(INTERVAL '5' MINUTE, INTERVAL '1' HOUR) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: session window
SELECT window_start, window_end, count(*) FROM SESSION(bid, date_time, INTERVAL '30' MINUTE) GROUP BY window_start, window_end;
-- expect:
-- Project "window_start" AS window_start, "window_end" AS window_end, "count" AS count_star() -> (window_start TIMESTAMP, window_end TIMESTAMP, count_star() BIGINT)
--   Aggregate keys=[window_start, window_end] aggs=[count(*)] -> (window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end], count BIGINT)
--     Window SESSION(INTERVAL '30' MINUTE) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: session window partitioned by trailing columns
SELECT bidder, window_start, count(*) FROM SESSION(bid, date_time, INTERVAL '10' SECOND, bidder) GROUP BY bidder, window_start;
-- expect:
-- Project "bidder" AS bidder, "window_start" AS window_start, "count" AS count_star() -> (bidder BIGINT, window_start TIMESTAMP, count_star() BIGINT)
--   Aggregate keys=[bidder, window_start] aggs=[count(*)] -> (bidder BIGINT [bid.bidder], window_start TIMESTAMP [bid.window_start], count BIGINT)
--     Window SESSION(INTERVAL '10' SECOND) time=date_time partition=[bidder] -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: session in Flink's form
SELECT * FROM TABLE(SESSION(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND));
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, "window_start" AS window_start, "window_end" AS window_end -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, window_start TIMESTAMP, window_end TIMESTAMP)
--   Window SESSION(INTERVAL '10' SECOND) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: window over a view, a CTE and a subquery
WITH c AS (SELECT auction, date_time FROM bid WHERE price > 10)
SELECT w.auction, v.window_start FROM TUMBLE(c, date_time, INTERVAL '1' HOUR) w
JOIN TUMBLE((SELECT id, date_time FROM auction), date_time, INTERVAL '1' HOUR) v ON w.auction = v.id AND w.window_start = v.window_start;
-- expect:
-- Project "auction" AS auction, "window_start_1" AS window_start -> (auction BIGINT, window_start TIMESTAMP)
--   Join inner on "auction" = "id" AND "window_start" = "window_start_1" keys=[auction=id, window_start=window_start_1] time_bound=[window_start_1 - window_start in [0s, 0s]] -> (auction BIGINT [w.auction], date_time TIMESTAMP [w.date_time], window_start TIMESTAMP [w.window_start], window_end TIMESTAMP [w.window_end], id BIGINT [v.id], date_time_1 TIMESTAMP [v.date_time], window_start_1 TIMESTAMP [v.window_start], window_end_1 TIMESTAMP [v.window_end])
--     Window TUMBLE(INTERVAL '1' HOUR) time=date_time -> (auction BIGINT [w.auction], date_time TIMESTAMP [w.date_time], window_start TIMESTAMP [w.window_start], window_end TIMESTAMP [w.window_end])
--       Project "auction" AS auction, "date_time" AS date_time -> (auction BIGINT [w.auction], date_time TIMESTAMP [w.date_time])
--         Filter "price" > 10 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--           Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--     Project "id" AS id, "date_time" AS date_time_1, "window_start" AS window_start_1, "window_end" AS window_end_1 -> (id BIGINT [v.id], date_time_1 TIMESTAMP [v.date_time], window_start_1 TIMESTAMP [v.window_start], window_end_1 TIMESTAMP [v.window_end])
--       Window TUMBLE(INTERVAL '1' HOUR) time=date_time -> (id BIGINT [v.id], date_time TIMESTAMP [v.date_time], window_start TIMESTAMP [v.window_start], window_end TIMESTAMP [v.window_end])
--         Project "id" AS id, "date_time" AS date_time -> (id BIGINT [v.id], date_time TIMESTAMP [v.date_time])
--           Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])

-- case: window over a timestamptz column keeps its type
SELECT window_start, count(*) FROM TUMBLE(clicks, ts, INTERVAL '1' DAY) GROUP BY window_start;
-- expect:
-- Project "window_start" AS window_start, "count" AS count_star() -> (window_start TIMESTAMP WITH TIME ZONE, count_star() BIGINT)
--   Aggregate keys=[window_start] aggs=[count(*)] -> (window_start TIMESTAMP WITH TIME ZONE [clicks.window_start], count BIGINT)
--     Window TUMBLE(INTERVAL '1' DAY) time=ts -> (user_id BIGINT [clicks.user_id], page VARCHAR [clicks.page], ts TIMESTAMP WITH TIME ZONE [clicks.ts], day DATE [clicks.day], window_start TIMESTAMP WITH TIME ZONE [clicks.window_start], window_end TIMESTAMP WITH TIME ZONE [clicks.window_end])
--       Scan source clicks -> (user_id BIGINT [clicks.user_id], page VARCHAR [clicks.page], ts TIMESTAMP WITH TIME ZONE [clicks.ts], day DATE [clicks.day])

-- case: nested windows get unique field names
SELECT window_start FROM TUMBLE((SELECT auction, window_start AS date_time FROM TUMBLE(bid, date_time, INTERVAL '1' SECOND)), date_time, INTERVAL '1' MINUTE);
-- expect:
-- Project "window_start" AS window_start -> (window_start TIMESTAMP)
--   Window TUMBLE(INTERVAL '1' MINUTE) time=date_time -> (auction BIGINT, date_time TIMESTAMP, window_start TIMESTAMP, window_end TIMESTAMP)
--     Project "auction" AS auction, "window_start" AS date_time -> (auction BIGINT, date_time TIMESTAMP)
--       Window TUMBLE(INTERVAL '1' SECOND) time=date_time -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra], window_start TIMESTAMP [bid.window_start], window_end TIMESTAMP [bid.window_end])
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: time column must be a timestamp
SELECT * FROM TUMBLE(bid, price, INTERVAL '10' SECOND);
-- error: DATATYPE_MISMATCH 1:27
-- message: "price"

-- case: date is not a window time column
SELECT * FROM TUMBLE(clicks, day, INTERVAL '10' SECOND);
-- error: DATATYPE_MISMATCH 1:30

-- case: unknown time column
SELECT * FROM TUMBLE(bid, ts, INTERVAL '10' SECOND);
-- error: UNDEFINED_COLUMN 1:27

-- case: unknown relation
SELECT * FROM TUMBLE(nope, ts, INTERVAL '10' SECOND);
-- error: UNDEFINED_TABLE 1:22

-- case: month-based sizes are rejected
SELECT * FROM TUMBLE(bid, date_time, INTERVAL '1' MONTH);
-- error: INVALID_PARAMETER 1:38
-- message: months

-- case: size must be an interval
SELECT * FROM TUMBLE(bid, date_time, 10);
-- error: INVALID_PARAMETER 1:38

-- case: hop size must be a multiple of the slide
SELECT * FROM HOP(bid, date_time, INTERVAL '3' SECOND, INTERVAL '10' SECOND);
-- error: INVALID_PARAMETER 1:56

-- case: wrong argument count
SELECT * FROM TUMBLE(bid, date_time);
-- error: INVALID_PARAMETER 1:15

-- case: other table functions stay unsupported
SELECT * FROM generate_series(1, 3);
-- error: FEATURE_NOT_SUPPORTED 1:15
