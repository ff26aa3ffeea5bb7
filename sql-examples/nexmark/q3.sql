-- Nexmark q3: local item suggestion (an unbounded stream-stream join: its state grows without bound).
-- RisingWave's text compares P.state with lower-case codes; Eddy's generator, like Beam's, produces
-- upper-case ones ('OR', 'ID', 'CA'), so this view stays empty (q3-upper.sql and Flink's text,
-- flink/q3.sql, use the upper-case codes).
CREATE MATERIALIZED VIEW nexmark_q3 AS
    SELECT P.name,
           P.city,
           P.state,
           A.id
    FROM auction AS A
             INNER JOIN person AS P on A.seller = P.id
    WHERE A.category = 10
      and (P.state = 'or' OR P.state = 'id' OR P.state = 'ca');
