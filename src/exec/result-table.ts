/**
 * Applying a delta (fields + integer weight `__op`) to a table that holds a multiset of rows:
 * inserts repeat a row by its weight; deletes remove exactly as many copies as the weight says,
 * chosen by rowid among equal rows, so duplicates are handled exactly. A table whose rows are
 * unique by a key (a grouped result) deletes by the key instead.
 */
import { quoteIdent } from '../duck/quote.js';

export function applyDeltaSql(
  table: string,
  tableColumns: readonly string[],
  delta: string,
  deltaFields: readonly string[],
  insertsOnly = false,
  key: readonly string[] | null = null,
): string[] {
  const cols = tableColumns.map(quoteIdent);
  const fields = deltaFields.map(quoteIdent);
  const match = (a: string, b: string): string =>
    cols.length === 0 ? 'TRUE' : cols.map((c) => `${a}.${c} IS NOT DISTINCT FROM ${b}.${c}`).join(' AND ');
  const renamed = fields.map((f, i) => `${f} AS ${cols[i]}`).join(', ');
  // By key, one row per retracted key: no numbering of equal rows (measured on a 5-row result:
  // 3.3 -> 1.1 ms per batch). With no key columns (a global aggregate), the table's one row.
  const byKey = key === null ? null : key.map((k) => cols[tableColumns.indexOf(k)]!);
  const del = byKey !== null
    ? `DELETE FROM ${table} AS r USING (SELECT ${renamed} FROM ${delta} WHERE __op < 0) AS d WHERE ` +
      (byKey.length === 0 ? 'TRUE' : byKey.map((c) => `r.${c} IS NOT DISTINCT FROM d.${c}`).join(' AND '))
    : `DELETE FROM ${table} WHERE rowid IN (` +
    `SELECT c.__rid FROM (` +
    `SELECT r.rowid AS __rid, ${cols.map((c) => `r.${c}`).join(', ')}, row_number() OVER (PARTITION BY ${cols.map((c) => `r.${c}`).join(', ')}) AS __rn ` +
    `FROM ${table} AS r SEMI JOIN (SELECT ${renamed} FROM ${delta} WHERE __op < 0) AS d ON ${match('r', 'd')}` +
    `) AS c JOIN (SELECT ${renamed}, -sum(__op) AS __n FROM ${delta} WHERE __op < 0 GROUP BY ALL) AS d ON ${match('c', 'd')} WHERE c.__rn <= d.__n)`;
  // a key's row is never repeated, so no weight above 1 to expand
  const ins = byKey !== null
    ? `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${fields.join(', ')} FROM ${delta} WHERE __op > 0`
    : `INSERT INTO ${table} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM (` +
    `SELECT ${renamed} FROM ${delta} WHERE __op = 1 UNION ALL ` +
    `SELECT ${renamed} FROM (SELECT *, unnest(range(__op)) FROM ${delta} WHERE __op > 1))`;
  // An append-only delta has no deletes, and every row of it has weight 1 (operators emit append-only
  // rows one by one; only consolidating a retracting stream makes weights above 1): insert it as it is.
  if (insertsOnly) return [`INSERT INTO ${table} (${cols.join(', ')}) SELECT ${fields.join(', ')} FROM ${delta}`];
  return [del, ins];
}
