/**
 * StreamingQuery: one micro-batch loop per materialized view or sink (DESIGN.md §4).
 * Batch N: plan each source's end offset, write offsets/N, load the deltas, run every operator
 * and record the output and the state version in one transaction, deliver to the sink, write
 * commits/N. On open, a query resumes from its state version, re-running or redelivering as needed.
 */
import type { QueryObject, SourceObject } from '../catalog/types.js';
import { commitLog, offsetLog, type BatchLog, type CommitEntry, type OffsetEntry } from '../checkpoint/batch-log.js';
import { removeQueryDir } from '../checkpoint/query-dir.js';
import { faultPoint } from '../util/fault.js';
import { incompatibleCheckpoint, openMetadata, type QueryMetadata } from '../checkpoint/metadata.js';

import { sourceConnector } from '../connectors/registry.js';
import type { ConnectorEnv, LoadStats, OutputMode, SinkWriter, SkippedInput, SourceOffset, SourceReader } from '../connectors/types.js';
import { duckErrorCode } from '../duck/error-codes.js';
import type { Connection, Database } from '../duck/index.js';
import { storageFault, type StorageFault } from '../duck/storage-fault.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { asEddyError, EddyError } from '../util/errors.js';
import { log } from '../util/log.js';
import { BatchPipeline, type Change } from './batch-pipeline.js';
import type { Progress, SourceProgress } from './progress.js';
import { StateStore } from './state-store.js';
import { microsToIso, WatermarkTracker } from './watermark.js';
import { parseTrigger, type Trigger } from './trigger.js';

/**
 * `retrying`: a source, a sink or the storage is unavailable for now; the loop retries with backoff
 * by itself. `recovering`: the database was invalidated under the query (a failed write); the
 * engine reopens it and resumes the query from its checkpoint (src/engine/storage-recovery.ts).
 */
export type QueryStatus = 'running' | 'retrying' | 'recovering' | 'paused' | 'failed' | 'stopped';

/** The changes one batch made to a query's result, as subscribers receive them. */
export interface ChangeBatch {
  readonly batch: number;
  readonly changes: readonly Change[];
}

/** Why a subscription ended without being unsubscribed: its query was dropped, reset, or shut down. */
export type SubscriptionEnd = 'dropped' | 'reset' | 'shutdown' | 'recovering';

export interface SubscribeOptions {
  readonly snapshot: boolean;
  /** Called once if the query goes away while subscribed; no change follows. */
  readonly onEnd?: (reason: SubscriptionEnd) => void;
}

export interface Subscription {
  /** The result as of `snapshotBatch` (empty when no snapshot was asked for). */
  readonly snapshot: readonly Readonly<Record<string, unknown>>[];
  /** The last batch included in the snapshot; changes arrive from the batch after it. */
  readonly snapshotBatch: number;
  unsubscribe(): void;
}

export interface StreamingQueryConfig {
  readonly object: QueryObject;
  readonly plan: IncrementalPlan;
  readonly db: Database;
  readonly env: ConnectorEnv;
  /** The catalog objects of plan.sources, by name. */
  readonly sources: ReadonlyMap<string, SourceObject>;
  /** The sink's writer (sinks), or null (materialized views: the result table is the output). */
  readonly sink: SinkWriter | null;
  /**
   * A newly created query (CREATE, RESET) starts afresh: whatever an earlier query of the same name
   * left in its directory (a crash before its DDL was logged) is discarded. Otherwise it resumes.
   */
  readonly fresh?: boolean;
  /**
   * Told when a batch found the database invalidated (every connection of the instance is dead):
   * the query stops its loop, and the engine reopens the database and builds the query again.
   */
  readonly onInvalidated?: (fault: StorageFault, error: EddyError) => void;
}


interface OpenSource {
  readonly name: string;
  readonly reader: SourceReader;
  offset: SourceOffset;
}

/** What loading a batch's sources found (step 3). */
interface LoadedBatch {
  readonly loaded: Map<string, LoadStats>;
  /** Per source: rows below the watermark. */
  readonly late: Map<string, number>;
  /** Statements storing late rows (late_rows = 'keep'), run in the batch's transaction. */
  readonly keepLate: string[];
  eventMin: number | null;
  eventMax: number | null;
}

const PROGRESS_KEPT = 100;
/** Skipped inputs a progress entry lists (all are counted). */
const SKIPPED_INPUTS_KEPT = 10;
/**
 * A batch this big, or a state table this big (each probe scans it), is bulk work: the next batch
 * runs on every DuckDB thread (WorkerThreads). Measured on two cores: batches of ~1,300 rows over
 * small state are 15-30% faster on one thread, batches of 100k rows about as fast on either, a
 * probe of a 1M-row state 1.7x faster on two (docs/BENCHMARKS.md "Threads").
 */
