/**
 * The contracts between the runtime (exec/) and connectors. A connector splits transport (where bytes
 * come from: a generator, files, Kafka) from format (json, csv: turning bytes into rows).
 */
import type { OutputMode } from '../catalog/output-mode.js';
import type { Column, SinkObject, SourceObject } from '../catalog/types.js';
import type { Connection, Database } from '../duck/index.js';
import type { Options } from '../sql/ast.js';

/** What connectors may use from the process: the data directory and the main database. */
export interface ConnectorEnv {
  readonly dataDir: string;
  /** The main database (tables, push-source logs). */
  readonly db: Database;
  /** When set, file sources and sinks may only use paths under these directories (`--file-root`). */
  readonly fileRoots?: readonly string[];
}

/** A source offset: connector-specific, JSON-serialisable, stored in offsets/N.json. */
export type SourceOffset = unknown;

/** Where a bad input row was found, and what was wrong with it. */
export interface BadRow {
  /** e.g. `logs/a.json:17` or `topic/partition/offset`. */
  readonly location: string;
  readonly column: string | null;
  readonly message: string;
}

/**
 * An input of a batch that was skipped whole: a file that cannot be read (skipped or moved aside per
 * on_error), or one gone since the batch was planned.
 */
export interface SkippedInput {
  /** e.g. the file's path. */
  readonly input: string;
  readonly reason: 'unreadable' | 'missing';
  /** What was wrong, and where in it when known. */
  readonly message: string;
}

export interface LoadStats {
  readonly rows: number;
  /** Rows that could not be read, skipped under on_error = 'skip' (a few examples kept). */
  readonly badRows: number;
  readonly badRowExamples: readonly BadRow[];
  /**
   * Inputs of (start, end] skipped whole. The runtime records them in offsets/N before the batch
   * commits and hands them back to load() when it re-runs the batch, which then skips exactly these.
   */
  readonly skipped?: readonly SkippedInput[];
}

export interface InPlaceRows {
  readonly select: string;
  readonly rows: number;
}

/**
 * Reads one source for one query. Offsets are planned first and loading is a pure function of
 * (start, end], so a batch can be re-run from offsets/N after a crash and load the same rows.
 */
export interface SourceReader {
  /** The offset before any data. */
  readonly initialOffset: SourceOffset;
  /** The offset of everything available now. */
  latestOffset(): Promise<SourceOffset>;
  /** The end of the next batch: after start, at most `latest`, bounded by maxRows when given. */
  endOffset(start: SourceOffset, latest: SourceOffset, maxRows: number | undefined): SourceOffset;
  /** Whether (start, end] holds any data. */
  hasData(start: SourceOffset, end: SourceOffset): boolean;
  /**
   * Loads the rows of (start, end] into `target`, an existing table with exactly the source's
   * columns in order, given as SQL text (already quoted, possibly qualified: `"src_bid"`). Bad rows
   * are counted and located; under on_error = 'fail' an EddyError (BAD_INPUT_ROW) naming the source,
   * location and column is thrown instead. `columns`, when given, are the columns any query reads: a
   * source may leave the others NULL (the Nexmark generator does not generate them). `skip`, when
   * the batch runs again, is what its first run skipped: skipped again, unread, whatever they hold now.
   */
  load(conn: Connection, target: string, start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>, skip?: readonly SkippedInput[]): Promise<LoadStats>;
  /**
   * For an input whose rows already are in this database and never change (push sources, table
   * changelogs): the SELECT of the rows of (start, end], the input's columns in order (those not in
   * `columns` may be NULL; a changelog adds `__op`), and how many there are. A batch then reads the
   * rows where they are, through a view, instead of copying them with load().
   */
  inPlace?(start: SourceOffset, end: SourceOffset, columns?: ReadonlySet<string>): InPlaceRows | Promise<InPlaceRows>;
  /**
   * Called once everything up to `offset` is committed (commits/N written), also again after a
   * restart; a source may now release what it read, e.g. archive processed files. Must be idempotent.
   */
  committed?(offset: SourceOffset): Promise<void>;
  /**
   * Called when the query knows where it stands (at its start, and again after a failure or a
   * re-run from offsets/N), before it asks for offsets: a source that streams from a server
   * (postgres-cdc) opens its stream there. Sources whose load reads any range need not have it.
   */
  startAt?(offset: SourceOffset): Promise<void>;
  /**
   * The reading query is dropped or reset, for good: a source releases what it holds on a server
   * for this reader (a replication slot). Called after close(); failures are only logged.
   */
  release?(): Promise<void>;
  /** Describes (start, end] for progress, e.g. `{ "files": 3 }` or `{ "events": [0, 1000] }`. */
  describe?(offset: SourceOffset): unknown;
  close(): Promise<void>;
}

/** The query a reader reads for: its name and its stable id (metadata.json). */
export interface ReaderIdentity {
  readonly query: string;
  readonly queryId: string;
}

export interface SourceConnector {
  readonly kind: 'source';
  readonly name: string;
  /**
   * Validates the options of CREATE SOURCE (unknown options are an error naming them) and returns
   * them normalised with defaults, and the columns: as declared, or the connector's own schema when
   * none were declared (nexmark). `key` is the declared PRIMARY KEY. Runs once, at creation; the
   * result is what the catalog stores.
   */
  validate(name: string, columns: readonly Column[] | null, options: Options, env: ConnectorEnv, key?: readonly string[]): Promise<{ columns: Column[]; options: Options }>;
  open(source: SourceObject, env: ConnectorEnv, reading?: ReaderIdentity): Promise<SourceReader>;
  /** DROP SOURCE: removes what CREATE SOURCE made outside Eddy (a publication); failures are only logged. */
  dropped?(source: SourceObject, env: ConnectorEnv): Promise<void>;
}

/**
 * One batch for a sink. `relation` is SQL text (already quoted) naming a table readable on `conn`
 * that holds the rows to deliver:
 * the columns plus `__op` (1 insert, -1 delete) for append / update / changelog, or the whole
 * result (with `__op` = 1) for complete mode.
 */
export interface SinkBatch {
  readonly queryName: string;
  readonly queryId: string;
  readonly batchId: number;
  readonly outputMode: OutputMode;
  readonly columns: readonly Column[];
  /** The result's key (group-by columns), where it has one; update-mode sinks upsert by it. */
  readonly key: readonly string[] | null;
  readonly conn: Connection;
  readonly relation: string;
}

/** Delivery must be idempotent by batchId: delivering the same batch twice has the effect of once. */
export interface SinkWriter {
  deliver(batch: SinkBatch): Promise<{ rows: number }>;
  close(): Promise<void>;
}

export interface SinkConnector {
  readonly kind: 'sink';
  readonly name: string;
  /** Output modes the connector accepts, the first being its default. */
  readonly outputModes: readonly OutputMode[];
  /** Why the connector takes only those output modes, for the error that refuses another one. */
  readonly outputModeNote?: string;
  validate(name: string, columns: readonly Column[], options: Options, env: ConnectorEnv): Promise<Options>;
  open(sink: SinkObject, env: ConnectorEnv): Promise<SinkWriter>;
}
