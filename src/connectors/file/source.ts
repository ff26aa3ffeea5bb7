/**
 * CREATE SOURCE t (cols...) WITH (connector = 'file', path = 'logs/*.json.gz', format = 'json').
 *
 * Options: path (a DuckDB glob, `**` for nested directories; required), format ('json' lines | 'csv' |
 * 'parquet'; default from the path's extension), on_error ('skip' | 'fail' | 'dead_letter', default
 * 'skip': for bad rows and for files that cannot be read, bad-files.ts) with dead_letter_path,
 * max_files_per_trigger (optional), for CSV header (default true) and delimiter (default ','), for
 * JSON records (read whole documents and unnest the array at this key, e.g. 'Records'),
 * hive_partitioning (default false: `key=value` directories give the values of columns named key),
 * after_read ('keep' | 'archive' | 'delete', default 'keep') with archive_path, casts ('strict' |
 * 'lenient', formats/casts.ts). Compressed files (.gz, .zst) are read as they are, once checked
 * whole (readable.ts).
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
import { relative, sep } from 'node:path';
import type { Column, SourceObject } from '../../catalog/types.js';
import { quoteIdent, quoteLiteral, type Connection } from '../../duck/index.js';
import type { Options } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import { loadCsv } from '../formats/csv.js';
import type { FormatLoader, FormatLoadRequest } from '../formats/format.js';
import { loadJsonLines } from '../formats/json.js';
import { loadJsonRecords } from '../formats/json-records.js';
import { loadParquet } from '../formats/parquet.js';
import { toOptions } from '../options.js';
import { requirePathInRoots } from './path-roots.js';
import { tempName } from '../formats/temp-name.js';
import type { ConnectorEnv, LoadStats, SkippedInput, SourceConnector, SourceOffset, SourceReader } from '../types.js';
import { CommittedFiles } from './manifest.js';
import { releaseFiles } from './after-read.js';
import { checkFiles, loadAroundBadFiles, settleBadFiles, sumStats, type BadFileSettings } from './bad-files.js';
import { groupByPartition, type PartitionGroup } from './partitions.js';
import { FILE_CONNECTOR as NAME, fileSettings, type FileFormat, type FileSettings } from './source-settings.js';

const LOADERS: Readonly<Record<FileFormat, FormatLoader>> = {
  json: (conn, req, o) => (o.records === undefined ? loadJsonLines(conn, req) : loadJsonRecords(conn, req, o.records)),
  csv: loadCsv,
  parquet: (conn, req) => loadParquet(conn, req),
};

function fileList(offset: SourceOffset): string[] {
  if (!Array.isArray(offset) || !offset.every((f) => typeof f === 'string')) {
    throw new EddyError('INTERNAL', `a file source offset must be a list of file names, got ${JSON.stringify(offset)}`);
  }
  return offset as string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Reads a request's files into its target around the bad ones. */
type PartRead = (request: FormatLoadRequest) => Promise<{ stats: LoadStats; bad: SkippedInput[] }>;

export class FileReader implements SourceReader {
  readonly initialOffset: SourceOffset = [];
  /** Files loaded and not yet released by after_read; null until the first commit (then: list). */
  private loaded: Set<string> | null = null;
  /** The manifest at the glob's base directory, when an Eddy file sink writes there. */
  private readonly manifest: CommittedFiles;

  private readonly badFiles: BadFileSettings;

