/**
 * CSV. DuckDB's reader casts to the declared types itself and, with store_rejects, records every
 * line it could not read (a value that does not cast, too few or too many fields) with its file,
 * line and column, while keeping the good lines.
 */
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import { tempName } from './temp-name.js';
import type { LoadStats } from '../types.js';
import { BAD_ROW_EXAMPLES, reportBadRows } from './bad-rows.js';
import { displayFileSql, fileListSql, FilesUnreadable, type FormatLoadRequest, type FormatOptions } from './format.js';
import { quoteValue, type BadRowDetail } from './staged-rows.js';

interface RejectRow {
  file: string;
  line: number;
  column_name: string | null;
  error_type: string;
  error_message: string;
}

export async function loadCsv(conn: Connection, req: FormatLoadRequest, options: FormatOptions): Promise<LoadStats> {
  const rejects = tempName('csv_rejects');
  const scans = tempName('csv_scans');
  const stage = tempName('csv_rows');
  const columns = `{${req.columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.type)}`).join(', ')}}`;
  const read = `read_csv(${fileListSql(req.files)}, columns = ${columns}, header = ${options.header}, delim = ${quoteLiteral(options.delimiter)},
    auto_detect = false, hive_partitioning = false, store_rejects = true, rejects_table = ${quoteLiteral(rejects)}, rejects_scan = ${quoteLiteral(scans)})`;
  try {
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(stage)} AS SELECT * FROM ${read}`);
    } catch (e) {
      throw new FilesUnreadable(req.source, 'CSV', req.files, e);
    }
    const good = Number(await conn.scalar(`SELECT count(*) FROM ${quoteIdent(stage)}`));
    const rejected = await conn.objects<RejectRow>(
      `SELECT ${displayFileSql('s.file_path', req.displayPrefix)} AS file, e.line, e.column_name, e.error_type::VARCHAR AS error_type, e.error_message
       FROM ${quoteIdent(rejects)} e JOIN ${quoteIdent(scans)} s USING (scan_id, file_id)
       ORDER BY file, e.line, e.column_idx`,
    );
    const examples: BadRowDetail[] = [];
    const lines = new Set<string>();
    for (const r of rejected) {
      const key = `${r.file}\n${r.line}`;
      if (lines.has(key)) continue;
      lines.add(key);
      if (examples.length < BAD_ROW_EXAMPLES) examples.push(describeReject(r, req));
    }
    // under 'fail' this throws before anything reaches the target
    const stats = reportBadRows(req.source, req.onError, 'line', { good, bad: lines.size }, examples);
    await conn.run(`INSERT INTO ${req.target} SELECT * FROM ${quoteIdent(stage)}`);
    return stats;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(stage)}; DROP TABLE IF EXISTS ${quoteIdent(rejects)}; DROP TABLE IF EXISTS ${quoteIdent(scans)}`);
  }
}

function describeReject(r: RejectRow, req: FormatLoadRequest): BadRowDetail {
  const at = { file: r.file, line: Number(r.line) };
  const fields = /Expected Number of Columns: (\d+) Found: (\d+)/i.exec(r.error_message);
  if (fields) return { ...at, column: null, message: `expected ${fields[1]} fields, found ${fields[2]}` };
  if (r.error_type === 'CAST' && r.column_name !== null) {
    const type = req.columns.find((c) => c.name === r.column_name)?.type ?? 'its type';
    const value = /Could not convert string "(.*)" to/s.exec(r.error_message)?.[1] ?? null;
    return { ...at, column: r.column_name, message: value === null ? r.error_message : `cannot cast ${quoteValue(value)} to ${type}` };
  }
  return { ...at, column: r.column_name, message: r.error_message };
}
