/**
 * The Engine: the one API the CLI and the servers call. It owns the main DuckDB database
 * (<data-dir>/eddy.duckdb), the catalog and its DDL log, and every running continuous query.
 * Statements run one at a time, in the order they were submitted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DdlLog, replayDdlLog, type ReplayedCatalog } from '../catalog/ddl-log.js';
import { queriesRoot } from '../checkpoint/query-dir.js';
import { DataDirLock } from '../checkpoint/data-dir-lock.js';
import { migrateLegacyQueryDirs } from '../checkpoint/legacy-query-dirs.js';
import { checkNewObjectName } from '../catalog/object-name.js';
import type { CatalogReader } from '../catalog/reader.js';
import { PUSH_CONNECTOR, pushSourceStore } from '../connectors/sources/push.js';
import { Database } from '../duck/index.js';
import type { Progress } from '../exec/progress.js';
import type { ChangeBatch, SubscribeOptions, Subscription } from '../exec/streaming-query.js';
import type { Select, Statement } from '../sql/ast.js';
import { parseScript, parseScriptAsync } from '../sql/parser.js';
import { asEddyError, EddyError } from '../util/errors.js';
import { log } from '../util/log.js';
import type { EngineContext, QueryHandle } from './context.js';
import { createContinuous, createResultView, createSource, createTable, createView } from './create.js';
import { insert, updateOrDelete } from './data.js';
import { alter, drop } from './drop-alter.js';
import { explain } from './explain.js';
import { refreshLateRowsView } from './late-rows.js';
import { buildContinuousQuery } from './pipeline.js';
import { openPushStorage } from './push-storage.js';
import { errorOf, queryHandle, show, status } from './show.js';
import type { StatementResult } from './statement-result.js';
import { PullConnections } from './pull-connections.js';
import { collectRows, pullQuery, type PullResult } from './pull-query.js';

export interface EngineOptions {
  /** The data directory: eddy.duckdb, catalog/ddl.log, queries/<query directory>/... */
  readonly dataDir: string;
  /**
   * When set, files may only be read or written under these directories: by file sources and sinks,
   * and by DuckDB itself (read_csv, read_text, COPY ... in pull queries); an empty list allows no file
   * at all. Unset (a trusted script, the library's default), any file may be used.
   */
  readonly fileRoots?: readonly string[];
}

/** A continuous query as the servers list it. */
export interface QueryInfo {
  readonly name: string;
  readonly kind: 'materialized_view' | 'sink';
  readonly status: string;
  readonly lastBatch: number | null;
  readonly error: string | null;
}

export class Engine {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly pulls: PullConnections;

  private constructor(
    private readonly ctx: EngineContext,
    /** Problems met while restoring the data directory (e.g. a torn DDL log line), for the user to see. */
    readonly warnings: string[],
    private readonly lock: DataDirLock,
  ) {
    this.pulls = new PullConnections(ctx.db);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const dataDir = path.resolve(options.dataDir);
    try {
      fs.mkdirSync(dataDir, { recursive: true });
    } catch (e) {
      throw new EddyError('IO_ERROR', `cannot create the data directory ${dataDir}: ${(e as Error).message}`, { cause: e });
    }
    const lock = DataDirLock.acquire(dataDir);
    const fileRoots = options.fileRoots?.map((r) => path.resolve(r));
    let db: Database;
    try {
      db = await Database.open(path.join(dataDir, 'eddy.duckdb'), fileRoots ? { allowedDirectories: [...fileRoots, queriesRoot(dataDir)] } : {});
    } catch (e) {
      lock.release();
      throw e;
    }
    const conn = await db.connect();
    const ddlLog = DdlLog.open(dataDir);
    let replayed: ReplayedCatalog;
    try {
      replayed = replayDdlLog(ddlLog);
    } catch (e) {
      ddlLog.close();
      conn.close();
      db.close();
      lock.release();
      throw e;
    }
    const catalog = replayed.catalog;
    const ctx: EngineContext = {
      dataDir,
      catalog,
      log: ddlLog,
      db,
      conn,
      bind: { catalog, describe: (sql) => conn.describe(sql), scalar: async (sql) => (await conn.queryOne(sql, ['select'], 'an expression')).rows[0]?.[0] },
      connectors: fileRoots ? { dataDir, db, fileRoots } : { dataDir, db },
      queries: new Map(),
      push: pushSourceStore(db),
    };
    const engine = new Engine(ctx, [...replayed.warnings], lock);
    try {
      await engine.restore(replayed.paused);
    } catch (e) {
      await engine.close();
      throw e;
    }
    return engine;
  }

