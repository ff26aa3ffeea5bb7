-- Eddy quickstart: the Nexmark auction stream, three continuous queries over it, and pull queries.
-- Run it once:          npx eddy run sql-examples/quickstart.sql
-- Keep it running:      npm start   (eddy serve --init sql-examples/quickstart.sql)

-- Unbounded input tables. The nexmark connector generates people, auctions and bids in real time.
CREATE SOURCE person WITH (connector = 'nexmark', table = 'person', events_per_second = 1000);
CREATE SOURCE auction WITH (connector = 'nexmark', table = 'auction', events_per_second = 1000);
CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events_per_second = 1000);

-- A static, mutable table: the lookup side of a stream-table join.
CREATE TABLE channel_owner (channel VARCHAR PRIMARY KEY, owner VARCHAR);
INSERT INTO channel_owner VALUES ('Google', 'Alphabet'), ('Facebook', 'Meta'), ('Baidu', 'Baidu'), ('Apple', 'Apple');

-- Continuous queries: each result is kept up to date, batch by batch, as bids arrive.
CREATE MATERIALIZED VIEW bids_per_auction AS
  SELECT auction, count(*) AS bids, max(price) AS top_price
  FROM bid
  GROUP BY auction;

CREATE MATERIALIZED VIEW avg_price_per_channel AS
  SELECT channel, count(*) AS bids, avg(price) AS avg_price
  FROM bid
  GROUP BY channel;

CREATE MATERIALIZED VIEW bids_per_owner AS
  SELECT o.owner, count(*) AS bids, sum(b.price) AS volume
  FROM bid AS b JOIN channel_owner AS o ON b.channel = o.channel
  GROUP BY o.owner;

-- Pull queries: plain SQL over the current results.
SELECT * FROM bids_per_auction ORDER BY bids DESC, auction LIMIT 5;
SELECT channel, bids, round(avg_price, 2) AS avg_price FROM avg_price_per_channel ORDER BY bids DESC, channel LIMIT 5;
SELECT * FROM bids_per_owner ORDER BY owner;
