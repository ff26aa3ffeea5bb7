/**
 * Rows staged for checking before they reach their table: each column's raw value next to its value
 * cast to the column type, and which column (if any) could not be cast. Bad rows are classified in
 * SQL, so a load of a million rows with three bad ones costs one pass, and the good rows go on in
 * their original order.
 */
import type { Column } from '../../catalog/types.js';
import { quoteIdent, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import { tempName } from '../temp-name.js';

/** How one target column is computed from a staging row. */
export interface StagedColumn {
  readonly column: Column;
  /** The value as read (any type; NULL when absent). A non-NULL raw with a NULL value is a bad value. */
  readonly raw: string;
  /** The value cast to the column type, NULL when it cannot be (TRY_CAST). */
  readonly value: string;
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
    const badColumn = spec.columns.map((_, i) => `WHEN __r${i} IS NOT NULL AND __v${i} IS NULL THEN ${i}`).join(' ');
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
    const rows = await this.conn.objects<{ file: string | null; line: number; bad: number; row_error: string | null; raw: string | null }>(
      `SELECT __file AS file, __line AS line, __bad AS bad, __row_error AS row_error, CASE __bad ${raw} END AS raw
       FROM ${quoteIdent(this.table)} WHERE __bad IS NOT NULL ORDER BY __file, __line LIMIT ${Math.max(0, Math.floor(limit))}`,
    );
    return rows.map((r) => {
      const column = r.bad >= 0 ? this.columns[r.bad]?.column : undefined;
      if (!column) return { file: r.file, line: Number(r.line), column: null, message: r.row_error ?? 'unreadable row' };
      return { file: r.file, line: Number(r.line), column: column.name, message: `cannot cast ${quoteValue(r.raw)} to ${column.type}` };
    });
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
