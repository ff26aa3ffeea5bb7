-- Nexmark q6 (Flink): average selling price by seller. Not supported by Flink either (an OVER window
-- over a retracting input) nor by Eddy; see docs/SQL.md, "Nexmark coverage".
CREATE MATERIALIZED VIEW nexmark_q6_flink AS
SELECT
    Q.seller,
    AVG(Q.price) OVER
        (PARTITION BY Q.seller ORDER BY Q.date_time ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY A.id, A.seller ORDER BY B.price DESC) AS rownum
    FROM (SELECT A.id, A.seller, B.price, B.date_time
        FROM auction AS A,
            bid AS B
        WHERE A.id = B.auction
            and B.date_time between A.date_time and A.expires)
    WHERE rownum <= 1
) AS Q;
