-- Nexmark q21 in DuckDB's functions: (regexp_match(url, re))[2] becomes nullif(regexp_extract(url, re, 2), '')
-- (regexp_extract returns '' where PostgreSQL's regexp_match returns NULL).
CREATE MATERIALIZED VIEW nexmark_q21_duckdb AS
    SELECT auction,
           bidder,
           price,
           channel,
           CASE
               WHEN LOWER(channel) = 'apple' THEN '0'
               WHEN LOWER(channel) = 'google' THEN '1'
               WHEN LOWER(channel) = 'facebook' THEN '2'
               WHEN LOWER(channel) = 'baidu' THEN '3'
               ELSE nullif(regexp_extract(url, '(&|^)channel_id=([^&]*)', 2), '')
               END
               AS channel_id
    FROM bid
    WHERE nullif(regexp_extract(url, '(&|^)channel_id=([^&]*)', 2), '') is not null
       or LOWER(channel) in ('apple', 'google', 'facebook', 'baidu');
