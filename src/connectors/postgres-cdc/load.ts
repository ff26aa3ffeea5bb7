/**
 * A batch's rows of a postgres-cdc source: snapshot rows (a range of the copy) and buffered changes,
 * staged as PostgreSQL's text and cast to the declared columns in SQL (formats/staged-rows.ts), so a
 * value that does not fit is counted and located (`transaction 0/1A2B3C8 change 3, column "v"`) and
 * skipped or failed per on_error. Each row carries its command and position for the upsert operator.
 */
import type { Column } from '../../catalog/types.js';
import { KEYED_COMMAND, KEYED_POSITION } from '../../catalog/keyed-source.js';
import { quoteIdent, type Connection } from '../../duck/index.js';
import { checkStagedRows } from '../formats/bad-rows.js';
import { castValue, type Casts } from '../formats/casts.js';
import { StagedRows, type StagedColumn } from '../formats/staged-rows.js';
import { tempName } from '../formats/temp-name.js';
import type { LoadStats } from '../types.js';
import type { BufferedChange } from './changes.js';
import { formatLsn } from './lsn.js';

export interface CdcLoad {
  readonly source: string;
  readonly qualifiedTable: string;
  readonly columns: readonly Column[];
  readonly key: readonly string[];
  readonly onError: 'skip' | 'fail';
  readonly casts: Casts;
  readonly target: string;
  /** Rows (from, to] of the snapshot copy, when the batch reads some. */
  readonly snapshot: { readonly table: string; readonly from: number; readonly to: number } | null;
  readonly changes: readonly BufferedChange[];
}

function isBlob(type: string): boolean {
  return /^(BLOB|BYTEA|BINARY|VARBINARY)$/i.test(type.trim());
}

/** PostgreSQL's text of a value as a column of the declared type. */
function stagedColumn(c: Column, i: number, casts: Casts): StagedColumn {
  const raw = `v${i}`;
  // bytea's text is hex after \x
  if (isBlob(c.type)) return { column: c, raw, value: `CASE WHEN starts_with(${raw}, '\\x') THEN try(unhex(substr(${raw}, 3))) END` };
  // arrays: PostgreSQL writes {1,2,3}, DuckDB reads [1,2,3]
  if (/\[\]\s*$/.test(c.type)) {
    const list = `CASE WHEN starts_with(${raw}, '{') THEN '[' || substr(${raw}, 2, length(${raw}) - 2) || ']' END`;
    return { ...castValue(c, list, 'VARCHAR', casts), raw };
  }
  return castValue(c, raw, 'VARCHAR', casts);
}

export async function loadCdcRows(conn: Connection, req: CdcLoad): Promise<LoadStats> {
  const rows = (req.snapshot ? req.snapshot.to - req.snapshot.from : 0) + req.changes.length;
  if (rows === 0) return { rows: 0, badRows: 0, badRowExamples: [] };
  const raw = tempName('cdc');
  const values = req.columns.map((_, i) => `v${i}`);
  let staged: StagedRows | null = null;
  try {
    await conn.run(`CREATE TEMP TABLE ${quoteIdent(raw)} (__file VARCHAR, __line BIGINT, __error VARCHAR, __cmd INTEGER, __seq BIGINT, ${values.map((v) => `${v} VARCHAR`).join(', ')})`);
    const base = req.snapshot?.to ?? 0;
    if (req.snapshot && req.snapshot.to > req.snapshot.from) {
      await conn.run(`INSERT INTO ${quoteIdent(raw)} SELECT 'snapshot of ${req.qualifiedTable.replace(/'/g, "''")}', __ord, NULL, 1, __ord, ${values.join(', ')}
        FROM ${quoteIdent(req.snapshot.table)} WHERE __ord > ${req.snapshot.from} AND __ord <= ${req.snapshot.to}`);
    }
    if (req.changes.length > 0) {
      await conn.append(raw, undefined, req.changes.map((c, n) => [
        `transaction ${formatLsn(c.commitLsn)}`, BigInt(c.index), c.error, c.command, BigInt(base + n + 1), ...(c.values ?? values.map(() => null)),
      ]));
    }
    const keySet = new Set(req.key);
    // a delete carries the key alone, and a TRUNCATE no values: NOT NULL is checked where a row is stored
    const columns = req.columns.map((c, i) => stagedColumn({ name: c.name, type: c.type }, i, req.casts));
    const whens = req.columns.flatMap((c, i) => {
      const name = c.name.replace(/'/g, "''");
      if (keySet.has(c.name)) return [`WHEN __cmd <> 0 AND v${i} IS NULL THEN 'the change has no value for key column "${name}"'`];
      return c.notNull ? [`WHEN __cmd = 1 AND v${i} IS NULL THEN 'column "${name}": null value in a NOT NULL column'`] : [];
    });
    const rowError = whens.length > 0 ? `coalesce(__error, CASE ${whens.join(' ')} END)` : '__error';
    const from = `(SELECT *, ${rowError} AS __row_error FROM ${quoteIdent(raw)})`;
    staged = await StagedRows.create(conn, {
      from,
      columns: [
        ...columns,
        { column: { name: KEYED_COMMAND, type: 'INTEGER' }, raw: '__cmd', value: '__cmd' },
        { column: { name: KEYED_POSITION, type: 'BIGINT' }, raw: '__seq', value: '__seq' },
      ],
    });
    const stats = await checkStagedRows(staged, req.source, req.onError, 'change');
    await conn.run(`INSERT INTO ${req.target} ${staged.goodRowsSelect()} ORDER BY __v${columns.length + 1}`);
    return stats;
  } finally {
    await staged?.drop();
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(raw)}`);
  }
}