const BULK_INPUT_ROWS = 50_000;
const BULK_STATE_ROWS = 500_000;
/** offsets/ and commits/ keep this many most recent batches unless checkpoint_retention says otherwise. */
export const DEFAULT_CHECKPOINT_RETENTION = 100;

const IDLE_POLL_MS = Number(process.env.EDDY_IDLE_POLL_MS ?? 100);
const RETRY_MIN_MS = Number(process.env.EDDY_RETRY_MIN_MS ?? 500);
const RETRY_MAX_MS = Number(process.env.EDDY_RETRY_MAX_MS ?? 30_000);
/** How long a drain keeps retrying an unavailable source before it gives up with the error. */
const DRAIN_RETRY_MS = Number(process.env.EDDY_DRAIN_RETRY_MS ?? 30_000);

export class StreamingQuery {
  readonly name: string;
  readonly id: string;
  status: QueryStatus = 'stopped';
  lastError: EddyError | null = null;
  private readonly trigger: Trigger;
  private readonly maxRows: number | undefined;
  private readonly history: Progress[] = [];
  private readonly watermarks: WatermarkTracker;
  private readonly keepLateRows: boolean;
  /** The watermark the last batch ran with (undefined: none ran since start). */
  private lastBatchWatermark: number | null | undefined = undefined;
  /** Whether any operator's state or output depends on the watermark. */
  private readonly closesByWatermark: boolean;
  private nextBatchId = 0;
  /** Serialises batches: the loop, drain and pause all take it. */
  private lock: Promise<void> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly offsets: BatchLog<OffsetEntry>;
  private readonly commits: BatchLog<CommitEntry>;
  private readonly listeners = new Set<(p: Progress) => void>();
  /** Each subscriber's listener and what to call when the query goes away. */
  private readonly subscribers = new Map<(c: ChangeBatch) => void, ((reason: SubscriptionEnd) => void) | undefined>();
  /** Set once the query stopped for good: later subscriptions are refused with it. */
  private ended: SubscriptionEnd | null = null;
  /** Consecutive failed attempts while retrying, for the backoff. */
  private retries = 0;
  /** Set when a batch failed part-way: the next batch first resumes from the checkpoint on disk. */
  private needsRecovery = false;
  /**
   * Whether offsets/N may already exist for the next batch: only after a recovery (a batch planned
   * before a crash or failure). Once a batch completes, the next one is new, so its log is not read.
   */
  private offsetsMayBeLogged = true;
  private batchInFlight = 0;
  /** Whether the next batch is likely bulk work: the first one after start (a backlog), or after a big one. */
  private nextBatchBulk = true;

  private readonly retention: number;


  private constructor(
    readonly config: StreamingQueryConfig,
    private readonly conn: Connection,
    private readonly store: StateStore,
    private readonly pipeline: BatchPipeline,
    private readonly sources: OpenSource[],
    metadata: QueryMetadata,
  ) {
    this.name = config.object.name;
    this.id = metadata.id;

    const options = config.object.options;
    this.trigger = parseTrigger(options.trigger);
    const maxRows = options.max_rows_per_batch;
    this.maxRows = maxRows === undefined ? undefined : Number(maxRows);
    if (this.maxRows !== undefined && !(Number.isInteger(this.maxRows) && this.maxRows > 0)) {
      throw new EddyError('INVALID_PARAMETER', `max_rows_per_batch must be a positive integer, got ${JSON.stringify(maxRows)}`);
    }
    this.offsets = offsetLog(config.env.dataDir, this.name);
    this.commits = commitLog(config.env.dataDir, this.name);
    this.watermarks = new WatermarkTracker(config.sources);
    this.keepLateRows = options.late_rows === 'keep';
    this.closesByWatermark = config.plan.operators.some((op) =>
      (op.kind === 'aggregate' && op.windowEnd !== null) || (op.kind === 'stream_join' && op.timeBound !== null) ||
      op.kind === 'session_window' || (op.kind === 'rank' && op.windowEnd !== null));
    this.retention = Number(options.checkpoint_retention ?? DEFAULT_CHECKPOINT_RETENTION);
  }


