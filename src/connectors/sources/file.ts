/**
 * CREATE SOURCE t (cols...) WITH (connector = 'file', path = 'logs/*.json.gz', format = 'json').
 *
 * Options: path (a DuckDB glob, `**` for nested directories; required), format ('json' lines | 'csv' |
 * 'parquet'; default from the path's extension), on_error ('skip' | 'fail', default 'skip'),
 * max_files_per_trigger (optional), for CSV header (default true) and delimiter (default ','), for
 * JSON records (read whole documents and unnest the array at this key, e.g. 'Records'),
 * hive_partitioning (default false: `key=value` directories give the values of columns named key),
 * after_read ('keep' | 'archive' | 'delete', default 'keep') with archive_path. Compressed files
 * (.gz, .zst) are read as they are.
 *
 * A relative path is resolved against the process's working directory when the source is created,
 * and stored absolute, so a restart from another directory reads the same files.
 *
 * The offset is the sorted list of files done. A batch takes the files that match now and are not
 * done, in name order, at most max_files_per_trigger of them. max_rows_per_batch is ignored: a file
 * is always read whole. Files must be complete when they appear (write, then rename into place): a
 * file is read once, when it is first seen. With after_read = 'archive' or 'delete', processed files
 * leave the directory once their batch is committed, and the offset keeps only done files that are
 * still listed, so it stays as small as the backlog (without it, it grows by one name per file).
 * A directory written by an Eddy file sink (its glob's base holds `_eddy_manifest`) is read through
 * the manifest: only files of committed batches.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Column, SourceObject } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { BAD_ROW_EXAMPLES, ON_ERROR_VALUES, type OnError } from '../formats/bad-rows.js';
import { CASTS_VALUES, type Casts } from '../formats/casts.js';
import { loadCsv } from '../formats/csv.js';
import type { FormatLoader, FormatLoadRequest, FormatOptions } from '../formats/format.js';
import { loadJsonLines } from '../formats/json.js';
import { loadJsonRecords } from '../formats/json-records.js';
import { loadParquet } from '../formats/parquet.js';
import { opt, readOptions, toOptions } from '../options.js';
import { requirePathInRoots } from '../path-roots.js';
import { tempName } from '../temp-name.js';
import type { ConnectorEnv, LoadStats, SourceConnector, SourceOffset, SourceReader } from '../types.js';
import { CommittedFiles } from '../sinks/file/manifest.js';
import { AFTER_READ_VALUES, releaseFiles, type AfterReadSettings } from './file-after-read.js';
import { globBase, groupByPartition, type PartitionGroup } from './file-partitions.js';

const NAME = 'file';
const FORMATS = ['json', 'csv', 'parquet'] as const;
type FileFormat = (typeof FORMATS)[number];

const LOADERS: Readonly<Record<FileFormat, FormatLoader>> = {
  json: (conn, req, o) => (o.records === undefined ? loadJsonLines(conn, req) : loadJsonRecords(conn, req, o.records)),
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
  records: opt.string().optional(),
  hive_partitioning: opt.bool().optional(),
  after_read: opt.oneOf(AFTER_READ_VALUES).optional(),
  archive_path: opt.string().optional(),
  casts: opt.oneOf(CASTS_VALUES).optional(),
};

interface FileSettings {
  readonly path: string;
  readonly format: FileFormat;
  readonly onError: OnError;
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
  const archivePath = o.archive_path === undefined ? undefined : isAbsolute(o.archive_path) ? o.archive_path : resolve(process.cwd(), o.archive_path);
  if (archivePath !== undefined && !relative(base, archivePath).startsWith('..')) {
    throw new EddyError('INVALID_PARAMETER', `source "${source}": archive_path ${archivePath} is inside the source's directory ${base}, where archived files could be listed again`, {
      hint: 'archive to a directory outside the one the path glob reads',
    });
  }
  return {
    path,
    format,
    onError: o.on_error,
    maxFilesPerTrigger: o.max_files_per_trigger,
    formatOptions: { header: o.header ?? true, delimiter: o.delimiter ?? ',', records: o.records },
    hivePartitioning: o.hive_partitioning ?? false,
    afterRead: { afterRead, archivePath, base },
    casts: o.casts ?? 'strict',
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
  /** Files loaded and not yet released by after_read; null until the first commit (then: list). */
  private loaded: Set<string> | null = null;
  /** The manifest at the glob's base directory, when an Eddy file sink writes there. */
  private readonly manifest: CommittedFiles;

  constructor(
    private readonly source: SourceObject,
    private readonly settings: FileSettings,
    private readonly conn: Connection,
  ) {
    this.manifest = new CommittedFiles(settings.afterRead.base);
  }

  async latestOffset(): Promise<SourceOffset> {
    let files: string[];
    let committed: ReadonlySet<string> | null;
    try {
      const rows = await this.conn.query(`SELECT file FROM glob(${quoteLiteral(this.settings.path)})`);
      files = rows.rows.map((r) => String(r[0]));
      committed = await this.manifest.current();
    } catch (e) {
      throw new EddyError('IO_ERROR', `source "${this.source.name}": cannot list ${this.settings.path}: ${(e as Error).message}`, { cause: e });
    }
    // The output of an Eddy file sink (as Spark's reader does with _spark_metadata): only the files of
    // committed batches, so that a batch whose renames a crash interrupted is not read in part.
    if (committed !== null) files = files.filter((f) => committed.has(relative(this.settings.afterRead.base, f).split(sep).join('/')));
    return files.sort(byName);
  }

  endOffset(start: SourceOffset, latest: SourceOffset, _maxRows: number | undefined): SourceOffset {
    const done = fileList(start);
    const seen = new Set(done);
    const listed = fileList(latest);
    const fresh = listed.filter((f) => !seen.has(f)).sort(byName);
    const taken = this.settings.maxFilesPerTrigger === undefined ? fresh : fresh.slice(0, this.settings.maxFilesPerTrigger);
    // with after_read, a done file that is no longer listed was released and need not be remembered
    const kept = this.settings.afterRead.afterRead === 'keep' ? done : compact(done, listed);
    return taken.length === 0 && kept.length === done.length ? done : [...kept, ...taken].sort(byName);
  }

  hasData(start: SourceOffset, end: SourceOffset): boolean {
    return newFiles(start, end).length > 0;
  }

  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset): Promise<LoadStats> {
    const files = newFiles(start, end);
    if (files.length === 0) return { rows: 0, badRows: 0, badRowExamples: [] };
    if (this.loaded) for (const f of files) this.loaded.add(f);
    const request: FormatLoadRequest = {
      source: this.source.name,
      files,
      columns: this.source.columns as Column[],
      target,
      onError: this.settings.onError,
      casts: this.settings.casts,
      displayPrefix: process.cwd() + sep,
    };
    if (!this.settings.hivePartitioning) return LOADERS[this.settings.format](conn, request, this.settings.formatOptions);
    const names = new Set(this.source.columns.map((c) => c.name));
    const stats: LoadStats[] = [];
    for (const group of groupByPartition(files, this.settings.afterRead.base, names)) {
      stats.push(await this.loadPartition(conn, request, group));
    }
    return {
      rows: stats.reduce((n, s) => n + s.rows, 0),
      badRows: stats.reduce((n, s) => n + s.badRows, 0),
      badRowExamples: stats.flatMap((s) => s.badRowExamples).slice(0, BAD_ROW_EXAMPLES),
    };
  }

  /** Loads files sharing partition values: the other columns from the files, these from the path. */
  private async loadPartition(conn: Connection, request: FormatLoadRequest, group: PartitionGroup): Promise<LoadStats> {
    const load = LOADERS[this.settings.format];
    if (group.values.size === 0) return load(conn, { ...request, files: group.files }, this.settings.formatOptions);
    const columns = request.columns.filter((c) => !group.values.has(c.name));
    const table = tempName('hive_rows');
    const items = request.columns.map((c) => {
      if (!group.values.has(c.name)) return quoteIdent(c.name);
      const value = group.values.get(c.name);
      return value === null ? `NULL::${c.type}` : `CAST(${quoteLiteral(value!)} AS ${c.type})`;
    });
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
      const stats = await load(conn, { ...request, files: group.files, columns, target: quoteIdent(table) }, this.settings.formatOptions);
      try {
        await conn.run(`INSERT INTO ${request.target} SELECT ${items.join(', ')} FROM ${quoteIdent(table)}`);
      } catch (e) {
        const dirs = [...group.values].map(([k, v]) => `${k}=${v ?? 'NULL'}`).join('/');
        throw new EddyError('BAD_INPUT_ROW', `source "${this.source.name}": the partition directory ${dirs} does not fit the column types: ${(e as Error).message}`, { cause: e });
      }
      return stats;
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
    }
  }

  /** after_read: archives or deletes the files of committed batches. */
  async committed(offset: SourceOffset): Promise<void> {
    if (this.settings.afterRead.afterRead === 'keep') return;
    const done = new Set(fileList(offset));
    // after a restart, what the last run loaded is unknown: every listed file that is done
    const candidates = this.loaded === null ? fileList(await this.latestOffset()) : [...this.loaded];
    const release = candidates.filter((f) => done.has(f));
    await releaseFiles(release, this.settings.afterRead);
    this.loaded ??= new Set();
    for (const f of release) this.loaded.delete(f);
  }

  describe(offset: SourceOffset): unknown {
    return { files: fileList(offset).length };
  }

  async close(): Promise<void> {
    this.conn.close();
  }
}

