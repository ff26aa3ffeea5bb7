/**
 * Parquet. Columns are matched by name across files (union_by_name) and cast to the declared types
 * (formats/casts.ts); a value that does not cast is located by file and row (1-based).
 */
import { quoteIdent, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import type { LoadStats } from '../types.js';
import { checkStagedRows } from './bad-rows.js';
import { castValue } from './casts.js';
import { displayFile, displayFileSql, fileListSql, FilesUnreadable, type FormatLoadRequest } from './format.js';
import { StagedRows } from './staged-rows.js';

export async function loadParquet(conn: Connection, req: FormatLoadRequest): Promise<LoadStats> {
  const read = `read_parquet(${fileListSql(req.files)}, filename = true, file_row_number = true, union_by_name = true, hive_partitioning = false)`;
  let present: Map<string, string>;
  try {
    present = new Map((await conn.describe(`SELECT * FROM ${read}`)).map((c) => [c.name, c.type]));
  } catch (e) {
    throw new FilesUnreadable(req.source, 'Parquet', req.files, e);
  }
  const missing = req.columns.filter((c) => !present.has(c.name));
  if (missing.length > 0) {
    throw new EddyError('BAD_INPUT_ROW', `source "${req.source}": the Parquet files ${req.files.map((f) => displayFile(f, req.displayPrefix)).join(', ')} have no column ${missing.map((c) => `"${c.name}"`).join(', ')}`);
  }
  const from = `(SELECT ${displayFileSql('filename', req.displayPrefix)} AS __file, file_row_number + 1 AS __line, NULL::VARCHAR AS __row_error, * FROM ${read})`;
  const columns = req.columns.map((column) => castValue(column, quoteIdent(column.name), present.get(column.name)!, req.casts));
  let staged: StagedRows;
  try {
    staged = await StagedRows.create(conn, { from, columns });
  } catch (e) {
    // the data pages are read here, after the footers: a corrupt page fails this statement
    throw new FilesUnreadable(req.source, 'Parquet', req.files, (e as EddyError).cause ?? e);
  }
  try {
    const stats = await checkStagedRows(staged, req.source, req.onError, 'row');
    await staged.insertGoodRows(req.target);
    return stats;
  } finally {
    await staged.drop();
  }
}
