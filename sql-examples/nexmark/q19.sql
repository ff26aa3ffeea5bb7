-- Nexmark q19: the 10 highest bids of each auction (top-N with ROW_NUMBER).
CREATE MATERIALIZED VIEW nexmark_q19 AS
    SELECT auction, bidder, price, channel, url, date_time, extra
    FROM (SELECT *,
                 ROW_NUMBER() OVER (
                     PARTITION BY auction
                     ORDER BY price DESC
                 ) AS rank_number
          FROM bid)
    WHERE rank_number <= 10;
