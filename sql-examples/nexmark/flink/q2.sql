-- Nexmark q2 (Flink): selection, the bids of every 123rd auction.
CREATE MATERIALIZED VIEW nexmark_q2_flink AS
SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
