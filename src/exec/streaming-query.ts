/**
 * StreamingQuery: the lifecycle of one materialized view or sink (start, pause, resume, drain,
 * stop, drop) around its micro-batch loop. A batch is batch.ts's numbered steps (DESIGN.md §4);
 * where a query resumes is recovery.ts's; what a batch works with is its QueryRuntime. The loop
 * and drain take the same step under one lock, and classify its errors the same way.
 */
import type { OutputMode } from '../catalog/output-mode.js';
import type { SourceOffset } from '../connectors/types.js';
import { duckErrorCode } from '../duck/error-codes.js';
import { storageFault, type StorageFault } from '../duck/storage-fault.js';
import { asEddyError, EddyError } from '../util/errors.js';
import { log } from '../util/log.js';
import { BatchRunner } from './batch.js';
import { ChangeListeners, subscriptionEnded, type ChangeBatch, type SubscribeOptions, type Subscription, type SubscriptionEnd } from './changes.js';
import { failedProgress, ProgressLog, type Progress, type ProgressIdentity } from './progress.js';
import { closeRuntime, closeSourcesAndSink, latestOffsets, openRuntime, type QueryRuntime, type StreamingQueryConfig } from './query-runtime.js';
import { recover, recoverIfNeeded } from './recovery.js';
import { parseTrigger, type Trigger } from './trigger.js';
import { backoff, DEFAULT_EXEC_TUNING, type ExecTuning } from './tuning.js';
import { ResumeUnavailable } from './view-log.js';

export type { Change, ChangeBatch, SubscribeOptions, Subscription, SubscriptionEnd } from './changes.js';
export { subscriptionEnded } from './changes.js';
export { DEFAULT_CHECKPOINT_RETENTION, type StreamingQueryConfig } from './query-runtime.js';

/**
 * `retrying`: a source, a sink or the storage is unavailable for now; the loop retries with backoff
 * by itself. `recovering`: the database was invalidated under the query (a failed write); the
 * engine reopens it and resumes the query from its checkpoint (src/engine/storage-recovery.ts).
 */
export type QueryStatus = 'running' | 'retrying' | 'recovering' | 'paused' | 'failed' | 'stopped';

export class StreamingQuery {
  readonly name: string;
  readonly id: string;
  status: QueryStatus = 'stopped';
  lastError: EddyError | null = null;
  private readonly trigger: Trigger;
  private readonly tuning: ExecTuning;
  private readonly who: ProgressIdentity;
  private readonly history = new ProgressLog();
  private readonly changes = new ChangeListeners();
  private readonly batches: BatchRunner;
  /** Serialises batches: the loop, drain and pause all take it. */
  private lock: Promise<void> = Promise.resolve();
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** Consecutive failed attempts while retrying, for the backoff. */
  private retries = 0;

  private constructor(readonly config: StreamingQueryConfig, private readonly rt: QueryRuntime) {
    this.name = rt.name;
    this.id = rt.id;
    this.trigger = parseTrigger(config.object.options.trigger);
    this.tuning = { ...DEFAULT_EXEC_TUNING, ...config.tuning };
    const object = config.object;
    this.who = { id: this.id, name: this.name, sink: object.kind === 'sink' ? object.connector : 'result table' };
    this.batches = new BatchRunner(rt, this.who, this.changes);
  }

  /** Attaches the query's state, creates its result table and opens its sources; does not start it. */
  static async create(config: StreamingQueryConfig): Promise<StreamingQuery> {
    const rt = await openRuntime(config);
    try {
      const query = new StreamingQuery(config, rt);
      try {
        await recover(rt);
      } catch (e) {
        // a redelivery the storage refuses for now: the loop retries it (recovery first) when it starts
        if (storageFault(e)?.kind !== 'write_failed') throw e;
        rt.position.needsRecovery = true;
        query.lastError = query.classify(e).error;
      }
      return query;
    } catch (e) {
      await closeRuntime(rt).catch(() => undefined);
      // DuckDB refusing the query's SQL (too deep, a bad cast) is the statement's error, not an internal one.
      throw asEddyError(e, (e instanceof Error && duckErrorCode(e.message)) || 'QUERY_FAILED', `cannot start "${config.object.name}"`);
    }
  }

  /** Qualified name of the result table (readable from any connection of the database). */
  get resultRelation(): string {
    return this.rt.output.resultTable;
  }

  /** Qualified name of the query's table of late rows (late_rows = 'keep'). */
  get lateRowsRelation(): string {
    return this.rt.sourceBatches.lateRowsTable;
  }

