/**
 * The one DuckDB COPY statement that writes a batch's files into its temporary directory. Parquet and
 * CSV use DuckDB's writers as they are; JSON lines go through the CSV writer as one unquoted column of
 * `to_json` text, since DuckDB's JSON writer cannot partition. DuckDB cannot combine file rotation
 * with PARTITION_BY, so max_rows_per_file numbers each partition's rows and partitions by that chunk
 * number too (a `__eddy_chunk=k` directory that the move into place drops).
 */
import type { Column } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral } from '../../duck/index.js';
import { fileExtension, type FileSinkSettings } from './sink-settings.js';

export const CHUNK_COLUMN = '__eddy_chunk';
/** Temporary files end with this, so a reader's `*.parquet` glob never matches them. */
export const TMP_SUFFIX = '.tmp';

export interface CopyTarget {
  readonly sql: string;
  /** Whether COPY writes a directory tree (PARTITION_BY) rather than the single file `singleFile`. */
  readonly partitioned: boolean;
  readonly singleFile: string;
}

/** COPY of `relation` (columns plus __op) into `tmpDir`, which must not exist yet (its parent must). */
export function copyBatchSql(s: FileSinkSettings, columns: readonly Column[], relation: string, tmpDir: string): CopyTarget {
  const ext = fileExtension(s);
  const partitionCols = s.partitionBy.map(quoteIdent);
  const chunked = s.maxRowsPerFile !== undefined;
  const partitioned = partitionCols.length > 0 || chunked;
  const dataColumns = columns.filter((c) => !s.partitionBy.includes(c.name));

  const items = s.format === 'jsonl'
    ? [...partitionCols, `to_json({${dataColumns.map((c) => `${quoteLiteral(c.name)}: ${quoteIdent(c.name)}`).join(', ')}}) AS "json"`]
    : columns.map((c) => quoteIdent(c.name));
  if (chunked) {
    const over = partitionCols.length > 0 ? `PARTITION BY ${partitionCols.join(', ')}` : '';
    items.push(`(row_number() OVER (${over}) - 1) // ${s.maxRowsPerFile} AS ${quoteIdent(CHUNK_COLUMN)}`);
  }
  const select = `SELECT ${items.join(', ')} FROM ${relation} WHERE __op = 1`;

  const options: string[] = [];
  if (s.format === 'parquet') {
    options.push('FORMAT parquet', `COMPRESSION ${s.compression}`);
    if (s.rowGroupSize !== undefined) options.push(`ROW_GROUP_SIZE ${s.rowGroupSize}`);
  } else {
    options.push('FORMAT csv', `COMPRESSION ${quoteLiteral(s.compression)}`);
    if (s.format === 'csv') options.push(`HEADER ${s.header}`, `DELIMITER ${quoteLiteral(s.delimiter)}`);
    // to_json escapes control characters, so \u0001 never occurs and nothing needs quoting
    else options.push('HEADER false', "QUOTE ''", "ESCAPE ''", `DELIMITER ${quoteLiteral('\u0001')}`);
  }
  const singleFile = `${tmpDir}/data_0.${ext}${TMP_SUFFIX}`;
  if (partitioned) {
    options.push(`PARTITION_BY (${[...partitionCols, ...(chunked ? [quoteIdent(CHUNK_COLUMN)] : [])].join(', ')})`);
    options.push(`FILE_EXTENSION ${quoteLiteral(`${ext}${TMP_SUFFIX}`)}`);
  }
  const target = partitioned ? tmpDir : singleFile;
  return { sql: `COPY (${select}) TO ${quoteLiteral(target)} (${options.join(', ')})`, partitioned, singleFile };
}
