/**
 * JSON lines. Lines are read raw, with their file and line number (DuckDB's CSV reader with one
 * VARCHAR column and no quoting), then parsed and cast per column in SQL, so a malformed line or a
 * value that does not fit its column is located exactly, and every good line is kept.
 */
import type { Column } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import { tempName } from './temp-name.js';
import type { LoadStats } from '../types.js';
import { checkStagedRows } from './bad-rows.js';
import { castJson, type Casts } from './casts.js';
import { displayFileSql, fileListSql, FilesUnreadable, type FormatLoadRequest } from './format.js';
import { StagedRows, type StagedColumn } from './staged-rows.js';

/** A JSON pointer to a top-level key (RFC 6901 escapes). */
/** The JSON pointer of an object's key, as an SQL literal. */
export function pointer(key: string): string {
  return quoteLiteral(`/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
}

/** How a column is read from a JSON object (an SQL expression of type JSON, or NULL). */
export function jsonStagedColumn(json: string, column: Column, casts: Casts): StagedColumn {
  const path = pointer(column.name);
  const raw = `json_extract_string(${json}, ${path})`;
  // a JSON null is SQL NULL, as for every other type
  if (column.type.toUpperCase() === 'JSON') return { column, raw, value: `CASE WHEN json_type(${json}, ${path}) <> 'NULL' THEN json_extract(${json}, ${path}) END` };
  return castJson(column, `json_extract(${json}, ${path})`, raw, casts);
}

/** The row-level error of a JSON text (an SQL expression), NULL when it is an object. */
export function jsonRowErrorSql(text: string): string {
  return `CASE WHEN NOT json_valid(${text}) THEN 'malformed JSON' WHEN json_type(${text}::JSON) <> 'OBJECT' THEN 'expected a JSON object, found ' || lower(json_type(${text}::JSON)) END`;
}

export async function loadJsonLines(conn: Connection, req: FormatLoadRequest): Promise<LoadStats> {
  const raw = tempName('json_lines');
  let staged: StagedRows | null = null;
  try {
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(raw)} AS
SELECT filename AS file, line FROM read_csv(${fileListSql(req.files)},
  columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
  delim = ${quoteLiteral('\u0001')}, quote = '', escape = '', filename = true, hive_partitioning = false)`);
    } catch (e) {
      throw new FilesUnreadable(req.source, 'JSON', req.files, e);
    }
    // rowid follows the reader's output order, which DuckDB keeps in file order
    const numbered = `(SELECT ${displayFileSql('file', req.displayPrefix)} AS __file,
      row_number() OVER (PARTITION BY file ORDER BY rowid) AS __line, line
    FROM ${quoteIdent(raw)})`;
    const from = `(SELECT __file, __line, ${jsonRowErrorSql('line')} AS __row_error,
      CASE WHEN json_valid(line) THEN line::JSON END AS __j
    FROM ${numbered} WHERE line IS NOT NULL AND trim(line) <> '')`;
    staged = await StagedRows.create(conn, { from, columns: req.columns.map((c) => jsonStagedColumn('__j', c, req.casts)) });
    const stats = await checkStagedRows(staged, req.source, req.onError, 'line');
    await staged.insertGoodRows(req.target);
    return stats;
  } finally {
    await staged?.drop();
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(raw)}`);
  }
}
