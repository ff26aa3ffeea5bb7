-- Nexmark q11: user sessions, the bids of each bidder in a session closed by 10 seconds of inactivity.
-- RisingWave's create_sinks.sql leaves q11 out (it had no session windows); this is Flink's q11 in
-- Eddy's SESSION table function form.
CREATE MATERIALIZED VIEW nexmark_q11 AS
    SELECT bidder,
           count(*) as bid_count,
           window_start as starttime,
           window_end as endtime
    FROM SESSION(bid, date_time, INTERVAL '10' SECOND, bidder)
    GROUP BY bidder, window_start, window_end;
