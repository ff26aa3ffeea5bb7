-- Nexmark q10 in DuckDB's functions: to_char(ts, 'YYYY-MM-DD') / 'HH:MI' become strftime(ts, '%Y-%m-%d') /
-- '%I:%M' (PostgreSQL's HH is the 12-hour hour).
CREATE MATERIALIZED VIEW nexmark_q10_duckdb AS
    SELECT auction,
           bidder,
           price,
           date_time,
           strftime(date_time, '%Y-%m-%d') as date,
           strftime(date_time, '%I:%M') as time
    FROM bid;