  get dataDir(): string {
    return this.ctx.dataDir;
  }

  /** DuckDB's worker threads now: WorkerThreads fits them to the work unless they were pinned. */
  get duckdbThreads(): number {
    return this.ctx.db.threads.threads;
  }

  get catalog(): CatalogReader {
    return this.ctx.catalog;
  }

  /** Parses a script into statements (syntax errors carry their position in the script). */
  parse(sql: string): Statement[] {
    return parseScript(sql);
  }

  /**
   * Parses a script without stopping the event loop: a long one is parsed on a worker thread while
   * other sessions' statements go on. Servers use this one.
   */
  parseAsync(sql: string): Promise<Statement[]> {
    return parseScriptAsync(sql);
  }

  /** Runs every statement of a script in order; the first error stops the script and is thrown. */
  async execute(sql: string): Promise<StatementResult[]> {
    const results: StatementResult[] = [];
    for (const statement of await this.parseAsync(sql)) results.push(await this.executeStatement(statement));
    return results;
  }

  /** Runs one parsed statement, after any statement submitted before it. */
  async executeStatement(statement: Statement): Promise<StatementResult> {
    if (statement.kind === 'select') return collectRows(await this.query(statement));
    return this.exclusive(async () => {
      try {
        const result = bulkWork(statement)
          ? await this.ctx.db.threads.bulk(this.ctx.conn, () => this.dispatch(statement))
          : await this.dispatch(statement);
        if (QUERY_CHANGING.has(statement.kind)) await refreshLateRowsView(this.ctx);
        return result;
      } catch (e) {
        throw asEddyError(e, 'INTERNAL', `${statement.kind.replaceAll('_', ' ')}`);
      }
    });
  }

  /**
   * Runs a pull query and hands its rows over as DuckDB produces them (servers stream them to their
   * clients). It starts once every statement submitted before it has run, but outside the statement
   * queue, on a connection of its own: statements submitted after it do not wait for it. Aborting
   * `signal` (a client's cancel or disconnect) interrupts DuckDB.
   */
  async query(statement: Select, options: { signal?: AbortSignal } = {}): Promise<PullResult> {
    if (this.closed) throw new EddyError('OBJECT_IN_USE', 'the engine is closed');
    await this.queue;
    return pullQuery(this.ctx, this.pulls, statement, options.signal);
  }

  /** Pull queries running now (for /metrics). */
  get pullQueriesRunning(): number {
    return this.pulls.running;
  }

  /**
   * Runs batches of every running query until all data available now is processed. A query that
   * failed is reported as an error naming it.
   */
  drain(): Promise<void> {
    return this.exclusive(async () => {
      for (const handle of this.ctx.queries.values()) {
        if (handle.query?.status !== 'running' && handle.query?.status !== 'retrying') continue;
        try {
          await handle.query.drain();
        } catch (e) {
          throw queryFailed(handle, e);
        }
      }
      const failed = [...this.ctx.queries.values()].find((h) => h.query?.status === 'failed');
      if (failed) throw queryFailed(failed, failed.query?.lastError);
    });
  }

