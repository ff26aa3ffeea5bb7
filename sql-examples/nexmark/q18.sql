-- Nexmark q18: the last bid of each bidder on each auction (dedup with ROW_NUMBER).
CREATE MATERIALIZED VIEW nexmark_q18 AS
    SELECT auction, bidder, price, channel, url, date_time
    FROM (SELECT *,
                 ROW_NUMBER() OVER (
                     PARTITION BY bidder, auction
                     ORDER BY date_time DESC
                     ) AS rank_number
          FROM bid)
    WHERE rank_number <= 1;
