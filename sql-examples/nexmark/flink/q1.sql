-- Nexmark q1 (Flink): currency conversion.
CREATE MATERIALIZED VIEW nexmark_q1_flink AS
SELECT
    auction,
    bidder,
    0.908 * price as price, -- convert dollar to euro
    date_time,
    extra
FROM bid;