  /** Every continuous query, in creation order. */
  queries(): QueryInfo[] {
    return [...this.ctx.queries.values()].map((h) => {
      const progress = h.query?.progress() ?? [];
      return { name: h.object.name, kind: h.object.kind, status: status(h), lastBatch: progress[progress.length - 1]?.batchId ?? null, error: errorOf(h) };
    });
  }

  /**
   * Subscribes to a materialized view's changes: its current rows, then each batch's changes as the
   * batch commits, until unsubscribe() is called (SUBSCRIBE over psql, HTTP and websockets).
   */
  async subscribe(name: string, listener: (c: ChangeBatch) => void, options: SubscribeOptions = { snapshot: true }): Promise<Subscription> {
    const handle = queryHandle(this.ctx, name);
    if (!handle.query) throw queryFailed(handle, handle.startError);
    return handle.query.subscribe(listener, options);
  }

  /**
   * Appends rows given as objects (keys are column names) to a push source (HTTP). A bad value or an
   * unknown column is a BAD_INPUT_ROW error naming the row index and column; nothing is appended then.
   */
  appendRows(source: string, rows: readonly Record<string, unknown>[]): Promise<{ rows: number }> {
    return this.exclusive(async () => {
      const object = this.ctx.catalog.get(source);
      if (!object) throw new EddyError('UNDEFINED_TABLE', `source "${source}" does not exist`);
      if (object.kind !== 'source' || object.connector !== PUSH_CONNECTOR) {
        const what = object.kind === 'source' ? `source "${source}" reads from the ${object.connector} connector` : `"${source}" is not a source`;
        throw new EddyError('WRONG_OBJECT_TYPE', `cannot append rows: ${what}`, { hint: 'rows can be appended to sources created without a connector' });
      }
      const append = () => this.ctx.push.appendRows(this.ctx.conn, object, rows);
      return rows.length >= BULK_APPEND_ROWS ? this.ctx.db.threads.bulk(this.ctx.conn, append) : append();
    });
  }

  /** The last progress objects of a query, oldest first. */
  progress(name: string): readonly Progress[] {
    return queryHandle(this.ctx, name).query?.progress() ?? [];
  }

  /** Stops every query (their state stays on disk) and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.pulls.close();
    for (const handle of this.ctx.queries.values()) {
      await handle.query?.stop().catch((e: unknown) => log.warn({ query: handle.object.name, err: (e as Error).message }, 'stopping query failed'));
    }
    this.ctx.log.close();
    this.ctx.conn.close();
    this.ctx.db.close();
    this.lock.release();
  }

  private async dispatch(statement: Statement): Promise<StatementResult> {
    const ctx = this.ctx;
    switch (statement.kind) {
      case 'create_source':
        checkNewObjectName(ctx.catalog, 'source', statement.name, statement.start);
        return createSource(ctx, statement);
      case 'create_table':
        checkNewObjectName(ctx.catalog, 'table', statement.name, statement.start);
        return createTable(ctx, statement);
      case 'create_view':
        checkNewObjectName(ctx.catalog, 'view', statement.name, statement.start);
        return createView(ctx, statement);
      case 'create_materialized_view':
        checkNewObjectName(ctx.catalog, 'materialized_view', statement.name, statement.start);
        return createContinuous(ctx, statement);
      case 'create_sink':
        checkNewObjectName(ctx.catalog, 'sink', statement.name, statement.start);
        return createContinuous(ctx, statement);
      case 'insert':
        return insert(ctx, statement);
      case 'update':
      case 'delete':
        return updateOrDelete(ctx, statement);
      case 'select':
        throw new Error('pull queries run outside the statement queue (Engine.query)');
      case 'explain':
        return explain(ctx, statement);
      case 'show':
        return show(ctx, statement);
      case 'drop':
        return drop(ctx, statement);
      case 'alter':
        return alter(ctx, statement);
      case 'subscribe':
        throw new EddyError('FEATURE_NOT_SUPPORTED', 'SUBSCRIBE streams changes and needs a psql, HTTP or websocket session', {
          position: statement.start,
          hint: `use SELECT * FROM ${statement.name} for the current result`,
        });
    }
  }

  /**
   * Brings back what the DDL log records: tables, views and push-source data are already in
   * eddy.duckdb; continuous queries are rebuilt from their SQL and resume from their checkpoints.
   * A query that cannot be rebuilt is kept (failed, with its error) rather than stopping start-up.
   */
  private async restore(paused: ReadonlySet<string>): Promise<void> {
    await this.migrateLegacyQueryDirs();
    for (const object of this.ctx.catalog.list()) {
      if (object.kind === 'source' && object.connector === PUSH_CONNECTOR) {
        const warning = await openPushStorage(this.ctx, object);
        if (warning !== null) this.warnings.push(warning);
      }
      if (object.kind !== 'materialized_view' && object.kind !== 'sink') continue;
      try {
        const built = await buildContinuousQuery(object.sql, this.ctx);
        if (object.kind === 'materialized_view') await createResultView(this.ctx, object.name, built.query.resultRelation);
        const handle: QueryHandle = { object, plan: built.plan, query: built.query, startError: null };
        this.ctx.queries.set(object.name, handle);
        if (!paused.has(object.name)) built.query.start();
      } catch (e) {
        const error = asEddyError(e, 'QUERY_FAILED');
        this.ctx.queries.set(object.name, { object, plan: null, query: null, startError: error });
        this.warnings.push(`${object.kind === 'sink' ? 'sink' : 'materialized view'} "${object.name}" could not be restarted: ${error.message}`);
      }
    }
    await refreshLateRowsView(this.ctx);
  }

