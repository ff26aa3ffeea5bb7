/**
 * General aggregates (every DuckDB aggregate beyond count/sum/avg/min/max) over inputs that change:
 * random INSERT / UPDATE / DELETE / upserts on tables and upserts on a keyed source, views caught up
 * at random points; every view must equal DuckDB's answer over the inputs as they are. Calls whose
 * answer depends on input order carry an ORDER BY that decides it (or are left out: mode's ties).
 */
import t from 'tap';
import { items, log, prices } from '../support/case-inputs.js';
import { testTableViewCases, type TableViewCase } from '../support/table-differential.js';

const cases: Record<string, Omit<TableViewCase, 'seed'>> = {
  'string_agg and list, with ORDER BY and DISTINCT inside the call': {
    tables: { items },
    views: {
      m: { query: "SELECT g, string_agg(CAST(v AS VARCHAR), ',' ORDER BY v, id) AS s, list(v ORDER BY id DESC) AS l, list(DISTINCT v ORDER BY v NULLS FIRST) AS ld, array_agg(id ORDER BY id) AS ids FROM items GROUP BY g" },
      keyed_input: { query: 'SELECT g, list(g ORDER BY id) AS gs, count(*) AS n FROM items GROUP BY g' },
    },
  },
  'statistics: median, quantiles, entropy; variance and stddev from sums of squares, bool_and/or from counts': {
    tables: { items },
    views: {
      m: { query: 'SELECT g, median(v) AS med, quantile_cont(v, 0.25) AS q1, quantile_disc(v, 0.75) AS q3, stddev_samp(v) AS sd, var_pop(v) AS vp, kurtosis(v) AS k, entropy(v) AS e FROM items GROUP BY g' },
      // small groups: one row (var_samp NULL, var_pop 0), equal values (0 exactly, not rounding noise)
      moments: { query: 'SELECT id % 23 AS k, variance(v) AS v1, var_samp(v % 3) AS v2, var_pop(v) AS v3, stddev(v) AS s1, stddev_pop(v % 2) AS s2, stddev_samp(v) FILTER (WHERE v > 5) AS s3, bool_and(v > 12) AS ba, bool_or(v > 35) AS bo, count(*) AS n FROM items GROUP BY id % 23' },
      doubles: { query: 'SELECT g, var_samp(v / 7.0) AS v1, stddev_pop(CAST(v AS DOUBLE) * 1.5) AS s1 FROM items GROUP BY g' },
    },
  },
  'boolean, bit and counting aggregates, arg_max, histogram, approx_count_distinct': {
    tables: { items },
    views: {
      m: { query: 'SELECT g, bool_and(v > 10) AS ba, bool_or(v > 30) AS bo, bit_or(v) AS bor, bit_xor(v) AS bx, count_if(v > 20) AS ci, arg_max(id, v * 1000 + id) AS am, histogram(v) AS h, approx_count_distinct(v) AS acd, product(v % 3 + 1) AS p FROM items GROUP BY g' },
    },
  },
  'FILTER, DISTINCT, and PostgreSQL\'s WITHIN GROUP': {
    tables: { items },
    views: {
      m: { query: 'SELECT g, sum(DISTINCT v) AS sd, avg(DISTINCT v) AS ad, list(v ORDER BY id) FILTER (WHERE v > 10) AS lf, count_if(v > 5) FILTER (WHERE id % 2 = 0) AS cf, median(v) FILTER (WHERE v < 20 AND id > 2) AS mf, count_if(v > 0) FILTER (WHERE v > 37) AS rare, approx_count_distinct(v) FILTER (WHERE v > 38) AS rarer, count(*) AS n FROM items GROUP BY g' },
      w: { query: 'SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS p50, percentile_disc(0.9) WITHIN GROUP (ORDER BY v DESC) AS p90 FROM items GROUP BY g' },
    },
  },
  'a global general aggregate: one row, also over no rows': {
    tables: { items },
    views: {
      m: { query: "SELECT string_agg(CAST(id AS VARCHAR), '-' ORDER BY id) AS ids, median(v) AS med, count_if(v > 10) AS c, list(v ORDER BY id) FILTER (WHERE v > 35) AS big FROM items" },
    },
  },
  'an append-only table, a keyed source, and a view over the view': {
    tables: { log },
    sources: { prices },
    views: {
      a: { query: 'SELECT g, median(v) AS med, string_agg(CAST(id AS VARCHAR), \',\' ORDER BY id) AS ids FROM log GROUP BY g' },
      p: { query: 'SELECT g, list(price ORDER BY id) AS ps, median(price) AS med FROM prices GROUP BY g' },
      over: { query: 'SELECT med, count(*) AS groups, list(g ORDER BY g) AS gs FROM p GROUP BY med' },
    },
  },
  'event-time windows': {
    tables: { items },
    views: {
      w: {
        query: "SELECT window_start, median(v) AS med, string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) AS ids FROM TUMBLE(items, ts, INTERVAL '1' MINUTE) GROUP BY window_start",
        batchQuery: "SELECT time_bucket(INTERVAL '1 minute', ts) AS window_start, median(v) AS med, string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) AS ids FROM items GROUP BY 1",
      },
    },
  },
};

testTableViewCases(t, cases);
