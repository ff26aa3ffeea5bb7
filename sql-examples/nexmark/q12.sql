-- Nexmark q12: bids per bidder in 10-second processing-time windows. Not supported: Eddy has no
-- processing-time column (p_time, proctime()); see docs/SQL.md, "Nexmark coverage".
CREATE MATERIALIZED VIEW nexmark_q12 AS
    SELECT bidder,
           count(*) as bid_count,
           window_start,
           window_end
    FROM
           TUMBLE(bid, p_time, INTERVAL '10' SECOND)
    GROUP BY
           bidder,
           window_start,
           window_end;
