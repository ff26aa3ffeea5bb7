/**
 * Parquet. Columns are matched by name across files (union_by_name) and cast to the declared types;
 * a value that does not cast is located by file and row (1-based).
 */
import { quoteIdent, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import type { LoadStats } from '../types.js';
import { checkStagedRows } from './bad-rows.js';
import { displayFile, displayFileSql, fileListSql, type FormatLoadRequest } from './format.js';
import { StagedRows } from './staged-rows.js';

export async function loadParquet(conn: Connection, req: FormatLoadRequest): Promise<LoadStats> {
  const read = `read_parquet(${fileListSql(req.files)}, filename = true, file_row_number = true, union_by_name = true, hive_partitioning = false)`;
  let present: Set<string>;
  try {
    present = new Set((await conn.describe(`SELECT * FROM ${read}`)).map((c) => c.name));
  } catch (e) {
    throw new EddyError('IO_ERROR', `source "${req.source}": cannot read ${req.files.length} Parquet file(s): ${(e as Error).message}`, { cause: e });
  }
  const missing = req.columns.filter((c) => !present.has(c.name));
  if (missing.length > 0) {
    throw new EddyError('BAD_INPUT_ROW', `source "${req.source}": the Parquet files ${req.files.map((f) => displayFile(f, req.displayPrefix)).join(', ')} have no column ${missing.map((c) => `"${c.name}"`).join(', ')}`);
  }
  const from = `(SELECT ${displayFileSql('filename', req.displayPrefix)} AS __file, file_row_number + 1 AS __line, NULL::VARCHAR AS __row_error, * FROM ${read})`;
  const columns = req.columns.map((column) => ({ column, raw: quoteIdent(column.name), value: `TRY_CAST(${quoteIdent(column.name)} AS ${column.type})` }));
  const staged = await StagedRows.create(conn, { from, columns });
  try {
    const stats = await checkStagedRows(staged, req.source, req.onError, 'row');
    await staged.insertGoodRows(req.target);
    return stats;
  } finally {
    await staged.drop();
  }
}