  constructor(
    private readonly source: SourceObject,
    private readonly settings: FileSettings,
    private readonly conn: Connection,
  ) {
    this.manifest = new CommittedFiles(settings.afterRead.base);
    this.badFiles = { source: source.name, onError: settings.onError, deadLetterPath: settings.deadLetterPath, base: settings.afterRead.base, displayPrefix: process.cwd() + sep };
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

  /**
   * Reads the files new in (start, end]. Those that cannot be read are skipped, fail the batch or
   * move aside (bad-files.ts); those `skip` names (skipped when the batch first ran) are skipped
   * again without being read.
   */
  async load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset, _columns?: ReadonlySet<string>, skip: readonly SkippedInput[] = []): Promise<LoadStats> {
    const files = newFiles(start, end);
    if (files.length === 0) return { rows: 0, badRows: 0, badRowExamples: [] };
    if (this.loaded) for (const f of files) this.loaded.add(f);
    const listed = new Set(files);
    const skippedBefore = skip.filter((f) => listed.has(f.input));
    const before = new Set(skippedBefore.map((f) => f.input));
    const faults = await checkFiles(files.filter((f) => !before.has(f)));
    const found: SkippedInput[] = [...faults].map(([input, fault]) => ({ input, ...fault }));
    // under 'fail', an unreadable file stops the batch before anything is read
    if (this.settings.onError === 'fail') await settleBadFiles(this.badFiles, found.filter((f) => f.reason === 'unreadable'));
    const readable = files.filter((f) => !before.has(f) && !faults.has(f));
    const request: FormatLoadRequest = {
      source: this.source.name,
      files: readable,
      columns: this.source.columns as Column[],
      target,
      onError: this.settings.onError === 'fail' ? 'fail' : 'skip',
      casts: this.settings.casts,
      displayPrefix: this.badFiles.displayPrefix,
    };
    const { stats, bad } = await this.loadFiles(conn, request);
    found.push(...bad);
    await settleBadFiles(this.badFiles, found);
    if (skippedBefore.length > 0) log.info({ source: this.source.name, files: skippedBefore.map((f) => f.input) }, 'skipped the files this batch skipped when it first ran');
    const skipped = [...skippedBefore, ...found].sort((a, b) => byName(a.input, b.input));
    return skipped.length === 0 ? stats : { ...stats, skipped };
  }

  /** Loads readable files, by partition when the source has partition columns, around bad ones. */
  private async loadFiles(conn: Connection, request: FormatLoadRequest): Promise<{ stats: LoadStats; bad: SkippedInput[] }> {
    if (request.files.length === 0) return { stats: { rows: 0, badRows: 0, badRowExamples: [] }, bad: [] };
    const read = (req: FormatLoadRequest) => loadAroundBadFiles(req.files, (files) => LOADERS[this.settings.format](conn, { ...req, files }, this.settings.formatOptions));
    if (!this.settings.hivePartitioning) return read(request);
    const names = new Set(this.source.columns.map((c) => c.name));
    const parts: { stats: LoadStats; bad: SkippedInput[] }[] = [];
    for (const group of groupByPartition(request.files, this.settings.afterRead.base, names)) {
      parts.push(await this.loadPartition(conn, { ...request, files: group.files }, group, read));
    }
    return { stats: sumStats(parts.map((p) => p.stats)), bad: parts.flatMap((p) => p.bad) };
  }

  /** Loads files sharing partition values: the other columns from the files, these from the path. */
  private async loadPartition(conn: Connection, request: FormatLoadRequest, group: PartitionGroup, read: PartRead): Promise<{ stats: LoadStats; bad: SkippedInput[] }> {
    if (group.values.size === 0) return read(request);
    const columns = request.columns.filter((c) => !group.values.has(c.name));
    const table = tempName('hive_rows');
    const items = request.columns.map((c) => {
      if (!group.values.has(c.name)) return quoteIdent(c.name);
      const value = group.values.get(c.name);
      return value === null ? `NULL::${c.type}` : `CAST(${quoteLiteral(value!)} AS ${c.type})`;
    });
    try {
      await conn.run(`CREATE TEMP TABLE ${quoteIdent(table)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
      const loaded = await read({ ...request, columns, target: quoteIdent(table) });
      try {
        await conn.run(`INSERT INTO ${request.target} SELECT ${items.join(', ')} FROM ${quoteIdent(table)}`);
      } catch (e) {
        const dirs = [...group.values].map(([k, v]) => `${k}=${v ?? 'NULL'}`).join('/');
        throw new EddyError('BAD_INPUT_ROW', `source "${this.source.name}": the partition directory ${dirs} does not fit the column types: ${(e as Error).message}`, { cause: e });
      }
      return loaded;
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
    requirePathInRoots(`source "${name}"`, s.path, env.fileRoots, env.dataDir);
    // files are moved there: a write outside the roots if it were not checked like the path
    if (s.afterRead.archivePath) requirePathInRoots(`source "${name}": archive_path`, s.afterRead.archivePath, env.fileRoots, env.dataDir);
    if (s.deadLetterPath) requirePathInRoots(`source "${name}": dead_letter_path`, s.deadLetterPath, env.fileRoots, env.dataDir);
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
      dead_letter_path: s.deadLetterPath,
      casts: s.casts === 'lenient' ? 'lenient' : undefined,
    });
    return { columns: columns.map((c) => ({ ...c })), options: normalised };
  },

  async open(source: SourceObject, env: ConnectorEnv): Promise<SourceReader> {
    return new FileReader(source, fileSettings(source.name, source.options), await env.db.connect());
  },
};
