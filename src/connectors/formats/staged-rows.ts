/**
 * Rows staged for checking before they reach their table: each column's raw value next to its value
 * cast to the column type, and which column (if any) could not be cast. Bad rows are classified in
 * SQL, so a load of a million rows with three bad ones costs one pass, and the good rows go on in
 * their original order.
 */
import type { Column } from '../../catalog/types.js';
import { withoutFamily } from '../../duck/error-codes.js';
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import { tempName } from './temp-name.js';

/** How one target column is computed from a staging row. */
export interface StagedColumn {
  readonly column: Column;
  /** The value as read (any type; NULL when absent). A non-NULL raw with a NULL value is a bad value. */
  readonly raw: string;
  /** The value cast to the column type, NULL when it cannot be (TRY_CAST, or CAST inside try()). */
  readonly value: string;
  /**
   * SQL over the raw value's text `r` and the value `v` (staged columns): false when the value is not
   * what the input said (a fraction rounded away, an overflow to infinity). Absent: nothing to check.
   */
  readonly exact?: (r: string, v: string) => string;
  /** Why a value that `exact` refuses is bad, for messages: `its fractional part would be lost`. */
  readonly inexact?: string;
  /** Why a value that does not cast is bad, when its type says so already (a struct field the column lacks). */
  readonly reason?: string;
  /** SQL casting a raw text (a literal) strictly; only run for messages, its error saying why a value does not cast. */
  readonly explain?: (literal: string) => string;
}

/**
 * `from` is a relation (a table function call or a parenthesised query with an alias) that yields
 * `__file` (VARCHAR or NULL), `__line` (BIGINT: the line or row number) and `__row_error` (VARCHAR,
 * NULL when the row as a whole is readable), plus whatever the column expressions use.
 */
export interface StagingSpec {
  readonly from: string;
  readonly columns: readonly StagedColumn[];
}

/** One bad row, located. */
export interface BadRowDetail {
  readonly file: string | null;
  readonly line: number;
  readonly column: string | null;
  readonly message: string;
}

/** Bad rows whose message asks DuckDB why their value does not cast. */
const EXPLAINED_ROWS = 10;

export class StagedRows {
  private constructor(
    private readonly conn: Connection,
    readonly table: string,
    private readonly columns: readonly StagedColumn[],
  ) {}

