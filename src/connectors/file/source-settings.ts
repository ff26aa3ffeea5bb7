/** The options of a file source (file.ts), as written in CREATE SOURCE or as the catalog stores them. */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { CASTS_VALUES, type Casts } from '../formats/casts.js';
import type { FormatOptions } from '../formats/format.js';
import { opt, readOptions } from '../options.js';
import { AFTER_READ_VALUES, type AfterReadSettings } from './after-read.js';
import { FILE_ON_ERROR_VALUES, type FileOnError } from './bad-files.js';
import { globBase } from './partitions.js';

export const FILE_CONNECTOR = 'file';
const NAME = FILE_CONNECTOR;
const FORMATS = ['json', 'csv', 'parquet'] as const;
export type FileFormat = (typeof FORMATS)[number];

const optionShape = {
  path: opt.string(),
  format: opt.oneOf(FORMATS).optional(),
  on_error: opt.oneOf(FILE_ON_ERROR_VALUES).default('skip'),
  dead_letter_path: opt.string().optional(),
  max_files_per_trigger: opt.int(1).optional(),
  header: opt.bool().optional(),
  delimiter: opt.string().optional(),
  records: opt.string().optional(),
  hive_partitioning: opt.bool().optional(),
  after_read: opt.oneOf(AFTER_READ_VALUES).optional(),
  archive_path: opt.string().optional(),
  casts: opt.oneOf(CASTS_VALUES).optional(),
};

export interface FileSettings {
  readonly path: string;
  readonly format: FileFormat;
  readonly onError: FileOnError;
  /** Absolute; set when onError is 'dead_letter'. */
  readonly deadLetterPath: string | undefined;
  readonly maxFilesPerTrigger: number | undefined;
  readonly formatOptions: FormatOptions;
  readonly hivePartitioning: boolean;
  readonly afterRead: AfterReadSettings;
  readonly casts: Casts;
}

function formatFromPath(path: string): FileFormat | undefined {
  const name = path.toLowerCase().replace(/[*?]+$/, '').replace(/\.(gz|gzip|zst)$/, '');
  if (/\.(json|jsonl|ndjson)$/.test(name)) return 'json';
  if (/\.(csv|tsv|txt)$/.test(name)) return 'csv';
  if (name.endsWith('.parquet')) return 'parquet';
  return undefined;
}

/** Reads a file source's options (as written or as stored). */
export function fileSettings(source: string, options: Options): FileSettings {
  const o = readOptions({ objectKind: 'source', objectName: source, connector: NAME }, optionShape, options);
  const path = isAbsolute(o.path) ? o.path : resolve(process.cwd(), o.path);
  const format = o.format ?? formatFromPath(o.path);
  if (format === undefined) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": cannot tell the format of "${o.path}" (connector "${NAME}")`, {
      hint: "add format = 'json', 'csv' or 'parquet'",
    });
  }
  if (format !== 'csv' && (o.header !== undefined || o.delimiter !== undefined)) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": options "header" and "delimiter" apply to format 'csv' only, not '${format}'`);
  }
  if (format !== 'json' && o.records !== undefined) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": option "records" applies to format 'json' only, not '${format}'`);
  }
  const base = globBase(path);
  const afterRead = o.after_read ?? 'keep';
  if ((afterRead === 'archive') !== (o.archive_path !== undefined)) {
    throw new EddyError('INVALID_PARAMETER', afterRead === 'archive'
      ? `source "${source}": after_read = 'archive' needs archive_path (the directory processed files move to)`
      : `source "${source}": option "archive_path" applies only with after_read = 'archive'`);
  }
  const archivePath = outsideBase(source, 'archive_path', o.archive_path, base);
  if ((o.on_error === 'dead_letter') !== (o.dead_letter_path !== undefined)) {
    throw new EddyError('INVALID_PARAMETER', o.on_error === 'dead_letter'
      ? `source "${source}": on_error = 'dead_letter' needs dead_letter_path (the directory unreadable files move to)`
      : `source "${source}": option "dead_letter_path" applies only with on_error = 'dead_letter'`);
  }
  const deadLetterPath = outsideBase(source, 'dead_letter_path', o.dead_letter_path, base);
  return {
    path,
    format,
    onError: o.on_error,
    deadLetterPath,
    maxFilesPerTrigger: o.max_files_per_trigger,
    formatOptions: { header: o.header ?? true, delimiter: o.delimiter ?? ',', records: o.records },
    hivePartitioning: o.hive_partitioning ?? false,
    afterRead: { afterRead, archivePath, base },
    casts: o.casts ?? 'strict',
  };
}

/** A directory files move to (absolute), refused inside the glob's base, where they would be listed again. */
function outsideBase(source: string, option: string, dir: string | undefined, base: string): string | undefined {
  if (dir === undefined) return undefined;
  const path = isAbsolute(dir) ? dir : resolve(process.cwd(), dir);
  if (!relative(base, path).startsWith('..')) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": ${option} ${path} is inside the source's directory ${base}, where the files moved there could be listed again`, {
      hint: 'move them to a directory outside the one the path glob reads',
    });
  }
  return path;
}