/** The done files that are still listed. */
function compact(done: readonly string[], listed: readonly string[]): string[] {
  const present = new Set(listed);
  return done.filter((f) => present.has(f));
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
    const notNull = columns.filter((c) => c.notNull);
    if (s.format === 'csv' && notNull.length > 0) {
      // DuckDB's CSV reader casts the values itself and numbers no good rows, so a NULL could not be located
      throw new EddyError('FEATURE_NOT_SUPPORTED', `source "${name}": NOT NULL (column "${notNull[0]!.name}") is not checked for format 'csv'`, {
        hint: "declare the column without NOT NULL and filter NULLs in the query, or read the files as 'json' or 'parquet'",
      });
    }
    requirePathInRoots(`source "${name}"`, s.path, env.fileRoots);
    const normalised = toOptions({
      path: s.path,
      format: s.format,
      on_error: s.onError,
      max_files_per_trigger: s.maxFilesPerTrigger,
      header: s.format === 'csv' ? s.formatOptions.header : undefined,
      delimiter: s.format === 'csv' ? s.formatOptions.delimiter : undefined,
      records: s.formatOptions.records,
      hive_partitioning: s.hivePartitioning ? true : undefined,
      after_read: s.afterRead.afterRead === 'keep' ? undefined : s.afterRead.afterRead,
      archive_path: s.afterRead.archivePath,
      casts: s.casts === 'lenient' ? 'lenient' : undefined,
    });
    return { columns: columns.map((c) => ({ ...c })), options: normalised };
  },

  async open(source: SourceObject, env: ConnectorEnv): Promise<SourceReader> {
    return new FileReader(source, fileSettings(source.name, source.options), await env.db.connect());
  },
};
