-- case: group by with all supported aggregates
SELECT auction, count(*), count(bidder), count(DISTINCT bidder), sum(price), avg(price), min(price), max(date_time)
FROM bid GROUP BY auction;
-- expect:
-- Project "auction" AS auction, "count" AS count_star(), "count_bidder" AS count(bidder), "count_bidder_1" AS count(DISTINCT bidder), "sum_price" AS sum(price), "avg_price" AS avg(price), "min_price" AS min(price), "max_date_time" AS max(date_time) -> (auction BIGINT, count_star() BIGINT, count(bidder) BIGINT, count(DISTINCT bidder) BIGINT, sum(price) HUGEINT, avg(price) DOUBLE, min(price) BIGINT, max(date_time) TIMESTAMP)
--   Aggregate keys=[auction] aggs=[count(*), count(bidder), count(DISTINCT bidder), sum(price), avg(price), min(price), max(date_time)] -> (auction BIGINT [bid.auction], count BIGINT, count_bidder BIGINT, count_bidder_1 BIGINT, sum_price HUGEINT, avg_price DOUBLE, min_price BIGINT, max_date_time TIMESTAMP)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: aggregate filter, having and expressions over aggregates and keys
SELECT auction + 1 AS next, sum(price) / count(*) AS mean, count(*) FILTER (WHERE price > 10) AS big
FROM bid GROUP BY auction HAVING count(*) > 1;
-- expect:
-- Project "auction" + 1 AS next, "sum_price" / "count" AS mean, "count_1" AS big -> (next BIGINT, mean DOUBLE, big BIGINT)
--   Filter "count" > 1 -> (auction BIGINT [bid.auction], sum_price HUGEINT, count BIGINT, count_1 BIGINT)
--     Aggregate keys=[auction] aggs=[sum(price), count(*), count(*) FILTER (WHERE "count_filter")] -> (auction BIGINT [bid.auction], sum_price HUGEINT, count BIGINT, count_1 BIGINT)
--       Project "auction" AS auction, "price" AS price, "price" > 10 AS count_filter -> (auction BIGINT [bid.auction], price BIGINT [bid.price], count_filter BOOLEAN)
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: group by an expression used textually in the select list
SELECT auction + bidder, date_trunc('hour', date_time) AS hour, count(*) AS n
FROM bid GROUP BY auction + bidder, date_trunc('hour', date_time);
-- expect:
-- Project "key" AS (auction + bidder), "key_1" AS hour, "count" AS n -> ((auction + bidder) BIGINT, hour TIMESTAMP, n BIGINT)
--   Aggregate keys=[key, key_1] aggs=[count(*)] -> (key BIGINT, key_1 TIMESTAMP, count BIGINT)
--     Project "auction" + "bidder" AS key, date_trunc('hour', "date_time") AS key_1 -> (key BIGINT, key_1 TIMESTAMP)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: group by ordinal and alias
SELECT channel AS c, date_trunc('day', date_time) AS day, max(price) FROM bid GROUP BY c, 2;
-- expect:
-- Project "channel" AS c, "key" AS day, "max_price" AS max(price) -> (c VARCHAR, day TIMESTAMP, max(price) BIGINT)
--   Aggregate keys=[channel, key] aggs=[max(price)] -> (channel VARCHAR [bid.channel], key TIMESTAMP, max_price BIGINT)
--     Project "channel" AS channel, "price" AS price, date_trunc('day', "date_time") AS key -> (channel VARCHAR [bid.channel], price BIGINT [bid.price], key TIMESTAMP)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: aggregate without group by
SELECT count(*), sum(price) FROM bid WHERE price > 1;
-- expect:
-- Project "count" AS count_star(), "sum_price" AS sum(price) -> (count_star() BIGINT, sum(price) HUGEINT)
--   Aggregate keys=[] aggs=[count(*), sum(price)] -> (count BIGINT, sum_price HUGEINT)
--     Filter "price" > 1 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: identical aggregate calls are computed once
SELECT sum(price) AS a, sum(price) * 2 AS b FROM bid;
-- expect:
-- Project "sum_price" AS a, "sum_price" * 2 AS b -> (a HUGEINT, b HUGEINT)
--   Aggregate keys=[] aggs=[sum(price)] -> (sum_price HUGEINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: aggregate types follow DuckDB (sum of DECIMAL and INTEGER)
SELECT sum(price), avg(price), sum(p.id) FROM prices p;
-- expect:
-- Project "sum_price" AS sum(price), "avg_price" AS avg(price), "sum_id" AS sum(p.id) -> (sum(price) DECIMAL(38,2), avg(price) DOUBLE, sum(p.id) HUGEINT)
--   Aggregate keys=[] aggs=[sum(price), avg(price), sum(id)] -> (sum_price DECIMAL(38,2), avg_price DOUBLE, sum_id HUGEINT)
--     Scan table prices -> (id INTEGER [p.id], price DECIMAL(10,2) [p.price])

-- case: group by a qualified column over a join
SELECT a.category, count(*) AS bids FROM bid b JOIN auction a ON b.auction = a.id GROUP BY a.category ORDER BY bids DESC LIMIT 3;
-- expect:
-- SortLimit order=["bids" DESC] limit=3 -> (category BIGINT, bids BIGINT)
--   Project "category" AS category, "count" AS bids -> (category BIGINT, bids BIGINT)
--     Aggregate keys=[category] aggs=[count(*)] -> (category BIGINT [a.category], count BIGINT)
--       Join inner on "auction" = "id" keys=[auction=id] -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra], id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time_1 TIMESTAMP [a.date_time])
--         Scan source bid -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
--         Project "id" AS id, "item_name" AS item_name, "seller" AS seller, "category" AS category, "date_time" AS date_time_1 -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time_1 TIMESTAMP [a.date_time])
--           Scan source auction -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time TIMESTAMP [a.date_time])

