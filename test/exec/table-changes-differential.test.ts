/**
 * Materialized views over tables that change: random INSERT / UPDATE / DELETE / upserts (and appends
 * to a source, upserts and deletes on a keyed source), views caught up at random points; every view
 * must equal DuckDB's answer over the tables (and the keyed source's current rows) as they are, for
 * every operator kind.
 */
import t from 'tap';
import { int, pick } from '../support/differential.js';
import { groups, items, log, prices } from '../support/case-inputs.js';
import { testTableViewCases, type CaseTable, type TableViewCase } from '../support/table-differential.js';

// no key: duplicate rows are allowed
const notes: CaseTable = {
  ddl: 'CREATE TABLE notes (id BIGINT, g INTEGER, w INTEGER)',
  primaryKey: false,
  row: (r, id) => `(${id % 7}, ${pick(r, groups)}, ${int(r, 1, 9)})`,
  update: (r) => pick(r, [`w = w * 2`, `g = ${pick(r, groups)}`]),
};

const clicks = {
  ddl: 'CREATE SOURCE clicks (item BIGINT, n INTEGER)',
  row: (r: () => number) => `(${int(r, 1, 12)}, ${int(r, 1, 3)})`,
};

const cases: Record<string, Omit<TableViewCase, 'seed'>> = {
  'a keyed source: upserts and deletes by key, alone and joined with a table': {
    tables: { items },
    sources: { prices },
    views: {
      agg: { query: 'SELECT g, count(*) AS n, sum(price) AS s, max(price) AS mx FROM prices GROUP BY g' },
      j: { query: 'SELECT prices.id, prices.price, items.v FROM prices LEFT JOIN items ON prices.id = items.id' },
      top: { query: 'SELECT id, price FROM (SELECT id, price, row_number() OVER (PARTITION BY g ORDER BY price DESC, id) AS rn FROM prices) WHERE rn <= 2' },
    },
  },
  'filter and project': {
    tables: { items },
    views: { m: { query: 'SELECT id, v * 2 AS v2, g FROM items WHERE v > 10 OR g IS NULL' } },
  },
  'group by with count, sum, min, max, count distinct': {
    tables: { items },
    views: { m: { query: 'SELECT g, count(*) AS n, count(v) AS nv, sum(v) AS s, min(v) AS mn, max(v) AS mx, count(DISTINCT v) AS d FROM items GROUP BY g' } },
  },
  'global aggregate, the issue\'s example': {
    tables: { items },
    views: { s: { query: 'SELECT count(*) AS n, sum(v) AS total FROM items' } },
  },
  'distinct over a table with duplicate rows': {
    tables: { notes },
    views: { m: { query: 'SELECT DISTINCT g, w FROM notes' }, c: { query: 'SELECT g, count(*) AS n, sum(w) AS s FROM notes GROUP BY g' } },
  },
  'inner join of two changing tables': {
    tables: { items, notes },
    views: { m: { query: 'SELECT items.id, items.v, notes.w FROM items JOIN notes ON items.g = notes.g AND items.id % 3 = notes.id % 3' } },
  },
  'left, right and full outer joins of changing tables': {
    tables: { items, notes },
    views: {
      l: { query: 'SELECT items.id, items.v, notes.w FROM items LEFT JOIN notes ON items.id = notes.id' },
      r: { query: 'SELECT items.id, items.v, notes.w FROM items RIGHT JOIN notes ON items.id = notes.id AND notes.w > 2' },
      f: { query: 'SELECT items.id, notes.id AS nid, notes.g FROM items FULL JOIN notes ON items.g = notes.g AND items.id < 4' },
    },
  },
  'aggregate over a join': {
    tables: { items, notes },
    views: { m: { query: 'SELECT items.g, count(*) AS n, sum(notes.w) AS s, max(items.v) AS mx FROM items JOIN notes ON items.id = notes.id GROUP BY items.g' } },
  },
  'a source joined with a changing table': {
    tables: { items },
    sources: { clicks },
    views: {
      j: { query: 'SELECT clicks.item, clicks.n, items.v FROM clicks JOIN items ON clicks.item = items.id' },
      a: { query: 'SELECT items.g, sum(clicks.n) AS n FROM clicks LEFT JOIN items ON clicks.item = items.id GROUP BY items.g' },
    },
  },
  'top-N and deduplication per group': {
    tables: { items },
    views: {
      top: { query: 'SELECT id, g, v FROM (SELECT id, g, v, row_number() OVER (PARTITION BY g ORDER BY v DESC NULLS LAST, id) AS rn FROM items) WHERE rn <= 2' },
      ranked: { query: 'SELECT g, v, rk FROM (SELECT g, v, rank() OVER (PARTITION BY g ORDER BY v) AS rk FROM items) WHERE rk <= 3' },
    },
  },
  'window functions': {
    tables: { items },
    views: { m: { query: 'SELECT id, g, v, sum(v) OVER (PARTITION BY g ORDER BY id) AS running, lag(v) OVER (PARTITION BY g ORDER BY id) AS prev FROM items' } },
  },
  'union all of tables': {
    tables: { items, notes },
    views: { m: { query: 'SELECT id, g FROM items UNION ALL SELECT id, g FROM notes' }, c: { query: 'SELECT g, count(*) AS n FROM (SELECT g FROM items UNION ALL SELECT g FROM notes) GROUP BY g' } },
  },
  'event-time windows over a table': {
    tables: { items },
    views: {
      w: {
        query: "SELECT window_start, count(*) AS n, sum(v) AS s FROM TUMBLE(items, ts, INTERVAL '1' MINUTE) GROUP BY window_start",
        batchQuery: "SELECT time_bucket(INTERVAL '1 minute', ts) AS window_start, count(*) AS n, sum(v) AS s FROM items GROUP BY 1",
      },
    },
  },
  'views over views read as changelogs: a chain, and the issue\'s per_user -> hist': {
    tables: { items, notes },
    sources: { clicks },
    views: {
      per_g: { query: 'SELECT g, count(*) AS n, sum(v) AS s FROM items GROUP BY g' },
      hist: { query: 'SELECT n, count(*) AS groups FROM per_g GROUP BY n' },
      joined: { query: 'SELECT per_g.g, per_g.s, notes.w FROM per_g JOIN notes ON per_g.g = notes.g' },
      per_item: { query: 'SELECT item, count(*) AS n FROM clicks GROUP BY item' },
      item_hist: { query: 'SELECT n, count(*) AS items FROM per_item GROUP BY n' },
    },
  },
  'a diamond of views: two views of one view, joined': {
    tables: { items },
    views: {
      base: { query: 'SELECT id, g, v FROM items WHERE v > 5 OR v IS NULL' },
      tot: { query: 'SELECT g, sum(v) AS total FROM base GROUP BY g' },
      cnt: { query: 'SELECT g, count(*) AS rows_n FROM base GROUP BY g' },
      joined_back: { query: 'SELECT tot.g, tot.total, cnt.rows_n FROM tot JOIN cnt ON coalesce(tot.g, -1) = coalesce(cnt.g, -1)' },
    },
  },
  'an APPEND ONLY table': {
    tables: { log, items },
    views: {
      m: { query: 'SELECT g, max(v) AS mx, min(v) AS mn, count(*) AS n FROM log GROUP BY g' },
      j: { query: 'SELECT log.id, items.v FROM log JOIN items ON log.id = items.id' },
    },
  },
};

testTableViewCases(t, cases);
