/**
 * CREATE SOURCE t (cols...) WITH (connector = 'file', path = 'logs/*.json.gz', format = 'json').
 *
 * Options: path (a DuckDB glob; required), format ('json' lines | 'csv' | 'parquet'; default from the
 * path's extension), on_error ('skip' | 'fail', default 'skip'), max_files_per_trigger (optional),
 * and for CSV header (default true) and delimiter (default ','). Gzipped files (.gz) are read as is.
 *
 * A relative path is resolved against the process's working directory when the source is created,
 * and stored absolute, so a restart from another directory reads the same files.
 *
 * The offset is the sorted list of files done. A batch takes the files that match now and are not
 * done, in name order, at most max_files_per_trigger of them. max_rows_per_batch is ignored: a file
 * is always read whole. Files must be complete when they appear (write, then rename into place): a
 * file is read once, when it is first seen.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import type { Column, SourceObject } from '../../catalog/types.js';
import { quoteLiteral, type Connection } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { ON_ERROR_VALUES, type OnError } from '../formats/bad-rows.js';
import { loadCsv } from '../formats/csv.js';
import type { FormatLoader, FormatOptions } from '../formats/format.js';
import { loadJsonLines } from '../formats/json.js';
import { loadParquet } from '../formats/parquet.js';
import { opt, readOptions, toOptions } from '../options.js';
import { requirePathInRoots } from '../path-roots.js';
import type { ConnectorEnv, LoadStats, SourceConnector, SourceOffset, SourceReader } from '../types.js';

const NAME = 'file';
const FORMATS = ['json', 'csv', 'parquet'] as const;
type FileFormat = (typeof FORMATS)[number];

const LOADERS: Readonly<Record<FileFormat, FormatLoader>> = {
  json: (conn, req) => loadJsonLines(conn, req),
  csv: loadCsv,
  parquet: (conn, req) => loadParquet(conn, req),
};

const optionShape = {
  path: opt.string(),
  format: opt.oneOf(FORMATS).optional(),
  on_error: opt.oneOf(ON_ERROR_VALUES).default('skip'),
  max_files_per_trigger: opt.int(1).optional(),
  header: opt.bool().optional(),
  delimiter: opt.string().optional(),
};

interface FileSettings {
  readonly path: string;
  readonly format: FileFormat;
  readonly onError: OnError;
  readonly maxFilesPerTrigger: number | undefined;
  readonly formatOptions: FormatOptions;
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
  return {
    path,
    format,
    onError: o.on_error,
    maxFilesPerTrigger: o.max_files_per_trigger,
    formatOptions: { header: o.header ?? true, delimiter: o.delimiter ?? ',' },
  };
}

function fileList(offset: SourceOffset): string[] {
  if (!Array.isArray(offset) || !offset.every((f) => typeof f === 'string')) {
    throw new EddyError('INTERNAL', `a file source offset must be a list of file names, got ${JSON.stringify(offset)}`);
  }
  return offset as string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class FileReader implements SourceReader {
  readonly initialOffset: SourceOffset = [];

  constructor(
    private readonly source: SourceObject,
    private readonly settings: FileSettings,
    private readonly conn: Connection,
  ) {}

  async latestOffset(): Promise<SourceOffset> {
    try {
      const rows = await this.conn.query(`SELECT file FROM glob(${quoteLiteral(this.settings.path)})`);
      return rows.rows.map((r) => String(r[0])).sort(byName);
    } catch (e) {
      throw new EddyError('IO_ERROR', `source "${this.source.name}": cannot list ${this.settings.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  endOffset(start: SourceOffset, latest: SourceOffset, _maxRows: number | undefined): SourceOffset {
    const done = fileList(start);
    const seen = new Set(done);
    const fresh = fileList(latest).filter((f) => !seen.has(f)).sort(byName);
    const taken = this.settings.maxFilesPerTrigger === undefined ? fresh : fresh.slice(0, this.settings.maxFilesPerTrigger);
    return taken.length === 0 ? done : [...done, ...taken].sort(byName);
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return newFiles(start, end).length > 0;
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset): Promise<LoadStats> {
    const files = newFiles(start, end);
    if (files.length === 0) return { rows: 0, badRows: 0, badRowExamples: [] };
    const request = {
      source: this.source.name,
      files,
      columns: this.source.columns as Column[],
      target,
      onError: this.settings.onError,
      displayPrefix: process.cwd() + sep,
    };
    return LOADERS[this.settings.format](conn, request, this.settings.formatOptions);
  }

  describe(offset: SourceOffset): unknown {
    return { files: fileList(offset).length };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}

/** The files in end and not in start, by name. */
function newFiles(start: SourceOffset, end: SourceOffset): string[] {
  const done = new Set(fileList(start));
  return fileList(end).filter((f) => !done.has(f)).sort(byName);
}

export const fileSource: SourceConnector = {
  kind: 'source',
  name: NAME,

  async validate(name: string, columns: readonly Column[] | null, options: Options, env: ConnectorEnv) {
    if (columns === null || columns.length === 0) {
      throw new EddyError('INVALID_PARAMETER', `source "${name}": a file source needs a column list`, {
        hint: "CREATE SOURCE t (id BIGINT, msg VARCHAR) WITH (connector = 'file', path = '...', format = 'json')",
      });
    }
    const s = fileSettings(name, options);
    requirePathInRoots(`source "${name}"`, s.path, env.fileRoots);
    const normalised = toOptions({
      path: s.path,
      format: s.format,
      on_error: s.onError,
      max_files_per_trigger: s.maxFilesPerTrigger,
      header: s.format === 'csv' ? s.formatOptions.header : undefined,
      delimiter: s.format === 'csv' ? s.formatOptions.delimiter : undefined,
    });
    return { columns: columns.map((c) => ({ ...c })), options: normalised };
  },

  async open(source: SourceObject, env: ConnectorEnv): Promise<SourceReader> {
    return new FileReader(source, fileSettings(source.name, source.options), await env.db.connect());
  },
};
