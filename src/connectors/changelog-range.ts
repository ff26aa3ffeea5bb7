/**
 * A range of a changelog, as SQL: rows with an integer weight `__op` (+n inserted, -n deleted),
 * numbered by a position column (a table's statement number, a view's batch id). A reader that has
 * read nothing starts at -1, whose range (-1, to] is the relation's contents as of `to`: the rows now
 * and those deleted since, less those inserted since. That is a multiset difference, so each copy of
 * a row comes once, inserted (an APPEND ONLY table's first batch is append-only too), and it reads
 * the same rows whenever it runs as long as the changes after `to` are kept.
 */
import type { Column } from '../catalog/types.js';
import { quoteIdent, type Connection } from '../duck/index.js';
import { EddyError } from '../util/errors.js';
import type { InPlaceRows, LoadStats, SourceOffset, SourceReader } from './types.js';

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

export interface ChangelogInput {
  /** What the offsets count, for errors: "a table offset must be a statement number". */
  readonly what: string;
  readonly current: string;
  readonly changes: string;
  readonly position: string;
  readonly columns: readonly Column[];
}

/**
 * Reads one changelog for one query (a table's, a materialized view's): its contents first, then
 * ranges of its changes by position; a subclass says where the input stands and where a first range
 * ends.
 */
export abstract class ChangelogRangeReader implements SourceReader {
  readonly initialOffset: SourceOffset = BEFORE_CONTENTS;

  constructor(protected readonly conn: Connection, private readonly input: ChangelogInput) {}

  abstract latestOffset(): Promise<SourceOffset>;
  abstract describe(offset: SourceOffset): unknown;

  /** Where the first range, the contents, ends when the input stands at `latest`. */
  protected abstract firstEnd(latest: number): number;

  protected position(offset: SourceOffset): number {
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < BEFORE_CONTENTS) {
      throw new EddyError('INTERNAL', `${this.input.what}, got ${JSON.stringify(offset)}`);
    }
    return offset;
  }

  /** The contents come in one batch; then up to maxRows positions per batch (a position's changes are never split). */
  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset {
    const from = this.position(start);
    const to = this.position(latest);
    if (from === BEFORE_CONTENTS) return this.firstEnd(to);
    if (to <= from) return from;
    return maxRows === undefined ? to : Math.min(to, from + Math.max(1, Math.floor(maxRows)));
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return this.position(end) > this.position(start);
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): Promise<LoadStats> {
    const { select, rows } = await this.inPlace(start, end, columns);
    if (rows > 0) await conn.run(`INSERT INTO ${target} ${select}`);
    return { rows, badRows: 0, badRowExamples: [] };
  }

  /** The rows of (start, end] with their weight in `__op` (changelogRangeSql); columns no query reads are NULL. */
  async inPlace(start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): Promise<InPlaceRows> {
    const from = this.position(start);
    const to = Math.max(from, this.position(end));
    const list = this.input.columns.map((c) => (columns && !columns.has(c.name) ? `NULL::${c.type} AS ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
    const select = changelogRangeSql({ current: this.input.current, changes: this.input.changes, position: this.input.position, list, from, to });
    const rows = to === from ? 0 : Number((await this.conn.scalar(`SELECT count(*) FROM (${select})`)) ?? 0);
    return { select, rows };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}
