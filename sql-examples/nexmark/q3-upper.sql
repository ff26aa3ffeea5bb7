-- Nexmark q3 with the upper-case state codes Eddy's generator produces (see q3.sql).
CREATE MATERIALIZED VIEW nexmark_q3_upper AS
    SELECT P.name,
           P.city,
           P.state,
           A.id
    FROM auction AS A
             INNER JOIN person AS P on A.seller = P.id
    WHERE A.category = 10
      and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