  get outputMode(): OutputMode {
    return this.rt.plan.outputMode;
  }

  private backfillSince: number | null = null;

  /** When the running backfill (catchUp) started; null when none runs. */
  get backfillStartedAt(): number | null {
    return this.backfillSince;
  }

  get lastBatchId(): number {
    return this.rt.position.nextBatchId - 1;
  }

  /** Where the query stands in input `name` as of its last committed batch (undefined: it reads no such input). */
  inputOffset(name: string): SourceOffset | undefined {
    return this.rt.sources.find((s) => s.name === name)?.offset;
  }

  /**
   * A materialized view's logged changes of batches >= fromBatch (view-log.ts), read under the batch
   * lock, and the last batch they include; ResumeUnavailable when the log does not reach back so far.
   */
  async loggedChanges(fromBatch: number): Promise<{ batches: ChangeBatch[]; through: number }> {
    return this.exclusive(async () => {
      if (this.changes.ended) throw subscriptionEnded(this.config.object, this.changes.ended);
      const log = this.rt.output.log;
      if (!log) throw new ResumeUnavailable(this.name, fromBatch, this.lastBatchId + 1);
      return { batches: await log.since(this.rt.conn, fromBatch, this.lastBatchId), through: this.lastBatchId };
    });
  }

  /** Starts the trigger loop. */
  start(): void {
    if (this.status === 'running') return;
    this.status = 'running';
    this.lastError = null;
    this.loop = this.runLoop();
  }

