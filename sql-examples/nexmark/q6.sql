-- Nexmark q6: average selling price by seller over their last 10 closed auctions (RisingWave's
-- e2e text, q6_group_top1). The OVER window runs over a changing input (the top bid per auction):
-- each batch recomputes the touched sellers' windows and emits the difference.
CREATE MATERIALIZED VIEW nexmark_q6 AS
SELECT
    Q.seller,
    AVG(Q.final) OVER
        (PARTITION BY Q.seller ORDER BY Q.date_time ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
    as avg
FROM (
    SELECT ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price) as rank, A.seller, B.price as final,  B.date_time
    FROM auction AS A, bid AS B
    WHERE A.id = B.auction and B.date_time between A.date_time and A.expires
) AS Q
WHERE Q.rank <= 1;
