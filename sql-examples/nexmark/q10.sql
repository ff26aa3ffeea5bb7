-- Nexmark q10: log to a partitioned file system (here: the partition values as columns).
CREATE MATERIALIZED VIEW nexmark_q10 AS
    SELECT auction,
           bidder,
           price,
           date_time,
           TO_CHAR(date_time, 'YYYY-MM-DD') as date,
           TO_CHAR(date_time, 'HH:MI')      as time
    FROM bid;
