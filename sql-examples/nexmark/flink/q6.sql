-- Nexmark q6 (Flink): average selling price by seller. Flink cannot run it (an OVER window over a
-- retracting input), and neither can Eddy as written: its inner WHERE refers to the ROW_NUMBER alias
-- of the same SELECT, which SQL evaluates after WHERE (column "rownum" does not exist). RisingWave's
-- text, ../q6.sql, runs.
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
