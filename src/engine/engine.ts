/**
 * The Engine: the one API the CLI and the servers call. It owns the main DuckDB database
 * (<data-dir>/eddy.duckdb), the catalog and its DDL log, and every running continuous query.
 * Statements run one at a time, in the order they were submitted.
 */
import { readersHold } from './input-readers.js';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DdlLog, replayDdlLog, type ReplayedCatalog } from '../catalog/ddl-log.js';
import { queriesRoot } from '../checkpoint/query-dir.js';
import { DataDirLock } from '../checkpoint/data-dir-lock.js';
import { migrateLegacyQueryDirs } from '../checkpoint/legacy-query-dirs.js';
import { checkNewObjectName } from '../catalog/object-name.js';
import type { CatalogReader } from '../catalog/reader.js';
import { appendedAfter, PUSH_CONNECTOR, PushAppendInDoubt, pushSourceStore } from '../connectors/push/source.js';
import { Connection, Database, type DatabaseTuning } from '../duck/index.js';
import { storageFault, type StorageFault } from '../duck/storage-fault.js';
import type { Progress } from '../exec/progress.js';
import type { ExecTuning } from '../exec/tuning.js';
import type { Select, Statement } from '../sql/ast.js';
import { parseScript, parseScriptAsync } from '../sql/parser.js';
import { asEddyError, EddyError } from '../util/errors.js';
import { log } from '../util/log.js';
import { setOffThreadHeapMb } from '../util/off-thread.js';
import type { EngineContext, QueryHandle } from './context.js';
import { createContinuous, createSource, createTable, createView } from './create.js';
import { insert, updateOrDelete } from './data.js';
import { alter, drop } from './drop-alter.js';
import { explain } from './explain.js';
import { refreshLateRowsView } from './late-rows.js';
import { restoreQueries, type Resumption } from './restore-queries.js';
import { sessionStatementRefused } from './session-statements.js';
import { errorOf, queryHandle, show, status } from './show.js';
import { commandResult, FinishAfterQueue, type StatementResult } from './statement-result.js';
import { StorageRecovery, type StorageHealth, type StorageRecoveryTuning } from './storage-recovery.js';
import { PullConnections } from './pull-connections.js';
import { DEFAULT_SUBSCRIPTION_LIMITS, Subscriptions, type ChangeSink, type SubscribeRequest, type SubscriptionLimits } from './subscriptions.js';
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
  /** How much of each query's recent changes is kept for subscribers that resume (subscriptions.ts). */
  readonly subscriptions?: Partial<SubscriptionLimits>;
  /** How each query's loop polls and retries (exec/tuning.ts; the CLI reads them from EDDY_* variables). */
  readonly tuning?: Partial<ExecTuning>;
  /** DuckDB's threads and checkpoint threshold; defaults fit most machines. */
  readonly duckdb?: DatabaseTuning;
  /** How a database the storage failed under is reopened: retry backoff, how long statements wait. */
  readonly storage?: StorageRecoveryTuning;
  /**
   * The heap of the worker thread that parses large statements, MB (default 1024): a statement whose
   * parse needs more fails alone (54000). One worker serves the process, so this is the process's.
   */
  readonly parseWorkerHeapMb?: number;
}

/** Where and how the main database opens: at start and at each reopen after a storage fault. */
interface MainDatabaseConfig {
  readonly dataDir: string;
  readonly fileRoots: readonly string[] | undefined;
  readonly duckdb: DatabaseTuning;
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
  private pulls: PullConnections;
  private readonly storage: StorageRecovery;
  private readonly subscriptions: Subscriptions;
  /** Whether ctx.db and ctx.conn are open (not between the two halves of a reopen). */
  private storageOpen = true;
  /** During a recovery: what each query was doing before it, so that it resumes as it was. */
  private resumptions: Map<string, Resumption> | null = null;