  /** Checkpoints of data directories written before query-dir.ts move to their new directories. */
  private async migrateLegacyQueryDirs(): Promise<void> {
    const names = this.ctx.catalog.list().filter((o) => o.kind === 'materialized_view' || o.kind === 'sink').map((o) => o.name);
    for (const move of await migrateLegacyQueryDirs(this.ctx.dataDir, names)) {
      if (move.outcome === 'moved') log.warn({ query: move.name, from: move.from, to: move.to }, 'moved a checkpoint directory named by its query to its new location');
      else log.warn({ query: move.name, from: move.from, to: move.to }, 'left a legacy checkpoint directory alone: the query already has a directory at the new location');
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new EddyError('OBJECT_IN_USE', 'the engine is closed'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Whether a statement is bulk work for DuckDB's threads (WorkerThreads): a user's query or data
 * change runs on every core, as it would in DuckDB alone. DDL is light, and so is a short VALUES list
 * (rows appended to a push source as they come), which lets a live stream's small batches keep one
 * thread.
 */
function bulkWork(statement: Statement): boolean {
  switch (statement.kind) {
    case 'select':
    case 'update':
    case 'delete':
      return true;
    case 'create_table':
      return statement.asQuery !== null;
    case 'insert':
      return !/^\s*VALUES\b/i.test(statement.body) || statement.body.length > SHORT_VALUES_CHARS;
    default:
      return false;
  }
}

/** A VALUES list up to this long is a handful of rows, not a load. */
const SHORT_VALUES_CHARS = 100_000;
/** Rows appended over HTTP in one call from which the append is bulk work. */
const BULK_APPEND_ROWS = 10_000;

/** Statements that may change the set of running queries. */
const QUERY_CHANGING: ReadonlySet<Statement['kind']> = new Set(['create_materialized_view', 'create_sink', 'drop', 'alter']);

function queryFailed(handle: QueryHandle, cause: unknown): EddyError {
  const what = `${handle.object.kind === 'sink' ? 'sink' : 'materialized view'} "${handle.object.name}"`;
  const message = cause instanceof Error ? cause.message : String(cause ?? 'unknown error');
  return new EddyError('QUERY_FAILED', `${what} failed: ${message}`, { cause, hint: cause instanceof EddyError ? cause.hint : undefined });
}
