-- Nexmark q17 in DuckDB's functions: to_char(ts, 'YYYY-MM-DD') becomes strftime(ts, '%Y-%m-%d').
CREATE MATERIALIZED VIEW nexmark_q17_duckdb AS
    SELECT auction,
           strftime(date_time, '%Y-%m-%d')                           AS day,
           count(*)                                                   AS total_bids,
           count(*) filter (where price < 10000)                      AS rank1_bids,
           count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
           count(*) filter (where price >= 1000000)                   AS rank3_bids,
           min(price)                                                 AS min_price,
           max(price)                                                 AS max_price,
           avg(price)                                                 AS avg_price,
           sum(price)                                                 AS sum_price
    FROM bid
    GROUP BY strftime(date_time, '%Y-%m-%d'), auction;