  async pause(): Promise<void> {
    if (!this.active) return;
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
      if (this.changes.ended) throw subscriptionEnded(this.config.object, this.changes.ended);
      const snapshot = options.snapshot ? await this.rt.output.snapshot(this.rt.conn) : [];
      const unsubscribe = this.changes.add(listener, options.onEnd);
      return { snapshot, snapshotBatch: this.lastBatchId, unsubscribe };
    });
  }

  /**
   * Returns once the batch running now (if any) has ended: every later batch builds its statements
   * after the call, so it sees what changed before it (a new reader of this view's changes).
   */
  async settled(): Promise<void> {
    await this.exclusive(async () => undefined);
  }

  /**
   * A new query's backfill (CREATE returns after it): runs batches, each under the batch lock, until what
   * the sources held when it was called is processed; once, without retrying (the loop retries).
   * Returns the error that stopped it, or null. Finite triggers (once, available_now) are left to
   * the loop, whose batches they are.
   */
  async catchUp(): Promise<EddyError | null> {
    if (this.trigger.kind === 'once' || this.trigger.kind === 'available_now') return null;
    this.backfillSince = Date.now();
    try {
      let cap: ReadonlyMap<string, SourceOffset> | null = null;
      // the lock batch by batch, so that a DROP or PAUSE meanwhile stops the backfill
      while (await this.exclusive(async () => this.active && this.step(async () => (cap ??= await latestOffsets(this.rt)))));
    } catch (e) {
      return this.batchFailed(e).error;
    } finally {
      this.backfillSince = null;
    }
    // the loop may have run (and failed) the first batch before this call took the lock
    return this.status === 'failed' || this.status === 'retrying' ? this.lastError : null;
  }

  /** Runs batches until all data available in the sources at the time of the call is processed. */
  async drain(): Promise<void> {
    if ((this.status === 'failed' || this.status === 'recovering') && this.lastError) throw this.lastError;
    const deadline = Date.now() + this.tuning.drainRetryMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.exclusive(async () => {
          if (this.status === 'failed' && this.lastError) throw this.lastError; // failed while this drain waited
          let cap: ReadonlyMap<string, SourceOffset> | null = null;
          while (await this.step(async () => (cap ??= await latestOffsets(this.rt))));
        });
        return;
      } catch (e) {
        const { error, retry } = this.batchFailed(e);
        if (!retry || Date.now() >= deadline) throw error;
        await sleep(backoff(this.tuning, attempt));
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
    this.rt.conn.close();
  }

  /** Stops and deletes the query's state; subscribers are told why (dropped, or reset to start over). */
  async drop(reason: 'dropped' | 'reset' = 'dropped'): Promise<void> {
    await this.halt(reason);
    // what the sources hold on their servers for this query (a replication slot) goes with it
    for (const s of this.rt.sources) {
      await s.reader.release?.().catch((e: Error) => log.warn({ query: this.name, source: s.name, err: e.message }, 'could not release what the source holds for the query'));
    }
    try {
      await this.rt.store.destroy(this.rt.conn);
    } finally {
      this.rt.conn.close();
    }
  }

  /**
   * The engine is about to reopen the database (storage-recovery.ts): the query stops and lets go of
   * its connection, and reports `recovering` with the storage error until its successor, built from
   * the same checkpoint, takes its place.
   */
  async stopForRecovery(error: EddyError): Promise<void> {
    await this.halt('recovering');
    this.rt.conn.close();
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

  /** The last progress objects, oldest first (at most 100). */
  progress(): readonly Progress[] {
    return this.history.recent;
  }

  onProgress(listener: (p: Progress) => void): () => void {
    return this.history.listen(listener);
  }

  private get active(): boolean {
    return this.status === 'running' || this.status === 'retrying';
  }

  private async halt(reason: SubscriptionEnd): Promise<void> {
    if (this.active) await this.pause();
    this.status = 'stopped';
    await this.exclusive(async () => this.changes.end(reason, this.name));
    await closeSourcesAndSink(this.rt);
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

  /**
   * One step of the loop or of a drain, under the batch lock: recover first if the last batch failed
   * part-way, then run a batch if there is work up to the offsets `bound` gives.
   * Returns whether it ran one. A failure is recorded here, before the lock is released, so a drain
   * waiting for the lock sees it instead of recovering past it.
   */
  private async step(bound: () => Promise<ReadonlyMap<string, SourceOffset>>): Promise<boolean> {
    try {
      await recoverIfNeeded(this.rt);
      const upTo = await bound();
      if (!this.batches.pending(upTo)) return false;
      this.history.record(await this.batches.run(upTo));
      return true;
    } catch (e) {
      const { error, fault } = this.classify(e);
      if (!retriable(error) && !fault) this.fail(error);
      throw error;
    }
  }

  private async runLoop(): Promise<void> {
    const t = this.trigger;
    const finite = t.kind === 'once' || t.kind === 'available_now';
    // available_now: the data available when the loop started, and no more
    let cap: ReadonlyMap<string, SourceOffset> | null = null;
    const bound = async (): Promise<ReadonlyMap<string, SourceOffset>> => (t.kind === 'available_now' ? (cap ??= await latestOffsets(this.rt)) : latestOffsets(this.rt));
    while (this.active) {
      let ran = false;
      try {
        ran = await this.exclusive(async () => this.active && this.step(bound));
      } catch (e) {
        const { error, retry } = this.batchFailed(e);
        if (!retry) return;
        // Unavailable for now: say so, wait, and try the same batch again (recover() first finds
        // out from the state version whether its transaction committed).
        if (!this.active) return; // paused or stopped meanwhile
        this.status = 'retrying';
        this.lastError = error;
        log.warn({ query: this.name, err: error.message, attempt: this.retries }, error.code === 'STORAGE_UNAVAILABLE' ? 'storage unavailable; retrying' : 'source or sink unavailable; retrying');
        await this.sleepInterruptibly(backoff(this.tuning, this.retries++));
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
      const wait = t.kind === 'interval' ? t.ms : ran ? 0 : this.tuning.idlePollMs;
      if (wait > 0) await this.sleepInterruptibly(wait);
    }
  }

  /** Sleeps, unless pause() wakes the loop first. */
  private async sleepInterruptibly(ms: number): Promise<void> {
    // pause() may have come while the loop was between its check of the status and this sleep: it
    // found no sleep to wake, so the loop must not start one (it would outlast pause, up to a trigger)
    if (!this.active) return;
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
   * What a failed step means, the same for the loop and for a drain: the database died under the
   * query (the engine takes over), the query failed (it stays FAILED until RESUME), or a source, a
   * sink or the storage is unavailable for now (`retry`: wait and take the step again).
   */
  private batchFailed(e: unknown): { error: EddyError; retry: boolean } {
    const { error, fault } = this.classify(e);
    if (fault?.kind === 'invalidated') {
      this.invalidated(fault, error);
      return { error, retry: false };
    }
    if (!retriable(error)) {
      this.fail(error);
      return { error, retry: false };
    }
    return { error, retry: true };
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
    this.history.record(failedProgress(this.who, this.rt.position.inFlight, this.lastError.message));
  }
}

/** Errors the loop waits out and retries rather than failing the query. */
function retriable(error: EddyError): boolean {
  return error.code === 'SOURCE_UNAVAILABLE' || error.code === 'STORAGE_UNAVAILABLE';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