  static async create(conn: Connection, spec: StagingSpec): Promise<StagedRows> {
    const table = tempName('staged');
    const inner = spec.columns
      .map((c, i) => `TRY_CAST(${c.raw} AS VARCHAR) AS __r${i}, ${c.value} AS __v${i}`)
      .join(',\n  ');
    const badColumn = spec.columns.map((c, i) => {
      const missing = c.column.notNull ? `__v${i} IS NULL` : `__r${i} IS NOT NULL AND __v${i} IS NULL`;
      const inexact = c.exact ? ` WHEN NOT coalesce(${c.exact(`__r${i}`, `__v${i}`)}, true) THEN ${i}` : '';
      return `WHEN ${missing} THEN ${i}${inexact}`;
    }).join(' ');
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(table)} AS
SELECT *, CASE WHEN __row_error IS NOT NULL THEN -1 ${badColumn} END AS __bad
FROM (SELECT __file, __line, __row_error,
  ${inner}
  FROM ${spec.from})`);
    } catch (e) {
      throw new EddyError('QUERY_FAILED', `cannot read the input rows: ${(e as Error).message}`, { cause: e });
    }
    return new StagedRows(conn, table, spec.columns);
  }

  async counts(): Promise<{ good: number; bad: number }> {
    const [row] = await this.conn.objects<{ good: number | null; bad: number | null }>(
      `SELECT count(*) FILTER (__bad IS NULL) AS good, count(*) FILTER (__bad IS NOT NULL) AS bad FROM ${quoteIdent(this.table)}`,
    );
    return { good: Number(row?.good ?? 0), bad: Number(row?.bad ?? 0) };
  }

  /** The first `limit` bad rows by file and line. */
  async badRows(limit: number): Promise<BadRowDetail[]> {
    const raw = this.columns.map((_, i) => `WHEN ${i} THEN __r${i}`).join(' ');
    const cast = this.columns.map((_, i) => `WHEN ${i} THEN __v${i} IS NOT NULL`).join(' ');
    const rows = await this.conn.objects<{ file: string | null; line: number; bad: number; row_error: string | null; raw: string | null; cast: boolean | null }>(
      `SELECT __file AS file, __line AS line, __bad AS bad, __row_error AS row_error, CASE __bad ${raw} END AS raw, CASE __bad ${cast} END AS cast
       FROM ${quoteIdent(this.table)} WHERE __bad IS NOT NULL ORDER BY __file, __line LIMIT ${Math.max(0, Math.floor(limit))}`,
    );
    const details: BadRowDetail[] = [];
    for (const r of rows) {
      const staged = r.bad >= 0 ? this.columns[r.bad] : undefined;
      const at = { file: r.file, line: Number(r.line) };
      if (!staged) details.push({ ...at, column: null, message: r.row_error ?? 'unreadable row' });
      // DuckDB is asked why (a query each) for the first few only
      else details.push({ ...at, column: staged.column.name, message: await this.describeBadValue(staged, r.raw, r.cast === true, details.length < EXPLAINED_ROWS) });
    }
    return details;
  }

  private async describeBadValue(staged: StagedColumn, raw: string | null, cast: boolean, explain: boolean): Promise<string> {
    const { column } = staged;
    if (raw === null) return 'null value in a NOT NULL column';
    const cannot = `cannot cast ${quoteValue(raw)} to ${column.type}`;
    if (staged.reason !== undefined) return `${cannot}: ${staged.reason}`;
    // a strict CAST's error says what is wrong; one that raises none only rounds or overflows
    const reason = staged.explain && explain ? await this.castError(staged.explain(quoteLiteral(raw))) : null;
    if (reason === null) return cast ? `${cannot}: ${staged.inexact ?? 'the value would change'}` : cannot;
    // DuckDB's message for a text it cannot read as a struct only repeats the value and the type
    if (/^Type \w+ with value .* can't be cast to the destination type/s.test(reason)) return cannot;
    // CAST from JSON also refuses a key the JSON leaves out, which is no fault here: the fault is elsewhere
    if (/does not have key/.test(reason)) return `${cannot}: a part of it does not fit (an element or field that does not cast, a key the type lacks, or a number that would be rounded or overflow)`;
    return `${cannot}: ${reason}`;
  }

  /** DuckDB's reason why `sql` (a strict cast) fails, or null when it does not. */
  private async castError(sql: string): Promise<string | null> {
    try {
      await this.conn.scalar(`SELECT ${sql}`);
      return null;
    } catch (e) {
      return duckReason((e as Error).message);
    }
  }

  /** SELECT of the good rows' typed values in column order (plus `extra` select items), in input order. */
  goodRowsSelect(extra: readonly string[] = []): string {
    const items = [...this.columns.map((c, i) => `__v${i} AS ${quoteIdent(c.column.name)}`), ...extra];
    return `SELECT ${items.join(', ')} FROM ${quoteIdent(this.table)} WHERE __bad IS NULL`;
  }

  async insertGoodRows(target: string): Promise<void> {
    await this.conn.run(`INSERT INTO ${target} ${this.goodRowsSelect()} ORDER BY __file, __line`);
  }

  async drop(): Promise<void> {
    try {
      await this.conn.run(`DROP TABLE IF EXISTS ${quoteIdent(this.table)}`);
    } catch (e) {
      throw new EddyError('INTERNAL', `cannot drop the staging table ${this.table}: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** A raw value as an error message shows it: quoted, shortened. */
export function quoteValue(raw: string | null): string {
  if (raw === null) return 'NULL';
  const short = raw.length > 60 ? `${raw.slice(0, 57)}...` : raw;
  return JSON.stringify(short);
}

/** DuckDB's reason in one of its error messages, without the error class and the SQL it quotes. */
function duckReason(message: string): string {
  const first = withoutFamily(message.split('\n')[0]!).trim();
  return first.length > 200 ? `${first.slice(0, 197)}...` : first;
}
