/**
 * A range of a changelog, as SQL: rows with an integer weight `__op` (+n inserted, -n deleted),
 * numbered by a position column (a table's statement number, a view's batch id). A reader that has
 * read nothing starts at -1, whose range (-1, to] is the relation's contents as of `to`: the rows now
 * and those deleted since, less those inserted since. That is a multiset difference, so each copy of
 * a row comes once, inserted (an APPEND ONLY table's first batch is append-only too), and it reads
 * the same rows whenever it runs as long as the changes after `to` are kept.
 */
export const BEFORE_CONTENTS = -1;

export interface ChangelogRange {
  /** The relation as it is now (a table, a view's result table), qualified. */
  readonly current: string;
  /** Its changelog, qualified: the relation's columns, the position column and `__op`. */
  readonly changes: string;
  readonly position: string;
  /** The select list of the relation's columns (a column no query reads may be a typed NULL). */
  readonly list: string;
  readonly from: number;
  readonly to: number;
}

export function changelogRangeSql(r: ChangelogRange): string {
  if (r.from !== BEFORE_CONTENTS) return `SELECT ${r.list}, __op FROM ${r.changes} WHERE ${r.position} > ${r.from} AND ${r.position} <= ${r.to}`;
  const after = `FROM ${r.changes}, range(abs(__op)) WHERE ${r.position} > ${r.to}`;
  return `SELECT *, 1 AS __op FROM (SELECT * FROM (SELECT ${r.list} FROM ${r.current} UNION ALL SELECT ${r.list} ${after} AND __op < 0) EXCEPT ALL SELECT ${r.list} ${after} AND __op > 0)`;
}
