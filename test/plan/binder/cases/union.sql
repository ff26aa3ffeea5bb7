-- case: union all casts inputs to the unified type
SELECT auction FROM bid UNION ALL SELECT id FROM stations UNION ALL SELECT category FROM auction;
-- expect:
-- UnionAll inputs=3 -> (auction BIGINT)
--   Project "auction" AS auction -> (auction BIGINT)
--     Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--   Project CAST("id" AS BIGINT) AS id -> (id BIGINT)
--     Project "id" AS id -> (id INTEGER)
--       Scan table stations -> (id INTEGER [stations.id], name VARCHAR [stations.name], capacity INTEGER [stations.capacity])
--   Project "category" AS category -> (category BIGINT)
--     Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])

-- case: union is distinct over the union
SELECT auction, price FROM bid UNION SELECT id, price FROM prices ORDER BY 1 LIMIT 5;
-- expect:
-- SortLimit order=["auction"] limit=5 -> (auction BIGINT, price DECIMAL(21,2))
--   Distinct -> (auction BIGINT, price DECIMAL(21,2))
--     UnionAll inputs=2 -> (auction BIGINT, price DECIMAL(21,2))
--       Project "auction" AS auction, CAST("price" AS DECIMAL(21,2)) AS price -> (auction BIGINT, price DECIMAL(21,2))
--         Project "auction" AS auction, "price" AS price -> (auction BIGINT, price BIGINT)
--           Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--       Project CAST("id" AS BIGINT) AS id, CAST("price" AS DECIMAL(21,2)) AS price -> (id BIGINT, price DECIMAL(21,2))
--         Project "id" AS id, "price" AS price -> (id INTEGER, price DECIMAL(10,2))
--           Scan table prices -> (id INTEGER [prices.id], price DECIMAL(10,2) [prices.price])

-- case: mixed union and union all
SELECT auction FROM bid UNION ALL SELECT id FROM auction UNION SELECT seller FROM auction;
-- expect:
-- Distinct -> (auction BIGINT)
--   UnionAll inputs=3 -> (auction BIGINT)
--     Project "auction" AS auction -> (auction BIGINT)
--       Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--     Project "id" AS id -> (id BIGINT)
--       Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])
--     Project "seller" AS seller -> (seller BIGINT)
--       Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])

-- case: union inside a CTE
WITH ids AS (SELECT auction AS x FROM bid UNION ALL SELECT id FROM auction)
SELECT x, count(*) FROM ids GROUP BY x;
-- expect:
-- Project "x" AS x, "count" AS count_star() -> (x BIGINT, count_star() BIGINT)
--   Aggregate keys=[x] aggs=[count(*)] -> (x BIGINT [ids.x], count BIGINT)
--     UnionAll inputs=2 -> (x BIGINT [ids.x])
--       Project "auction" AS x -> (x BIGINT)
--         Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--       Project "id" AS id -> (id BIGINT)
--         Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])

-- case: INTERSECT and EXCEPT as counts per side; INTERSECT binds tighter than UNION
SELECT auction FROM bid UNION SELECT id FROM auction INTERSECT SELECT seller FROM auction EXCEPT SELECT bidder FROM bid;
-- expect:
-- Project "auction" AS auction -> (auction BIGINT)
--   Filter "__eddy_in_left" > 0 AND "__eddy_in_right" = 0 -> (auction BIGINT, __eddy_in_left BIGINT, __eddy_in_right BIGINT)
--     Aggregate keys=[auction] aggs=[count(*) FILTER (WHERE "__eddy_left"), count(*) FILTER (WHERE NOT "__eddy_left")] -> (auction BIGINT, __eddy_in_left BIGINT, __eddy_in_right BIGINT)
--       UnionAll inputs=2 -> (auction BIGINT, __eddy_left BOOLEAN)
--         Project "auction" AS auction, TRUE AS __eddy_left -> (auction BIGINT, __eddy_left BOOLEAN)
--           Distinct -> (auction BIGINT)
--             UnionAll inputs=2 -> (auction BIGINT)
--               Project "auction" AS auction -> (auction BIGINT)
--                 Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--               Project "auction" AS auction -> (auction BIGINT)
--                 Filter "__eddy_in_left" > 0 AND "__eddy_in_right" > 0 -> (auction BIGINT, __eddy_in_left BIGINT, __eddy_in_right BIGINT)
--                   Aggregate keys=[auction] aggs=[count(*) FILTER (WHERE "__eddy_left"), count(*) FILTER (WHERE NOT "__eddy_left")] -> (auction BIGINT, __eddy_in_left BIGINT, __eddy_in_right BIGINT)
--                     UnionAll inputs=2 -> (auction BIGINT, __eddy_left BOOLEAN)
--                       Project "id" AS auction, TRUE AS __eddy_left -> (auction BIGINT, __eddy_left BOOLEAN)
--                         Project "id" AS id -> (id BIGINT)
--                           Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])
--                       Project "seller" AS auction, FALSE AS __eddy_left -> (auction BIGINT, __eddy_left BOOLEAN)
--                         Project "seller" AS seller -> (seller BIGINT)
--                           Scan source auction -> (id BIGINT [auction.id], item_name VARCHAR [auction.item_name], seller BIGINT [auction.seller], category BIGINT [auction.category], date_time TIMESTAMP [auction.date_time])
--         Project "bidder" AS auction, FALSE AS __eddy_left -> (auction BIGINT, __eddy_left BOOLEAN)
--           Project "bidder" AS bidder -> (bidder BIGINT)
--             Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
