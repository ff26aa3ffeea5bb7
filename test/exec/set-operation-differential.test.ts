/**
 * INTERSECT, EXCEPT and DISTINCT ON over inputs that change (issue 17 item 4): random INSERT / UPDATE / DELETE on
 * tables and appends to a source, views caught up at random points; every view must equal DuckDB's
 * answer over the inputs as they are, including PostgreSQL's precedence (INTERSECT first).
 */
import t from 'tap';
import { int, pick } from '../support/differential.js';
import { testTableViewCases, type CaseTable, type TableViewCase } from '../support/table-differential.js';

const groups = ['1', '2', '3', 'NULL'];

const items: CaseTable = {
  ddl: 'CREATE TABLE items (id BIGINT PRIMARY KEY, g INTEGER, v INTEGER)',
  primaryKey: true,
  row: (r, id) => `(${id}, ${pick(r, groups)}, ${r() < 0.1 ? 'NULL' : int(r, 1, 8)})`,
  update: (r) => pick(r, [`v = v + ${int(r, 1, 3)}`, `g = ${pick(r, groups)}`, `v = ${int(r, 1, 8)}`]),
};

const notes: CaseTable = {
  ddl: 'CREATE TABLE notes (id BIGINT, g INTEGER, w INTEGER)',
  primaryKey: false,
  row: (r, id) => `(${id % 7}, ${pick(r, groups)}, ${int(r, 1, 8)})`,
  update: (r) => pick(r, ['w = w + 1', `g = ${pick(r, groups)}`]),
};

const clicks = {
  ddl: 'CREATE SOURCE clicks (g INTEGER, n INTEGER)',
  row: (r: () => number) => `(${pick(r, groups)}, ${int(r, 1, 8)})`,
};

const cases: Record<string, Omit<TableViewCase, 'seed'>> = {
  'INTERSECT and EXCEPT of two tables, NULLs equal as in SQL set operations': {
    tables: { items, notes },
    views: {
      common: { query: 'SELECT g, v FROM items INTERSECT SELECT g, w FROM notes' },
      only_items: { query: 'SELECT g, v FROM items EXCEPT SELECT g, w FROM notes' },
      only_notes: { query: 'SELECT w, g FROM notes EXCEPT SELECT v, g FROM items' },
    },
  },
  'precedence and chains: INTERSECT binds tighter; EXCEPT and UNION left to right': {
    tables: { items, notes },
    sources: { clicks },
    views: {
      p1: { query: 'SELECT g FROM items UNION SELECT g FROM notes INTERSECT SELECT g FROM clicks' },
      p2: { query: 'SELECT v FROM items EXCEPT SELECT w FROM notes UNION ALL SELECT n FROM clicks' },
      p3: { query: 'SELECT v FROM items EXCEPT SELECT w FROM notes EXCEPT SELECT n FROM clicks WHERE g = 1' },
      counted: { query: 'SELECT count(*) AS n FROM (SELECT g, v FROM items INTERSECT SELECT g, n FROM clicks)' },
    },
  },
  'DISTINCT ON: the first row per key by the rest of the ORDER BY': {
    tables: { items },
    sources: { clicks },
    views: {
      top: { query: 'SELECT DISTINCT ON (g) g, id, v FROM items ORDER BY g, v DESC NULLS LAST, id' },
      two_keys: { query: 'SELECT DISTINCT ON (v % 3, g) v % 3 AS r, g, id FROM items ORDER BY 1, g, id DESC' },
      first_click: { query: 'SELECT DISTINCT ON (g) g, n FROM clicks ORDER BY g, n' },
    },
  },
};

testTableViewCases(t, cases);
