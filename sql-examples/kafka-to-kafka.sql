-- Kafka to Kafka (docker-compose.yml): bids in, Nexmark q1 and per-auction counts out.
CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, date_time TIMESTAMP, _offset BIGINT)
  WITH (connector = 'kafka', brokers = 'kafka:29092', topic = 'bids', format = 'json',
        on_error = 'dead_letter', dead_letter_topic = 'bids-dlq');
CREATE SINK q1 AS SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid
  WITH (connector = 'kafka', brokers = 'kafka:29092', topic = 'q1');
CREATE SINK bids_per_auction AS SELECT auction, count(*) AS bids, max(price) AS top FROM bid GROUP BY auction
  WITH (connector = 'kafka', brokers = 'kafka:29092', topic = 'bids-per-auction', key = 'auction', output_mode = 'update');
