-- Nexmark q0 (Flink): pass through.
CREATE MATERIALIZED VIEW nexmark_q0_flink AS
SELECT auction, bidder, price, date_time, extra FROM bid;
