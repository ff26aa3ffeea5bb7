-- Nexmark q14: calculation (RisingWave's text, which leaves out the count_char UDF; Flink's
-- count_char(extra, 'c') is length(extra) - length(replace(extra, 'c', '')) in DuckDB, added here as c_counts).
CREATE MATERIALIZED VIEW nexmark_q14 AS
    SELECT auction,
           bidder,
           0.908 * price as price,
           CASE
               WHEN
                           extract(hour from date_time) >= 8 AND
                           extract(hour from date_time) <= 18
                   THEN 'dayTime'
               WHEN
                           extract(hour from date_time) <= 6 OR
                           extract(hour from date_time) >= 20
                   THEN 'nightTime'
               ELSE 'otherTime'
               END       AS bidTimeType,
           date_time,
           extra,
           length(extra) - length(replace(extra, 'c', '')) AS c_counts
    FROM bid
    WHERE 0.908 * price > 1000000
      AND 0.908 * price < 50000000;