  /** Attaches the query's state, creates its result table and opens its sources; does not start it. */
  static async create(config: StreamingQueryConfig): Promise<StreamingQuery> {
    const conn = await config.db.connect();
    if (config.fresh) await removeQueryDir(config.env.dataDir, config.object.name);
    const store = await StateStore.attach(conn, config.env.dataDir, config.object.name);
    const sources: OpenSource[] = [];
    try {
      const metadata = await openMetadata(config.env.dataDir, config.object.name, config.object.sql, config.plan.fingerprint);

      for (const name of config.plan.sources) {
        const object = config.sources.get(name);
        if (!object) throw new EddyError('INTERNAL', `source "${name}" of "${config.object.name}" was not given`);
        const reader = await sourceConnector(object.connector).open(object, config.env);
        sources.push({ name, reader, offset: reader.initialOffset });
      }
      const inPlace = new Set(sources.filter((s) => s.reader.inPlace !== undefined).map((s) => s.name));
      const pipeline = new BatchPipeline(config.plan, store, config.sources, config.object.kind === 'sink' ? 'sink' : 'view', inPlace);
      await pipeline.setup(conn);
      const query = new StreamingQuery(config, conn, store, pipeline, sources, metadata);

      try {
        await query.recover();
      } catch (e) {
        // a redelivery the storage refuses for now: the loop retries it (recovery first) when it starts
        if (storageFault(e)?.kind !== 'write_failed') throw e;
        query.needsRecovery = true;
        query.lastError = query.classify(e).error;
      }
      return query;
    } catch (e) {
      for (const s of sources) await s.reader.close().catch(() => undefined);
      await store.detach(conn).catch(() => undefined);
      conn.close();
      // DuckDB refusing the query's SQL (too deep, a bad cast) is the statement's error, not an internal one.
      throw asEddyError(e, (e instanceof Error && duckErrorCode(e.message)) || 'QUERY_FAILED', `cannot start "${config.object.name}"`);
    }
  }

  /** Qualified name of the result table (readable from any connection of the database). */
  get resultRelation(): string {
    return this.pipeline.resultTable;
  }

  /** Qualified name of the query's table of late rows (late_rows = 'keep'). */
  get lateRowsRelation(): string {
    return this.pipeline.lateRowsTable;
  }

  get outputMode(): OutputMode {
    return this.config.plan.outputMode;
  }

  get lastBatchId(): number {
    return this.nextBatchId - 1;
  }

  /** Starts the trigger loop. */
  start(): void {
    if (this.status === 'running') return;
    this.status = 'running';
    this.lastError = null;
    this.loop = this.runLoop();
  }

  async pause(): Promise<void> {
    if (this.status !== 'running' && this.status !== 'retrying') return;
    this.status = 'paused';
    this.wake?.();
    await this.loop;
  }

  resume(): void {
    if (this.status === 'paused' || this.status === 'failed') this.start();
  }

  /**
   * Subscribes to the result's changes: a snapshot of the result (materialized views), then every
   * batch's changes as it commits. Taken under the batch lock, so no batch falls between the two.
   */
  async subscribe(listener: (c: ChangeBatch) => void, options: SubscribeOptions = { snapshot: true }): Promise<Subscription> {
    return this.exclusive(async () => {
      if (this.ended) throw subscriptionEnded(this.config.object, this.ended);
      const snapshot = options.snapshot && this.pipeline.keepsResultTable ? await this.pipeline.readResult(this.conn) : [];
      this.subscribers.set(listener, options.onEnd);
      return { snapshot, snapshotBatch: this.lastBatchId, unsubscribe: () => this.subscribers.delete(listener) };
    });
  }

  /** Tells every subscriber the query is gone, once; later subscriptions are refused. */
  private endSubscriptions(reason: SubscriptionEnd): void {
    this.ended ??= reason;
    const ends = [...this.subscribers.values()];
    this.subscribers.clear();
    for (const end of ends) {
      try {
        end?.(reason);
      } catch (e) {
        log.warn({ query: this.config.object.name, err: (e as Error).message }, 'a subscriber failed while its subscription ended');
      }
    }
  }

