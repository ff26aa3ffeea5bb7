/**
 * JSON documents holding an array of records, e.g. CloudTrail's `{"Records": [{...}, {...}]}`: each
 * document (a file may hold one, or several one after another, pretty-printed or not) is read whole
 * with DuckDB's JSON reader, and the array at `records` (a key, or keys joined by '.') is unnested
 * into one row per record. A document without that array, or a record that is not an object, is a bad
 * row located by file and record number.
 */
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import { tempName } from './temp-name.js';
import type { LoadStats } from '../types.js';
import { checkStagedRows } from './bad-rows.js';
import { displayFileSql, fileListSql, FilesUnreadable, type FormatLoadRequest } from './format.js';
import { jsonStagedColumn } from './json.js';
import { StagedRows } from './staged-rows.js';

/** `Records` -> `$."Records"`; `detail.items` -> `$."detail"."items"`. */
export function recordsJsonPath(records: string): string {
  return `$${records.split('.').map((k) => `."${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join('')}`;
}

export async function loadJsonRecords(conn: Connection, req: FormatLoadRequest, records: string): Promise<LoadStats> {
  const docs = tempName('json_docs');
  const path = recordsJsonPath(records);
  let staged: StagedRows | null = null;
  try {
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(docs)} AS
SELECT filename AS file, json FROM read_json_objects(${fileListSql(req.files)}, format = 'auto', filename = true, hive_partitioning = false)`);
    } catch (e) {
      throw new FilesUnreadable(req.source, 'JSON', req.files, e);
    }
    const p = quoteLiteral(path);
    const listPath = quoteLiteral(`${path}[*]`);
    const missing = quoteLiteral(`no JSON array at "${records}"`);
    const numbered = `(SELECT file, rowid AS doc, json FROM ${quoteIdent(docs)})`;
    const exploded = `(
      SELECT file, doc, -1 AS idx, NULL::JSON AS rec, ${missing} AS doc_error FROM ${numbered} WHERE coalesce(json_type(json, ${p}), '') <> 'ARRAY'
      UNION ALL
      SELECT file, doc, unnest(range(json_array_length(json, ${p})::BIGINT)) AS idx, unnest(json_extract(json, ${listPath})) AS rec, NULL AS doc_error
      FROM ${numbered} WHERE json_type(json, ${p}) = 'ARRAY')`;
    const from = `(SELECT ${displayFileSql('file', req.displayPrefix)} AS __file,
      row_number() OVER (PARTITION BY file ORDER BY doc, idx) AS __line,
      coalesce(doc_error, CASE WHEN json_type(rec) <> 'OBJECT' THEN 'expected a JSON object, found ' || lower(json_type(rec)) END) AS __row_error,
      CASE WHEN json_type(rec) = 'OBJECT' THEN rec END AS __j
    FROM ${exploded})`;
    staged = await StagedRows.create(conn, { from, columns: req.columns.map((c) => jsonStagedColumn('__j', c, req.casts)) });
    const stats = await checkStagedRows(staged, req.source, req.onError, 'row');
    await staged.insertGoodRows(req.target);
    return stats;
  } finally {
    await staged?.drop();
    await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(docs)}`);
  }
}
