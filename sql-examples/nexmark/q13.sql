-- Nexmark q13: bounded side input join. RisingWave's create_sinks.sql leaves q13 out; in Flink the side
-- input is a file joined FOR SYSTEM_TIME AS OF proctime. In Eddy the side input is a table, joined the
-- same way: each bid looks the table up as it is when the bid's batch runs (a lookup, no state).
CREATE TABLE side_input (key BIGINT PRIMARY KEY, value VARCHAR);
INSERT INTO side_input SELECT i, 'value_' || i FROM range(10000) AS t(i);
CREATE MATERIALIZED VIEW nexmark_q13 AS
    SELECT B.auction,
           B.bidder,
           B.price,
           B.date_time,
           S.value
    FROM bid B
             JOIN side_input FOR SYSTEM_TIME AS OF PROCTIME() AS S ON B.auction % 10000 = S.key;
