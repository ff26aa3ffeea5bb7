-- Nexmark q0: pass through (RisingWave's text, as a materialized view instead of a blackhole sink).
CREATE MATERIALIZED VIEW nexmark_q0 AS
    SELECT auction, bidder, price, date_time
    FROM bid;
