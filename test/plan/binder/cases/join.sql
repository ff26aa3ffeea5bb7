-- case: inner join renames conflicting right names
SELECT * FROM bid b JOIN auction a ON b.auction = a.id AND a.date_time < b.date_time;
-- expect:
-- Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time, "extra" AS extra, "id" AS id, "item_name" AS item_name, "seller" AS seller, "category" AS category, "date_time_1" AS date_time_1 -> (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, id BIGINT, item_name VARCHAR, seller BIGINT, category BIGINT, date_time_1 TIMESTAMP)
--   Join inner on "auction" = "id" AND "date_time_1" < "date_time" keys=[auction=id] time_bound=[date_time_1 - date_time in [-inf, 0s]] -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra], id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time_1 TIMESTAMP [a.date_time])
--     Scan source bid -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
--     Project "id" AS id, "item_name" AS item_name, "seller" AS seller, "category" AS category, "date_time" AS date_time_1 -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time_1 TIMESTAMP [a.date_time])
--       Scan source auction -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time TIMESTAMP [a.date_time])

-- case: left join with qualified references to renamed fields
SELECT a.date_time AS adt, b.date_time FROM bid b LEFT JOIN auction a ON b.auction = a.id;
-- expect:
-- Project "date_time_1" AS adt, "date_time" AS date_time -> (adt TIMESTAMP, date_time TIMESTAMP)
--   Join left on "auction" = "id" keys=[auction=id] -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra], id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time_1 TIMESTAMP [a.date_time])
--     Scan source bid -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
--     Project "id" AS id, "item_name" AS item_name, "seller" AS seller, "category" AS category, "date_time" AS date_time_1 -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time_1 TIMESTAMP [a.date_time])
--       Scan source auction -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time TIMESTAMP [a.date_time])

-- case: comma join is a cross join
SELECT s.name, p.price FROM stations s, prices p WHERE s.id = p.id;
-- expect:
-- Project "name" AS name, "price" AS price -> (name VARCHAR, price DECIMAL(10,2))
--   Filter "id" = "id_1" -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--     Join cross -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--       Scan table stations -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity])
--       Project "id" AS id_1, "price" AS price -> (id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--         Scan table prices -> (id INTEGER [p.id], price DECIMAL(10,2) [p.price])

-- case: join using merges the column in star
SELECT * FROM stations s JOIN prices p USING (id);
-- expect:
-- Project "id" AS id, "name" AS name, "capacity" AS capacity, "price" AS price -> (id INTEGER, name VARCHAR, capacity INTEGER, price DECIMAL(10,2))
--   Join inner on "id" = "id_1" keys=[id=id_1] -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--     Scan table stations -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity])
--     Project "id" AS id_1, "price" AS price -> (id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--       Scan table prices -> (id INTEGER [p.id], price DECIMAL(10,2) [p.price])

-- case: right join using: the merged column is the right one
SELECT id, s.id AS sid, p.id AS pid FROM stations s RIGHT JOIN prices p USING (id);
-- expect:
-- Project "id_1" AS id, "id" AS sid, "id_1" AS pid -> (id INTEGER, sid INTEGER, pid INTEGER)
--   Join right on "id" = "id_1" keys=[id=id_1] -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--     Scan table stations -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity])
--     Project "id" AS id_1, "price" AS price -> (id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--       Scan table prices -> (id INTEGER [p.id], price DECIMAL(10,2) [p.price])

-- case: full join using coalesces
SELECT id FROM stations s FULL JOIN prices p USING (id);
-- expect:
-- Project "id_2" AS id -> (id INTEGER)
--   Project "id" AS id, "name" AS name, "capacity" AS capacity, "id_1" AS id_1, "price" AS price, COALESCE("id", "id_1") AS id_2 -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price], id_2 INTEGER [id])
--     Join full on "id" = "id_1" keys=[id=id_1] -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--       Scan table stations -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity])
--       Project "id" AS id_1, "price" AS price -> (id_1 INTEGER [p.id], price DECIMAL(10,2) [p.price])
--         Scan table prices -> (id INTEGER [p.id], price DECIMAL(10,2) [p.price])

-- case: stream-table join with a view and three relations
SELECT b.auction, s.name, v.price FROM bid b
  JOIN stations s ON b.bidder = s.id
  CROSS JOIN big_bids v;
-- expect:
-- Project "auction" AS auction, "name" AS name, "price_1" AS price -> (auction BIGINT, name VARCHAR, price BIGINT)
--   Join cross -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra], id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity], auction_1 BIGINT [v.auction], price_1 BIGINT [v.price])
--     Join inner on "bidder" = "id" keys=[bidder=id] -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra], id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity])
--       Scan source bid -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
--       Scan table stations -> (id INTEGER [s.id], name VARCHAR [s.name], capacity INTEGER [s.capacity])
--     Project "auction" AS auction_1, "price" AS price_1 -> (auction_1 BIGINT [v.auction], price_1 BIGINT [v.price])
--       Project "auction" AS auction, "price" AS price -> (auction BIGINT [v.auction], price BIGINT [v.price])
--         Filter "price" > 100 -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])
--           Scan source bid -> (auction BIGINT [bid.auction], bidder BIGINT [bid.bidder], price BIGINT [bid.price], channel VARCHAR [bid.channel], url VARCHAR [bid.url], date_time TIMESTAMP [bid.date_time], extra VARCHAR [bid.extra])

-- case: time-bounded join shows its bound
SELECT b.price, a.item_name FROM auction a JOIN bid b ON b.auction = a.id AND b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '90' MINUTE;
-- expect:
-- Project "price" AS price, "item_name" AS item_name -> (price BIGINT, item_name VARCHAR)
--   Join inner on "auction" = "id" AND "date_time_1" BETWEEN "date_time" AND "date_time" + INTERVAL '90' MINUTE keys=[id=auction] time_bound=[date_time_1 - date_time in [0s, 90min]] -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time TIMESTAMP [a.date_time], auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time_1 TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
--     Scan source auction -> (id BIGINT [a.id], item_name VARCHAR [a.item_name], seller BIGINT [a.seller], category BIGINT [a.category], date_time TIMESTAMP [a.date_time])
--     Project "auction" AS auction, "bidder" AS bidder, "price" AS price, "channel" AS channel, "url" AS url, "date_time" AS date_time_1, "extra" AS extra -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time_1 TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
--       Scan source bid -> (auction BIGINT [b.auction], bidder BIGINT [b.bidder], price BIGINT [b.price], channel VARCHAR [b.channel], url VARCHAR [b.url], date_time TIMESTAMP [b.date_time], extra VARCHAR [b.extra])