  /** Runs batches until all data available in the sources at the time of the call is processed. */
  async drain(): Promise<void> {
    if ((this.status === 'failed' || this.status === 'recovering') && this.lastError) throw this.lastError;
    const deadline = Date.now() + DRAIN_RETRY_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.exclusive(async () => {
          if (this.status === 'failed' && this.lastError) throw this.lastError; // failed while this drain waited
          this.batchInFlight = this.nextBatchId;
          if (this.needsRecovery) await this.failing(() => this.recover());
          const cap = new Map<string, SourceOffset>();


          for (const s of this.sources) cap.set(s.name, await s.reader.latestOffset());
          while (this.needsEmptyBatch() || this.sources.some((s) => s.reader.hasData(s.offset, cap.get(s.name)))) {
            await this.failing(() => this.runBatchOnThreads(cap));

          }
        });
        return;
      } catch (e) {
        const { error, fault } = this.classify(e);
        if (fault?.kind === 'invalidated') {
          this.invalidated(fault, error);
          throw error;
        }
        if (!retriable(error) || Date.now() >= deadline) {
          if (!retriable(error)) this.fail(error);
          throw error;
        }
        await sleep(backoff(attempt));
      }
    }
  }

  /**
   * Stops the loop, closes sources and sink and the query's connection; state stays on disk. The
   * connection must go: an open one keeps DuckDB's instance, and its lock on the database files,
   * alive after the engine closed it.
   */
  async stop(reason: SubscriptionEnd = 'shutdown'): Promise<void> {
    await this.halt(reason);
    this.conn.close();
  }

  /** Stops and deletes the query's state; subscribers are told why (dropped, or reset to start over). */
  async drop(reason: 'dropped' | 'reset' = 'dropped'): Promise<void> {
    await this.halt(reason);
    try {
      await this.store.destroy(this.conn);
    } finally {
      this.conn.close();
    }
  }

  /**
   * The engine is about to reopen the database (storage-recovery.ts): the query stops and lets go of
   * its connection, and reports `recovering` with the storage error until its successor, built from
   * the same checkpoint, takes its place.
   */
  async stopForRecovery(error: EddyError): Promise<void> {
    await this.halt('recovering');
    this.conn.close();
    this.status = 'recovering';
    this.lastError = error;
  }

  /**
   * After the engine rebuilt a query that had failed before its database was reopened: it stays
   * failed with its error (RESUME continues it), rather than coming back as if nothing had happened.
   */
  markFailed(error: EddyError): void {
    this.lastError = error;
    this.status = 'failed';
  }

  private async halt(reason: SubscriptionEnd): Promise<void> {
    if (this.status === 'running' || this.status === 'retrying') await this.pause();
    this.status = 'stopped';
    await this.exclusive(async () => this.endSubscriptions(reason));
    for (const s of this.sources) await s.reader.close().catch(() => undefined);
    await this.config.sink?.close().catch(() => undefined);
  }

  /** The last progress objects, oldest first (at most 100). */
  progress(): readonly Progress[] {
    return this.history;
  }

  onProgress(listener: (p: Progress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise<void>((r) => (release = r));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private async runLoop(): Promise<void> {
    const t = this.trigger;
    const finite = t.kind === 'once' || t.kind === 'available_now';
    let cap: Map<string, SourceOffset> | null = null;
    while (this.status === 'running' || this.status === 'retrying') {
      let ran = false;
      try {
        ran = await this.exclusive(async () => {
          if (this.status !== 'running' && this.status !== 'retrying') return false;
          this.batchInFlight = this.nextBatchId;
          if (this.needsRecovery) await this.failing(() => this.recover());
          const latest = new Map<string, SourceOffset>();


          for (const s of this.sources) latest.set(s.name, await s.reader.latestOffset());
          if (t.kind === 'available_now') cap ??= latest;
          const bound = cap ?? latest;
          if (!this.needsEmptyBatch() && !this.sources.some((s) => s.reader.hasData(s.offset, bound.get(s.name)))) return false;
          await this.failing(() => this.runBatchOnThreads(bound));

          return true;
        });
      } catch (e) {
        const { error, fault } = this.classify(e);
        if (fault?.kind === 'invalidated') {
          this.invalidated(fault, error);
          return;
        }
        if (!retriable(error)) {
          this.fail(error);
          return;
        }
        // Unavailable for now: say so, wait, and try the same batch again (recover() first finds
        // out from the state version whether its transaction committed).
        if (this.status !== 'running' && this.status !== 'retrying') return; // paused or stopped meanwhile
        this.status = 'retrying';
        this.lastError = error;
        log.warn({ query: this.name, err: error.message, attempt: this.retries }, error.code === 'STORAGE_UNAVAILABLE' ? 'storage unavailable; retrying' : 'source or sink unavailable; retrying');
        await this.sleepInterruptibly(backoff(this.retries++));
        if (this.status === 'retrying') this.status = 'running';
        continue;
      }
      if (this.status === 'running' && this.retries > 0) {
        this.retries = 0;
        this.lastError = null;
      }
      if (finite && (t.kind === 'once' ? ran : !ran)) {
        this.status = 'stopped';
        return;
      }
      const wait = t.kind === 'interval' ? t.ms : ran ? 0 : IDLE_POLL_MS;
      if (wait > 0) await this.sleepInterruptibly(wait);
    }
  }

  /** Sleeps, unless pause() wakes the loop first. */
  private async sleepInterruptibly(ms: number): Promise<void> {
    // pause() may have come while the loop was between its check of the status and this sleep: it
    // found no sleep to wake, so the loop must not start one (it would outlast pause, up to a trigger)
    if (this.status !== 'running' && this.status !== 'retrying') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  /**
   * A global aggregate (no GROUP BY) has a row even over no input, as in SQL; the first batch runs
   * at once, empty if need be, so that the result holds it from the start.
   */
  /**
   * Whether a batch must run although no source has new data: the first batch of a global
   * aggregate, or a watermark that moved past the one the last batch used while the plan holds
   * state that the watermark closes (windows emitted on close, evicted join rows), as Spark's
   * no-data batches do.
   */
  private needsEmptyBatch(): boolean {
    if (this.needsInitialBatch()) return true;
    const next = this.watermarks.watermark;
    return this.closesByWatermark && next !== null && next !== this.lastBatchWatermark;
  }

  private needsInitialBatch(): boolean {
    return this.nextBatchId === 0 && this.config.plan.operators.some((op) => op.kind === 'aggregate' && op.keys.length === 0);
  }

  /**
   * Runs a step of the loop under the batch lock and marks the query failed there, before the lock
   * is released, so a drain waiting for the lock sees the failure instead of recovering past it.
   */
  private async failing<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (e) {
      const { error, fault } = this.classify(e);
      if (!retriable(error) && !fault) this.fail(error);
      throw error;
    }
  }

  /**
   * An error of a batch as the query reports it: a storage fault is STORAGE_UNAVAILABLE (retried;
   * for an invalidated database, after the engine reopened it), whatever DuckDB or the file system
   * called it.
   */
  private classify(e: unknown): { error: EddyError; fault: StorageFault | null } {
    if (e instanceof EddyError && e.code === 'STORAGE_UNAVAILABLE') return { error: e, fault: storageFault(e) };
    const fault = storageFault(e);
    if (!fault) return { error: asEddyError(e, 'QUERY_FAILED', `query "${this.name}" failed`), fault: null };
    const error = new EddyError('STORAGE_UNAVAILABLE', `query "${this.name}": the data directory cannot be written for now (${fault.reason})`, {
      cause: e,
      hint: fault.kind === 'invalidated' ? 'Eddy reopens its database and resumes the query from its checkpoint' : 'the query retries the batch by itself',
    });
    return { error, fault };
  }

  /** The database died under the query: the loop ends here and the engine takes over. */
  private invalidated(fault: StorageFault, error: EddyError): void {
    this.status = 'recovering';
    this.lastError = error;
    log.warn({ query: this.name, err: error.message }, 'database invalidated under the query; waiting for the engine to reopen it');
    this.config.onInvalidated?.(fault, error);
  }

  private fail(e: unknown): void {
    if (this.status === 'failed' && e === this.lastError) return; // already recorded under the lock
    this.lastError = asEddyError(e, 'QUERY_FAILED', `query "${this.name}" failed`);

    this.status = 'failed';
    log.error({ query: this.name, err: this.lastError.message }, 'query failed');
    this.record({
      id: this.id, name: this.name, batchId: this.batchInFlight, timestamp: new Date().toISOString(),


      numInputRows: 0, inputRowsPerSecond: 0, processedRowsPerSecond: 0, durationMs: {}, eventTime: {}, stateOperators: [],
      sources: [], sink: { numOutputRows: 0, description: this.config.object.kind === 'sink' ? this.config.object.connector : 'result table' },
      error: this.lastError.message,
    });
  }

  private record(progress: Progress): void {
    this.history.push(progress);
    if (this.history.length > PROGRESS_KEPT) this.history.shift();
    for (const l of this.listeners) l(progress);
  }


  /**
   * A batch re-run from offsets/N must start where the state ends, or it would skip or repeat rows;
   * a mismatch means the checkpoint was tampered with or mixed up, so the query stops rather than guess.
   */
  private checkLoggedStart(logged: OffsetEntry): void {
    for (const s of this.sources) {
      const start = logged.sources[s.name]?.start;
      if (JSON.stringify(start) !== JSON.stringify(s.offset)) {
        throw new EddyError('QUERY_FAILED',
          `"${this.name}": offsets/${logged.batchId}.json starts source "${s.name}" at ${JSON.stringify(start)}, but its state ends at ${JSON.stringify(s.offset)}`,
          { hint: `the checkpoint in ${this.store.dir} is inconsistent; ALTER ... ${this.name} RESET starts it afresh` });
      }
    }
  }

  /** Resumes from the state version: redeliver an undelivered batch, re-run a planned one. */

  private async recover(): Promise<void> {
    this.needsRecovery = false;
    this.offsetsMayBeLogged = true;
    const version = await this.store.version(this.conn);
    if (version === null) {
      this.nextBatchId = 0;
      this.watermarks.restore(undefined);
      for (const s of this.sources) s.offset = s.reader.initialOffset;
      return;
    }
    if (version.fingerprint !== this.config.plan.fingerprint) {
      throw incompatibleCheckpoint(this.name, `its plan changed (fingerprint ${version.fingerprint} -> ${this.config.plan.fingerprint})`);
    }
    this.nextBatchId = version.batchId + 1;
    this.watermarks.restore(version.eventTime);
    for (const s of this.sources) s.offset = s.name in version.offsets ? version.offsets[s.name] : s.reader.initialOffset;
    // State at N without commits/N: the crash came between the transaction and the commit record.
    this.batchInFlight = version.batchId;

    if ((await this.commits.read(version.batchId)) === undefined) {
      if (this.pipeline.deliversFromOutput) {
        // No outbox to redeliver from: run batch N again from offsets/N (stateless, so the same rows).
        const logged = await this.offsets.read(version.batchId);
        if (!logged) {
          throw new EddyError('QUERY_FAILED', `"${this.name}": batch ${version.batchId} was not delivered and offsets/${version.batchId}.json is missing`, {
            hint: `the checkpoint in ${this.store.dir} is incomplete; ALTER ... ${this.name} RESET starts it afresh`,
          });
        }
        this.nextBatchId = version.batchId;
        for (const s of this.sources) s.offset = logged.sources[s.name]?.start ?? s.reader.initialOffset;
        return;
      }
      await this.deliver(version.batchId, 0, null);
    } else {
      await this.sourcesCommitted();
    }
  }

  /** Tells the sources that their current offsets are committed; a failure there only warns. */
  private async sourcesCommitted(): Promise<void> {
    for (const s of this.sources) {
      try {
        await s.reader.committed?.(s.offset);
      } catch (e) {
        log.warn({ query: this.name, source: s.name, err: (e as Error).message }, 'source clean-up after commit failed');
      }
    }
  }

  /**
   * Runs a batch on every DuckDB thread when it is likely bulk work (the one before was big), else on
   * whatever is set, and afterwards lets a light batch lower the threads (WorkerThreads).
   */
  private async runBatchOnThreads(bound: ReadonlyMap<string, SourceOffset>): Promise<void> {
    const threads = this.config.db.threads;
    if (this.nextBatchBulk) {
      await threads.bulk(this.conn, () => this.runBatch(bound));
      return;
    }
    await this.runBatch(bound);
    if (!this.nextBatchBulk) await threads.settle(this.conn);
  }

  private async runBatch(bound: ReadonlyMap<string, SourceOffset>): Promise<void> {
    const batchId = this.nextBatchId;
    const started = Date.now();
    const durations: Record<string, number> = {};
    const lap = (phase: string, since: number): number => {
      const now = Date.now();
      durations[phase] = now - since;
      return now;
    };

    // 1-2. Plan the batch's offsets (or reuse those already logged for it) and log them.
    let t = Date.now();
    this.needsRecovery = true; // until the batch completes
    this.batchInFlight = batchId;

    const logged = this.offsetsMayBeLogged ? await this.offsets.read(batchId) : undefined;
    if (logged) this.checkLoggedStart(logged);
    const starts = new Map(this.sources.map((s) => [s.name, s.offset]));

    const ends = new Map<string, SourceOffset>();
    for (const s of this.sources) {
      const end = logged?.sources[s.name]?.end ?? s.reader.endOffset(s.offset, bound.get(s.name), this.maxRows);
      ends.set(s.name, end);
    }
    const watermark = logged ? (logged.watermark ?? null) : this.watermarks.watermark;
    // offsets/N must be durable before the batch's transaction commits (nothing of batch N is
    // committed or delivered before that), not before its sources are read or its operators run:
    // those change only this connection's temp tables and an open transaction, so the file's fsyncs
    // overlap them, and the commit waits for the file.
    const entry: OffsetEntry = logged ?? {
      batchId,
      sources: Object.fromEntries(this.sources.map((s) => [s.name, { start: s.offset, end: ends.get(s.name) }])),
      watermark,
      timestamp: new Date().toISOString(),
    };
    let offsetsLogged = logged ? null : this.offsets.write(batchId, entry);
    // handled now so that a failed write does not count as unhandled meanwhile; awaited below
    offsetsLogged?.catch(() => undefined);
    let batch: LoadedBatch;
    let output: { rows: number | null; delta: string };
    try {
      // 3. Load each source's delta; note its event times and late rows.
      this.lastBatchWatermark = watermark;
      batch = await this.loadSources(batchId, ends, watermark, entry);
      faultPoint(this.name, 'after-load', batchId);
      // inputs skipped whole go into offsets/N before the commit, so that a re-run skips the same
      const amended = withSkippedInputs(entry, batch.loaded);
      if (amended !== entry) {
        await offsetsLogged;
        offsetsLogged = this.offsets.write(batchId, amended);
        offsetsLogged.catch(() => undefined);
      }
      t = lap('getBatch', t);

      // 4. One transaction: operators, result and outbox, state version.
      const eventTime = this.watermarks.advance() === null && this.watermarks.watermarked.length === 0 ? undefined : this.watermarks.snapshot();
      const offsetsAfter = Object.fromEntries(this.sources.map((s) => [s.name, ends.get(s.name)]));
      // the late rows and the state version go in one call with the COMMIT
      const beforeCommit = [...batch.keepLate, ...this.store.setVersionSql({ batchId, offsets: offsetsAfter, fingerprint: this.config.plan.fingerprint, eventTime })];
      output = await this.conn.transaction(async () => {
        const result = await this.pipeline.run(this.conn, batchId, watermark, this.watermarks.watermark);
        const waited = Date.now();
        await offsetsLogged;
        durations.walCommit = Date.now() - waited; // what is left of the offsets write by now
        faultPoint(this.name, 'after-offsets', batchId);
        faultPoint(this.name, 'in-transaction', batchId);
        return result;
      }, beforeCommit);
    } catch (e) {
      this.pipeline.batchFailed();
      // a write still in flight would otherwise land after a retry planned batch N afresh
      await offsetsLogged?.catch(() => undefined);
      throw e;
    }
    const { loaded, late, eventMin, eventMax } = batch;
    const { rows: pipelineRows, delta } = output;
    this.store.versionCommitted();
    faultPoint(this.name, 'after-commit-state', batchId);

    t = lap('addBatch', t);

    // 5-6. Deliver, then record the commit.
    for (const s of this.sources) s.offset = ends.get(s.name);
    this.nextBatchId = batchId + 1;
    const outputRows = await this.deliver(batchId, pipelineRows, delta);
    this.needsRecovery = false;
    this.offsetsMayBeLogged = false;

    if (this.subscribers.size > 0 && outputRows > 0) {
      const changes = await this.pipeline.readChanges(this.conn, delta);
      for (const s of this.subscribers.keys()) s({ batch: batchId, changes });
    }
    lap('commit', t);

    const numInputRows = [...loaded.values()].reduce((n, s) => n + s.rows, 0);
    this.nextBatchBulk = numInputRows >= BULK_INPUT_ROWS || this.pipeline.largestStateRows >= BULK_STATE_ROWS;
    const elapsed = Math.max(1, Date.now() - started);
    const sources: SourceProgress[] = this.sources.map((s) => ({
      description: s.name,
      startOffset: starts.get(s.name),
      endOffset: ends.get(s.name),
      numInputRows: loaded.get(s.name)?.rows ?? 0,
      numBadRows: loaded.get(s.name)?.badRows ?? 0,
      ...skippedProgress(loaded.get(s.name)?.skipped),
      numLateRows: late.get(s.name) ?? 0,
    }));
    const dropped = [...late.values()].reduce((n, c) => n + c, 0);
    durations.triggerExecution = elapsed;
    const progress: Progress = {
      id: this.id,
      name: this.name,
      batchId,
      timestamp: new Date(started).toISOString(),
      numInputRows,
      inputRowsPerSecond: numInputRows / (elapsed / 1000),
      processedRowsPerSecond: numInputRows / (elapsed / 1000),
      durationMs: durations,
      eventTime: eventTimeProgress(eventMin, eventMax, watermark),
      stateOperators: (await this.pipeline.stateProgress(this.conn)).map((op) => ({ ...op, numRowsDroppedByWatermark: dropped })),
      sources,
      sink: { numOutputRows: outputRows, description: this.config.object.kind === 'sink' ? this.config.object.connector : 'result table' },
    };
    this.history.push(progress);
    if (this.history.length > PROGRESS_KEPT) this.history.shift();
    for (const l of this.listeners) l(progress);
  }

  /** Step 3: loads each source's delta into its batch table; notes event times and late rows. */
  private async loadSources(batchId: number, ends: ReadonlyMap<string, SourceOffset>, watermark: number | null, entry: OffsetEntry): Promise<LoadedBatch> {
    const batch: LoadedBatch = { loaded: new Map(), late: new Map(), keepLate: [], eventMin: null, eventMax: null };
    for (const s of this.sources) {
      const table = this.pipeline.sourceTable(s.name);
      const end = ends.get(s.name);
      // late_rows = 'keep' stores late rows whole, so then every column is loaded
      const columns = this.keepLateRows ? undefined : this.pipeline.columnsRead(s.name);
      let stats: LoadStats;
      if (s.reader.inPlace) {
        const rows = s.reader.inPlace(s.offset, end, columns);
        await this.pipeline.readInPlace(this.conn, s.name, rows.select);
        if (rows.rows === 0) continue;
        stats = { rows: rows.rows, badRows: 0, badRowExamples: [] };
      } else {
        await this.pipeline.clearSourceTable(this.conn, s.name);
        if (!s.reader.hasData(s.offset, end)) continue;
        stats = await s.reader.load(this.conn, table, s.offset, end, columns, entry.sources[s.name]?.skipped);
        this.pipeline.sourceRowsLoaded(s.name, stats.rows + stats.badRows);
      }
      batch.loaded.set(s.name, stats);
      const times = await this.watermarks.observe(this.conn, s.name, table, watermark);
      if (times.min !== null) batch.eventMin = batch.eventMin === null ? times.min : Math.min(batch.eventMin, times.min);
      if (times.max !== null) batch.eventMax = batch.eventMax === null ? times.max : Math.max(batch.eventMax, times.max);
      batch.late.set(s.name, times.late);
      const keepSql = this.keepLateRows ? this.pipeline.keepLateRowsSql(this.name, s.name, batchId, end, times.late, watermark) : null;
      if (keepSql) batch.keepLate.push(keepSql);
    }
    return batch;
  }

  /**
   * Delivers batch N's output to the sink (idempotent by batch id), then writes commits/N. Returns
   * the batch's output rows: as the sink counted them, else `outputRows`.
   */
  private async deliver(batchId: number, outputRows: number | null, delta: string | null): Promise<number> {
    const sink = this.config.sink;
    let rows = outputRows ?? 0;
    if (sink && this.config.object.kind === 'sink') {
      const relation = await this.pipeline.stageOutbox(this.conn, batchId, delta);
      const result = await sink.deliver({
        queryName: this.name, queryId: this.id, batchId, outputMode: this.config.plan.outputMode,
        columns: this.config.plan.columns, key: this.config.plan.key, conn: this.conn, relation,
      });
      rows = result.rows;
    }
    faultPoint(this.name, 'after-deliver', batchId);
    await this.commits.write(batchId, { batchId, timestamp: new Date().toISOString(), outputRows: rows });
    faultPoint(this.name, 'after-commits-log', batchId);
    if (sink) await this.pipeline.clearOutbox(this.conn, batchId);
    // Retention only removes entries of batches before N, which the state has committed.
    await this.offsets.retain(this.retention, batchId);
    await this.commits.retain(this.retention, batchId);

    await this.sourcesCommitted();
    return rows;
  }
}

/** `entry` with the inputs each source skipped whole, or `entry` itself when none did (or as logged). */
function withSkippedInputs(entry: OffsetEntry, loaded: ReadonlyMap<string, LoadStats>): OffsetEntry {
  let changed = false;
  const sources = Object.fromEntries(Object.entries(entry.sources).map(([name, range]) => {
    const skipped = loaded.get(name)?.skipped ?? [];
    if (skipped.length === 0 || JSON.stringify(skipped) === JSON.stringify(range.skipped ?? [])) return [name, range];
    changed = true;
    return [name, { ...range, skipped }];
  }));
  return changed ? { ...entry, sources } : entry;
}

function skippedProgress(skipped: readonly SkippedInput[] | undefined): Pick<SourceProgress, 'numSkippedInputs' | 'skippedInputs'> {
  if (!skipped || skipped.length === 0) return {};
  return { numSkippedInputs: skipped.length, skippedInputs: skipped.slice(0, SKIPPED_INPUTS_KEPT) };
}

function eventTimeProgress(min: number | null, max: number | null, watermark: number | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (min !== null) out.min = microsToIso(min)!;
  if (max !== null) out.max = microsToIso(max)!;
  if (watermark !== null) out.watermark = microsToIso(watermark)!;
  return out;
}

/** Errors the loop waits out and retries rather than failing the query. */
function retriable(error: EddyError): boolean {
  return error.code === 'SOURCE_UNAVAILABLE' || error.code === 'STORAGE_UNAVAILABLE';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function backoff(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempt, 16));
}



/** The error a subscription gets when its query went away, naming it and why. */
export function subscriptionEnded(object: QueryObject, reason: SubscriptionEnd): EddyError {
  const what = `${object.kind === 'sink' ? 'sink' : 'materialized view'} "${object.name}"`;
  switch (reason) {
    case 'dropped':
      return new EddyError('UNDEFINED_TABLE', `${what} was dropped`, { hint: 'its subscriptions ended; subscribe to a query that exists' });
    case 'reset':
      return new EddyError('OBJECT_IN_USE', `${what} was reset and starts over from its sources`, { hint: 'subscribe again for its new result' });
    case 'shutdown':
      return new EddyError('OBJECT_IN_USE', `${what} stopped: the server is shutting down`, { hint: 'subscribe again (from the last batch seen) once it is back' });
    case 'recovering':
      return new EddyError('STORAGE_UNAVAILABLE', `${what} stopped while the server reopens its storage`, { hint: 'subscribe again (from the last batch seen) in a moment' });
  }
}
