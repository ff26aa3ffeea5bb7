/**
 * Inputs shared by the differential tests over changing data (test/exec/*-differential.test.ts):
 * a keyed table, an APPEND ONLY table and a keyed push source, each with group `g` and values.
 */
import { int, pick } from './differential.js';
import type { CaseSourceOfRows, CaseTable } from './table-differential.js';

export const groups = ['1', '2', '3', 'NULL'];

// keyed by id; g is a group, v a value, ts an event time
export const items: CaseTable = {
  ddl: 'CREATE TABLE items (id BIGINT PRIMARY KEY, g INTEGER, v INTEGER, ts TIMESTAMP)',
  primaryKey: true,
  row: (r, id) => `(${id}, ${pick(r, groups)}, ${r() < 0.1 ? 'NULL' : int(r, 1, 40)}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL ${int(r, 0, 300)} SECOND)`,
  update: (r) => pick(r, [`v = v + ${int(r, 1, 5)}`, `g = ${pick(r, groups)}`, `v = ${int(r, 1, 40)}, g = ${pick(r, groups)}`, `ts = ts + INTERVAL ${int(r, 30, 90)} SECOND`]),
};

export const log: CaseTable = {
  ddl: 'CREATE TABLE log (id BIGINT, g INTEGER, v INTEGER) APPEND ONLY',
  primaryKey: false,
  appendOnly: true,
  row: (r, id) => `(${id}, ${pick(r, groups)}, ${int(r, 1, 20)})`,
  update: () => '',
};

// a keyed push source: INSERT replaces the row with its key, DELETE deletes by key
export const prices: CaseSourceOfRows = {
  ddl: 'CREATE SOURCE prices (id BIGINT PRIMARY KEY, g INTEGER, price INTEGER NOT NULL)',
  row: (r, id) => `(${id}, ${pick(r, groups)}, ${int(r, 1, 30)})`,
  keyed: true,
};
