-- Nexmark q3 (Flink): local item suggestion.
CREATE MATERIALIZED VIEW nexmark_q3_flink AS
SELECT
    P.name, P.city, P.state, A.id
FROM
    auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE
    A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
