/** The contract between the file transport and a format: which files to load into which table. */
import type { Column } from '../../catalog/types.js';
import { quoteLiteral, type Connection } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';
import type { LoadStats } from '../types.js';
import type { OnError } from './bad-rows.js';
import type { Casts } from './casts.js';

export interface FormatLoadRequest {
  /** The source's name, for messages. */
  readonly source: string;
  /** Absolute paths, in load order. */
  readonly files: readonly string[];
  readonly columns: readonly Column[];
  /** The target table, already quoted. */
  readonly target: string;
  readonly onError: OnError;
  readonly casts: Casts;
  /** A directory prefix (with its trailing '/') dropped from file names in messages, e.g. the cwd. */
  readonly displayPrefix: string;
}

export interface FormatOptions {
  /** CSV: whether the first line is a header (default true). */
  readonly header: boolean;
  /** CSV: the field delimiter (default ','). */
  readonly delimiter: string;
  /** JSON: read whole documents and unnest the array at this key (e.g. 'Records'); absent: JSON lines. */
  readonly records?: string;
}

export type FormatLoader = (conn: Connection, request: FormatLoadRequest, options: FormatOptions) => Promise<LoadStats>;

/** The file list as a DuckDB list literal. */
export function fileListSql(files: readonly string[]): string {
  return `[${files.map(quoteLiteral).join(', ')}]`;
}

/** SQL for how a file name (an SQL expression) is shown in messages: relative to displayPrefix. */
export function displayFileSql(expr: string, displayPrefix: string): string {
  if (displayPrefix === '') return expr;
  const prefix = quoteLiteral(displayPrefix);
  return `CASE WHEN starts_with(${expr}, ${prefix}) THEN substr(${expr}, ${displayPrefix.length + 1}) ELSE ${expr} END`;
}

/** How a file name is shown in messages: relative to displayPrefix when under it. */
export function displayFile(path: string, displayPrefix: string): string {
  return displayPrefix !== '' && path.startsWith(displayPrefix) ? path.slice(displayPrefix.length) : path;
}

export function isTextType(type: string): boolean {
  return /^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)(\s*\(\s*\d+\s*\))?$/i.test(type.trim());
}

/**
 * A format's reader failed on the files of a load, before anything reached the target: one of them
 * may be unreadable (the file source finds which by reading fewer, file/bad-files.ts).
 */
export class FilesUnreadable extends EddyError {
  constructor(source: string, format: string, files: readonly string[], cause: unknown) {
    super('IO_ERROR', `source "${source}": cannot read ${files.length} ${format} file(s): ${(cause as Error).message}`, { cause });
  }

  /** DuckDB's message. */
  get reason(): string {
    return (this.cause as Error).message;
  }
}