  private constructor(
    private readonly ctx: EngineContext,
    /** Problems met while restoring the data directory (e.g. a torn DDL log line), for the user to see. */
    readonly warnings: string[],
    private readonly lock: DataDirLock,
    private readonly main: MainDatabaseConfig,
    subscriptionLimits: Partial<SubscriptionLimits> | undefined,
    storageTuning: StorageRecoveryTuning,
  ) {
    this.pulls = new PullConnections(ctx.db);
    this.subscriptions = new Subscriptions({ ...DEFAULT_SUBSCRIPTION_LIMITS, ...subscriptionLimits });
    this.storage = new StorageRecovery(
      {
        reopen: (readBack) => this.exclusive(() => this.reopen(readBack), 'reopening the database', 'recovery'),
        readOnly: (readBack) => this.exclusive(() => this.readOnlyLook(readBack), 'reading the database', 'recovery'),
      },
      storageTuning,
    );
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
    const main: MainDatabaseConfig = { dataDir, fileRoots, duckdb: options.duckdb ?? {} };
    if (options.parseWorkerHeapMb !== undefined) setOffThreadHeapMb(options.parseWorkerHeapMb);
    let db: Database;
    let conn: Connection;
    try {
      ({ db, conn } = await openMainDatabase(main, false));
    } catch (e) {
      lock.release();
      throw e;
    }
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
    let engine: Engine | null = null;
    const ctx: EngineContext = {
      dataDir,
      catalog,
      log: ddlLog,
      db,
      conn,
      // ctx.conn, not conn: the connection is replaced when the database is reopened
      bind: { catalog, describe: (sql) => ctx.conn.describe(sql), scalar: async (sql) => (await ctx.conn.queryOne(sql, ['select'], 'an expression')).rows[0]?.[0] },
      connectors: fileRoots ? { dataDir, db, fileRoots } : { dataDir, db },
      queries: new Map(),
      push: pushSourceStore(db),
      reportStorageFault: (fault) => engine?.storageFaulted(fault),
      tuning: options.tuning,
      readersHold: (view) => readersHold(ctx, view),
    };
    engine = new Engine(ctx, [...replayed.warnings], lock, main, options.subscriptions, options.storage ?? {});
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

  /**
   * Whether the data directory takes writes: `failing` while writes fail on an open database (a
   * full disk; queries retry), `recovering` while the database is being reopened (/healthz: 503).
   */
  storageHealth(): StorageHealth {
    const health = this.storage.health();
    if (health.state !== 'ok') return health;
    const retrying = [...this.ctx.queries.values()].find((h) => h.query?.status === 'retrying' && h.query.lastError?.code === 'STORAGE_UNAVAILABLE');
    if (retrying?.query?.lastError) return { ...health, state: 'failing', reason: retrying.query.lastError.message };
    return health;
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

  /**
   * Runs one parsed statement, after any statement submitted before it. `onNotice` hears what a
   * long statement reports while it runs (a CREATE waiting for its backfill).
   */
  async executeStatement(statement: Statement, options: { readonly onNotice?: (message: string) => void } = {}): Promise<StatementResult> {
    if (statement.kind === 'select') return collectRows(await this.query(statement));
    const what = statement.kind.replaceAll('_', ' ');
    // SHOW reads no data that needs the database (SHOW QUERIES tells how a recovery is going)
    const admission = statement.kind === 'show' ? 'always' : 'normal';
    if (admission === 'normal') await this.admit(what);
    try {
      const result = await this.exclusive(async () => {
        try {
          const result = bulkWork(statement)
            ? await this.ctx.db.threads.bulk(this.ctx.conn, () => this.dispatch(statement, options.onNotice))
            : await this.dispatch(statement, options.onNotice);
          if (QUERY_CHANGING.has(statement.kind)) await refreshLateRowsView(this.ctx);
          return result;
        } catch (e) {
          throw asEddyError(e, 'INTERNAL', what);
        }
      }, what, admission);
      if (WRITES.has(statement.kind)) this.storage.writeSucceeded();
      // the rest (a CREATE's backfill) waits outside the queue: other sessions' statements go on
      return result instanceof FinishAfterQueue ? await result.finish() : result;
    } catch (e) {
      if (e instanceof PushAppendInDoubt) return commandResult(`INSERT 0 ${await this.settleAppend(e)}`);
      throw this.storageError(e, what, statement.kind === 'show' || statement.kind === 'explain' ? 'retry later' : undefined);
    }
  }

  /**
   * Runs a pull query and hands its rows over as DuckDB produces them (servers stream them to their
   * clients). It starts once every statement submitted before it has run, but outside the statement
   * queue, on a connection of its own: statements submitted after it do not wait for it. Aborting
   * `signal` (a client's cancel or disconnect) interrupts DuckDB.
   */
  async query(statement: Select, options: { signal?: AbortSignal } = {}): Promise<PullResult> {
    if (this.closed) throw new EddyError('OBJECT_IN_USE', 'the engine is closed');
    await this.admit('SELECT');
    await this.queue;
    if (this.storage.recovering) throw this.storage.unavailable('SELECT');
    try {
      return await pullQuery(this.ctx, this.pulls, statement, options.signal);
    } catch (e) {
      throw this.storageError(e, 'SELECT');
    }
  }

  /** Pull queries running now (for /metrics). */
  get pullQueriesRunning(): number {
    return this.pulls.running;
  }

  /**
   * Runs batches of every running query until all data available now is processed. A query that
   * failed is reported as an error naming it.
   */
  async drain(): Promise<void> {
    await this.admit('draining the queries');
    return this.exclusive(() => this.drainQueries(), 'draining the queries');
  }

  /** drain()'s work, for a caller already holding the statement queue (FLUSH). */
  private async drainQueries(): Promise<void> {
    for (const handle of this.ctx.queries.values()) {
      if (handle.query?.status !== 'running' && handle.query?.status !== 'retrying') continue;
      try {
        await handle.query.drain();
      } catch (e) {
        if (e instanceof EddyError && e.code === 'STORAGE_UNAVAILABLE') throw e;
        throw queryFailed(handle, e);
      }
    }
    const failed = [...this.ctx.queries.values()].find((h) => h.query?.status === 'failed');
    if (failed) throw queryFailed(failed, failed.query?.lastError);
  }

  /** Every continuous query, in creation order. */
  queries(): QueryInfo[] {
    return [...this.ctx.queries.values()].map((h) => {
      const progress = h.query?.progress() ?? [];
      return { name: h.object.name, kind: h.object.kind, status: status(h), lastBatch: progress[progress.length - 1]?.batchId ?? null, error: errorOf(h) };
    });
  }

  /**
   * Subscribes to a query's changes (SUBSCRIBE over psql, HTTP NDJSON and websockets encode this one
   * mechanism): the view's current rows or a resume point, then each batch's changes as the batch
   * commits, until the returned function is called or the query goes away, which `sink.end` is told
   * with the reason (subscriptions.ts).
   */
  async subscribe(name: string, request: SubscribeRequest, sink: ChangeSink): Promise<() => void> {
    await this.admit(`subscribing to "${name}"`);
    const handle = queryHandle(this.ctx, name);
    if (!handle.query) throw queryFailed(handle, handle.startError);
    if (handle.query.status === 'recovering') throw this.storage.unavailable(`subscribing to "${name}"`);
    return this.subscriptions.subscribe(handle.query, handle.object, request, sink);
  }

  /** Subscribers per query, for /metrics. */
  subscriberCounts(): Map<string, number> {
    return this.subscriptions.counts();
  }

  /**
   * Appends rows given as objects (keys are column names) to a push source (HTTP). A bad value or an
   * unknown column is a BAD_INPUT_ROW error naming the row index and column; nothing is appended then.
   */
  async appendRows(source: string, rows: readonly Record<string, unknown>[]): Promise<{ rows: number }> {
    const what = `appending rows to "${source}"`;
    await this.admit(what);
    try {
      const appended = await this.appendExclusive(source, rows, what);
      this.storage.writeSucceeded();
      return appended;
    } catch (e) {
      if (e instanceof PushAppendInDoubt) return { rows: await this.settleAppend(e) };
      // any other failure came before the rows' INSERT (PushAppendInDoubt covers that): none are stored
      throw this.storageError(e, what, 'the rows were not stored; send them again later');
    }
  }

  private appendExclusive(source: string, rows: readonly Record<string, unknown>[], what: string): Promise<{ rows: number }> {
    return this.exclusive(async () => {
      const object = this.ctx.catalog.get(source);
      if (!object) throw new EddyError('UNDEFINED_TABLE', `source "${source}" does not exist`);
      if (object.kind !== 'source' || object.connector !== PUSH_CONNECTOR) {
        const what = object.kind === 'source' ? `source "${source}" reads from the ${object.connector} connector` : `"${source}" is not a source`;
        throw new EddyError('WRONG_OBJECT_TYPE', `cannot append rows: ${what}`, { hint: 'rows can be appended to sources created without a connector' });
      }
      const append = () => this.ctx.push.appendRows(this.ctx.conn, object, rows);
      return rows.length >= BULK_APPEND_ROWS ? this.ctx.db.threads.bulk(this.ctx.conn, append) : append();
    }, what);
  }

  /** The last progress objects of a query, oldest first. */
  progress(name: string): readonly Progress[] {
    return queryHandle(this.ctx, name).query?.progress() ?? [];
  }

  /** Stops every query (their state stays on disk) and closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.storage.close();
    this.subscriptions.close();
    await this.queue.catch(() => undefined);
    await this.closeStorage((handle) => handle.query?.stop());
    this.ctx.log.close();
    this.lock.release();
  }

  /**
   * Stops every query with `stop` (each closes its connection), then closes the pull connections,
   * the engine's connection and the instance: DuckDB lets go of the database files only once every
   * connection is closed.
   */
  private async closeStorage(stop: (handle: QueryHandle) => Promise<void> | undefined): Promise<void> {
    for (const handle of this.ctx.queries.values()) {
      await stop(handle)?.catch((e: unknown) => log.warn({ query: handle.object.name, err: (e as Error).message }, 'stopping query failed'));
    }
    if (!this.storageOpen) return;
    this.storageOpen = false;
    await this.pulls.close();
    if (this.pulls.running > 0) log.warn({ running: this.pulls.running }, 'pull queries did not let go of their connections; the old database stays open until they do');
    this.ctx.conn.close();
    this.ctx.db.close();
  }

  private async dispatch(statement: Statement, onNotice?: (message: string) => void): Promise<StatementResult | FinishAfterQueue> {
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
        return createContinuous(ctx, statement, onNotice);
      case 'create_sink':
        checkNewObjectName(ctx.catalog, 'sink', statement.name, statement.start);
        return createContinuous(ctx, statement, onNotice);
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
      case 'flush':
        // Paused queries are left as they are: FLUSH waits for what runs, as drain() does.
        await this.drainQueries();
        return commandResult('FLUSH');
      case 'subscribe':
        throw new EddyError('FEATURE_NOT_SUPPORTED', 'SUBSCRIBE streams changes and needs a psql, HTTP or websocket session', {
          position: statement.start,
          hint: `use SELECT * FROM ${statement.name} for the current result`,
        });
      case 'transaction':
      case 'set_parameter':
      case 'set_transaction':
      case 'reset_parameter':
      case 'show_parameter':
      case 'discard':
      case 'deallocate':
      case 'declare_cursor':
      case 'fetch':
      case 'close_cursor':
      case 'copy':
        throw sessionStatementRefused(statement);
    }
  }

  /**
   * Brings back what the DDL log records: tables, views and push-source data are already in
   * eddy.duckdb; continuous queries are rebuilt from their SQL and resume from their checkpoints.
   * A query that cannot be rebuilt is kept (failed, with its error) rather than stopping start-up.
   */
  private async restore(paused: ReadonlySet<string>): Promise<void> {
    await this.migrateLegacyQueryDirs();
    await restoreQueries(this.ctx, {
      resumption: (name) => (paused.has(name) ? { kind: 'leave' } : { kind: 'start' }),
      allOrNothing: false,
      warn: (message) => this.warnings.push(message),
    });
  }

  /** A statement, query or batch met a storage fault (ctx.reportStorageFault). */
  private storageFaulted(fault: StorageFault): void {
    if (this.closed) return;
    if (fault.kind === 'invalidated') void this.storage.request(fault);
    else this.storage.writeFailed(fault);
  }

  /** Waits (bounded) for a recovery in progress; STORAGE_UNAVAILABLE when it lasts longer. */
  private async admit(what: string): Promise<void> {
    if (this.closed) throw new EddyError('OBJECT_IN_USE', 'the engine is closed');
    if (!(await this.storage.whenReady())) throw this.storage.unavailable(what);
  }

  /**
   * A failed statement's error as the user sees it: a storage fault is STORAGE_UNAVAILABLE, never
   * DuckDB's "database has been invalidated". For an invalidated database DuckDB cannot say whether
   * the statement's transaction was stored (appends find out: settleAppend), and the error says so.
   */
  private storageError(e: unknown, what: string, outcome?: string): unknown {
    const fault = storageFault(e);
    if (!fault) return e;
    if (fault.kind === 'invalidated') {
      return new EddyError('STORAGE_UNAVAILABLE', `${what}: the data directory cannot be written for now (${fault.reason}); Eddy is reopening its database`, {
        cause: e,
        hint: outcome ?? 'whether the statement took effect is not known: check before running it again',
      });
    }
    if (e instanceof EddyError && e.code === 'STORAGE_UNAVAILABLE') return e;
    return new EddyError('STORAGE_UNAVAILABLE', `${what}: the data directory cannot be written for now (${fault.reason})`, {
      cause: e,
      hint: 'nothing was stored; retry later',
    });
  }

  /**
   * An append whose write failed: the database is reopened and the rows numbered after the source's
   * last sequence number before the append are counted. Stored: the append succeeded (the client
   * must not send the rows again); none: STORAGE_UNAVAILABLE, and a retry is safe.
   */
  private async settleAppend(e: PushAppendInDoubt): Promise<number> {
    const stored = await this.storage.readBack(e.fault, (conn) => appendedAfter(conn, e.source, e.after));
    if (stored === 0) {
      throw new EddyError('STORAGE_UNAVAILABLE', `source "${e.source}": the data directory cannot be written for now (${e.fault.reason}); the rows were not stored`, {
        cause: e.cause,
        hint: 'send them again later',
      });
    }
    if (e.expected !== null && stored !== e.expected) {
      throw new EddyError('INTERNAL', `source "${e.source}": an append of ${e.expected} rows whose write failed left ${stored} rows after sequence number ${e.after}`, { cause: e.cause });
    }
    log.warn({ source: e.source, rows: stored, reason: e.fault.reason }, 'an append whose write reported a failure was stored: answering success');
    return stored;
  }

  /**
   * One attempt of a recovery (run in the statement queue): stops the queries and closes the
   * database, opens it again, answers the appends in doubt, then builds every query again from its
   * checkpoint as a restart would, and starts those that ran.
   */
  private async reopen(readBack: (conn: Connection) => Promise<void>): Promise<void> {
    const error = this.storage.unavailable('the query');
    if (this.resumptions === null) {
      this.resumptions = new Map([...this.ctx.queries].map(([name, handle]) => [name, resumptionOf(handle)]));
    }
    await this.closeStorage((handle) => handle.query?.stopForRecovery(error));
    const { db, conn } = await openMainDatabase(this.main, false);
    this.ctx.db = db;
    this.ctx.conn = conn;
    this.ctx.connectors = { ...this.ctx.connectors, db };
    this.ctx.push = pushSourceStore(db);
    this.pulls = new PullConnections(db);
    this.storageOpen = true;
    try {
      await readBack(conn);
      const resumptions = this.resumptions;
      await restoreQueries(this.ctx, {
        resumption: (name) => resumptions.get(name) ?? { kind: 'start' },
        allOrNothing: true,
        warn: (message) => log.warn(message),
      });
    } catch (e) {
      await this.closeStorage((handle) => handle.query?.stopForRecovery(error));
      throw e;
    }
    this.resumptions = null;
  }

  /** Between failed reopen attempts: the database read-only, to answer appends in doubt. */
  private async readOnlyLook(readBack: (conn: Connection) => Promise<void>): Promise<void> {
    const { db, conn } = await openMainDatabase(this.main, true);
    try {
      await readBack(conn);
    } finally {
      conn.close();
      db.close();
    }
  }

  /** Checkpoints of data directories written before query-dir.ts move to their new directories. */
  private async migrateLegacyQueryDirs(): Promise<void> {
    const names = this.ctx.catalog.list().filter((o) => o.kind === 'materialized_view' || o.kind === 'sink').map((o) => o.name);
    for (const move of await migrateLegacyQueryDirs(this.ctx.dataDir, names)) {
      if (move.outcome === 'moved') log.warn({ query: move.name, from: move.from, to: move.to }, 'moved a checkpoint directory named by its query to its new location');
      else log.warn({ query: move.name, from: move.from, to: move.to }, 'left a legacy checkpoint directory alone: the query already has a directory at the new location');
    }
  }

  /**
   * Runs fn after everything submitted before it. While the database is being reopened, work that
   * needs it is refused at its turn (`normal`); SHOW (`always`) and the recovery's own steps run.
   * A storage fault is noted before the queue moves on, so that the next statement already sees a
   * recovery that the fault started.
   */
  private exclusive<T>(fn: () => Promise<T>, what: string, admission: 'normal' | 'always' | 'recovery' = 'normal'): Promise<T> {
    if (this.closed && admission !== 'recovery') return Promise.reject(new EddyError('OBJECT_IN_USE', 'the engine is closed'));
    const guarded = async (): Promise<T> => {
      if (admission === 'normal' && this.storage.recovering) throw this.storage.unavailable(what);
      if (admission === 'recovery' && this.closed) throw new EddyError('OBJECT_IN_USE', 'the engine is closed');
      try {
        return await fn();
      } catch (e) {
        if (admission !== 'recovery') this.noteFault(e);
        throw e;
      }
    };
    const run = this.queue.then(guarded, guarded);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private noteFault(e: unknown): void {
    if (e instanceof PushAppendInDoubt) {
      void this.storage.request(e.fault); // the append's readBack joins this recovery
      return;
    }
    const fault = storageFault(e);
    if (fault) this.storageFaulted(fault);
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

/** Statements that write to the main database: their success shows the storage takes writes again. */
const WRITES: ReadonlySet<Statement['kind']> = new Set(['insert', 'update', 'delete', 'create_table', 'create_source']);

/** What a query was doing when its database failed, so that it resumes as it was afterwards. */
function resumptionOf(handle: QueryHandle): Resumption {
  const query = handle.query;
  if (!query) return { kind: 'start' }; // could not start before: try again
  if (query.status === 'paused' || query.status === 'stopped') return { kind: 'leave' };
  if (query.status === 'failed' && query.lastError && query.lastError.code !== 'STORAGE_UNAVAILABLE') return { kind: 'failed', error: query.lastError };
  return { kind: 'start' };
}

async function openMainDatabase(main: MainDatabaseConfig, readOnly: boolean): Promise<{ db: Database; conn: Connection }> {
  const confine = main.fileRoots ? { allowedDirectories: [...main.fileRoots, queriesRoot(main.dataDir)] } : {};
  const db = await Database.open(path.join(main.dataDir, 'eddy.duckdb'), { ...main.duckdb, ...confine, readOnly });
  try {
    return { db, conn: await db.connect() };
  } catch (e) {
    db.close();
    throw e;
  }
}

function queryFailed(handle: QueryHandle, cause: unknown): EddyError {
  const what = `${handle.object.kind === 'sink' ? 'sink' : 'materialized view'} "${handle.object.name}"`;
  const message = cause instanceof Error ? cause.message : String(cause ?? 'unknown error');
  return new EddyError('QUERY_FAILED', `${what} failed: ${message}`, { cause, hint: cause instanceof EddyError ? cause.hint : undefined });
}