-- case: select distinct over an aggregate
SELECT DISTINCT count(*) AS n FROM bid GROUP BY auction;
-- expect:
-- Distinct -> (n BIGINT)
--   Project "count" AS n -> (n BIGINT)
--     Aggregate keys=[auction] aggs=[count(*)] -> (auction BIGINT [bid.auction], count BIGINT)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: general aggregates: every DuckDB aggregate, constants kept in the call
SELECT auction, median(price), string_agg(url, ','), quantile_cont(price, 0.9), arg_max(bidder, price), count_if(price > 10)
FROM bid GROUP BY auction;
-- expect:
-- Project "auction" AS auction, "median" AS median(price), "string_agg" AS string_agg(url, ','), "quantile_cont" AS quantile_cont(price, 0.9), "arg_max" AS arg_max(bidder, price), "count_if" AS count_if((price > 10)) -> (auction BIGINT, median(price) DOUBLE, string_agg(url, ',') VARCHAR, quantile_cont(price, 0.9) DOUBLE, arg_max(bidder, price) BIGINT, count_if((price > 10)) HUGEINT)
--   Aggregate keys=[auction] aggs=[median("price"), string_agg("url", ','), quantile_cont("price", 0.9), arg_max("bidder", "price"), count_if("count_if_arg")] -> (auction BIGINT [bid.auction], median DOUBLE, string_agg VARCHAR, quantile_cont DOUBLE, arg_max BIGINT, count_if HUGEINT)
--     Project "auction" AS auction, "price" AS price, "url" AS url, "bidder" AS bidder, "price" > 10 AS count_if_arg -> (auction BIGINT [bid.auction], price BIGINT [bid.price], url VARCHAR [bid.url], bidder BIGINT [bid.bidder], count_if_arg BOOLEAN)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: ORDER BY, DISTINCT and FILTER inside calls node-sql-parser reads only through marks
SELECT list(DISTINCT price ORDER BY price DESC NULLS LAST) FILTER (WHERE bidder > 1 AND price < 100), first(url ORDER BY date_time), sum(DISTINCT price), avg(DISTINCT price)
FROM bid;
-- expect:
-- Project "list" AS list_sort(list(DISTINCT price) FILTER (WHERE ((bidder > 1) AND (price < 100))), 'DESCENDING', 'NULLS LAST'), "first" AS "first"(url ORDER BY date_time), "sum" AS sum(DISTINCT price), "avg" AS avg(DISTINCT price) -> (list_sort(list(DISTINCT price) FILTER (WHERE ((bidder > 1) AND (price < 100))), 'DESCENDING', 'NULLS LAST') BIGINT[], "first"(url ORDER BY date_time) VARCHAR, sum(DISTINCT price) HUGEINT, avg(DISTINCT price) DOUBLE)
--   Aggregate keys=[] aggs=[list(DISTINCT "price" ORDER BY "price" DESC NULLS LAST) FILTER (WHERE "list_filter"), first("url" ORDER BY "date_time"), sum(DISTINCT "price"), avg(DISTINCT "price")] -> (list BIGINT[], first VARCHAR, sum HUGEINT, avg DOUBLE)
--     Project "price" AS price, "url" AS url, "date_time" AS date_time, "bidder" > 1 AND "price" < 100 AS list_filter -> (price BIGINT [bid.price], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], list_filter BOOLEAN)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: WITHIN GROUP, and a call written twice computed once
SELECT auction, percentile_cont(0.5) WITHIN GROUP (ORDER BY price), percentile_disc(0.5) WITHIN GROUP (ORDER BY price DESC), median(price) + 1, median(price) - 1
FROM bid GROUP BY auction;
-- expect:
-- Project "auction" AS auction, "percentile_cont" AS quantile_cont(0.5 ORDER BY price ASC), "percentile_disc" AS quantile_disc(0.5 ORDER BY price DESC), "median" + 1 AS (median(price) + 1), "median" - 1 AS (median(price) - 1) -> (auction BIGINT, quantile_cont(0.5 ORDER BY price ASC) DOUBLE, quantile_disc(0.5 ORDER BY price DESC) BIGINT, (median(price) + 1) DOUBLE, (median(price) - 1) DOUBLE)
--   Aggregate keys=[auction] aggs=[percentile_cont(0.5) WITHIN GROUP (ORDER BY "price"), percentile_disc(0.5) WITHIN GROUP (ORDER BY "price" DESC), median("price")] -> (auction BIGINT [bid.auction], percentile_cont DOUBLE, percentile_disc BIGINT, median DOUBLE)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: variance, stddev and bool_and/or are accumulators under DuckDB's names for them
SELECT auction, variance(price), stddev(price), var_pop(price), stddev_pop(price), bool_and(price > 1), bool_or(DISTINCT price > 2), mean(price), stddev(DISTINCT price)
FROM bid GROUP BY auction;
-- expect:
-- Project "auction" AS auction, "var_samp_price" AS variance(price), "stddev_samp_price" AS stddev(price), "var_pop_price" AS var_pop(price), "stddev_pop_price" AS stddev_pop(price), "bool_and" AS bool_and((price > 1)), "bool_or" AS bool_or(DISTINCT (price > 2)), "avg_price" AS mean(price), "stddev" AS stddev(DISTINCT price) -> (auction BIGINT, variance(price) DOUBLE, stddev(price) DOUBLE, var_pop(price) DOUBLE, stddev_pop(price) DOUBLE, bool_and((price > 1)) BOOLEAN, bool_or(DISTINCT (price > 2)) BOOLEAN, mean(price) DOUBLE, stddev(DISTINCT price) DOUBLE)
--   Aggregate keys=[auction] aggs=[var_samp(price), stddev_samp(price), var_pop(price), stddev_pop(price), bool_and(bool_and_arg), bool_or(bool_or_arg), avg(price), stddev(DISTINCT "price")] -> (auction BIGINT [bid.auction], var_samp_price DOUBLE, stddev_samp_price DOUBLE, var_pop_price DOUBLE, stddev_pop_price DOUBLE, bool_and BOOLEAN, bool_or BOOLEAN, avg_price DOUBLE, stddev DOUBLE)
--     Project "auction" AS auction, "price" AS price, "price" > 1 AS bool_and_arg, "price" > 2 AS bool_or_arg -> (auction BIGINT [bid.auction], price BIGINT [bid.price], bool_and_arg BOOLEAN, bool_or_arg BOOLEAN)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
