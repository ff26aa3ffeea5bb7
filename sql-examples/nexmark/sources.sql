-- The Nexmark sources for the queries in this folder: person, auction and bid from the nexmark
-- connector, each with the watermark RisingWave's create_source_with_watermark.sql declares
-- (event time minus 4 seconds). Run it first, then any qN.sql, e.g.
--   npx eddy run --data-dir ./nexmark-data sql-examples/nexmark/sources.sql sql-examples/nexmark/q5.sql
-- All three sources share the connector's default event-time base (2015-07-15 00:00:00 UTC), so
-- their event times line up; events_per_second sets both the event-time spacing and the pace.
CREATE SOURCE person (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (connector = 'nexmark', table = 'person', events_per_second = 10000);
CREATE SOURCE auction (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (connector = 'nexmark', table = 'auction', events_per_second = 10000);
CREATE SOURCE bid (WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND)
  WITH (connector = 'nexmark', table = 'bid', events_per_second = 10000);
