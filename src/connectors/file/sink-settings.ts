/**
 * The options of the file sinks (connector = 'parquet' | 'jsonl' | 'csv'), one schema per format over
 * a common part: path, partition_by, max_rows_per_file, compression.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Column } from '../../catalog/types.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { opt, readOptions, toOptions } from '../options.js';

export type FileSinkFormat = 'parquet' | 'jsonl' | 'csv';

export const PARQUET_COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'lz4', 'brotli', 'uncompressed'] as const;
export const TEXT_COMPRESSIONS = ['none', 'gzip', 'zstd'] as const;

const common = {
  path: opt.string(),
  partition_by: opt.string().optional(),
  max_rows_per_file: opt.int(1).optional(),
};

const shapes = {
  parquet: { ...common, compression: opt.oneOf(PARQUET_COMPRESSIONS).default('snappy'), row_group_size: opt.int(1).optional() },
  jsonl: { ...common, compression: opt.oneOf(TEXT_COMPRESSIONS).default('none') },
  csv: { ...common, compression: opt.oneOf(TEXT_COMPRESSIONS).default('none'), header: opt.bool().default(true), delimiter: opt.string().default(',') },
} as const;

export interface FileSinkSettings {
  readonly format: FileSinkFormat;
  /** The output directory, absolute. */
  readonly path: string;
  /** Column names (as the query spells them), in directory order. */
  readonly partitionBy: readonly string[];
  readonly maxRowsPerFile: number | undefined;
  readonly compression: string;
  readonly rowGroupSize: number | undefined;
  readonly header: boolean;
  readonly delimiter: string;
}

/** Reads a file sink's options against the query's columns; errors name the sink and the option. */
export function fileSinkSettings(format: FileSinkFormat, sink: string, columns: readonly Column[], options: Options): FileSinkSettings {
  const o = readOptions({ objectKind: 'sink', objectName: sink, connector: format }, shapes[format], options) as {
    path: string; partition_by?: string; max_rows_per_file?: number; compression: string; row_group_size?: number; header?: boolean; delimiter?: string;
  };
  const partitionBy = (o.partition_by ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').map((name) => {
    const column = columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (!column) {
      throw new EddyError('INVALID_PARAMETER', `sink "${sink}": partition_by column "${name}" is not a column of the query`, {
        hint: `the query's columns are ${columns.map((c) => c.name).join(', ')}`,
      });
    }
    return column.name;
  });
  if (new Set(partitionBy).size !== partitionBy.length) throw new EddyError('INVALID_PARAMETER', `sink "${sink}": partition_by names a column twice`);
  if (partitionBy.length > 0 && partitionBy.length === columns.length) {
    throw new EddyError('INVALID_PARAMETER', `sink "${sink}": partition_by takes every column, so the files would hold none`, {
      hint: 'partition by fewer columns',
    });
  }
  return {
    format,
    path: isAbsolute(o.path) ? o.path : resolve(process.cwd(), o.path),
    partitionBy,
    maxRowsPerFile: o.max_rows_per_file,
    compression: o.compression,
    rowGroupSize: o.row_group_size,
    header: o.header ?? true,
    delimiter: o.delimiter ?? ',',
  };
}

/** The settings as the catalog stores them: absolute path, defaults filled in. */
export function settingsOptions(s: FileSinkSettings): Options {
  return toOptions({
    path: s.path,
    partition_by: s.partitionBy.length > 0 ? s.partitionBy.join(', ') : undefined,
    max_rows_per_file: s.maxRowsPerFile,
    compression: s.compression,
    row_group_size: s.rowGroupSize,
    header: s.format === 'csv' ? s.header : undefined,
    delimiter: s.format === 'csv' ? s.delimiter : undefined,
  });
}

/** The extension of the files a format writes, e.g. `parquet`, `jsonl.gz`. */
export function fileExtension(s: FileSinkSettings): string {
  const base = s.format;
  if (s.format === 'parquet') return base;
  return s.compression === 'gzip' ? `${base}.gz` : s.compression === 'zstd' ? `${base}.zst` : base;
}
