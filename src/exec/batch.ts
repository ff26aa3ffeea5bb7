/**
 * One micro-batch, as the numbered steps of DESIGN.md §4, one call each:
 *   1. plan each source's end offset (or take those offsets/N already logged: a re-run)
 *   2. write offsets/N (its fsyncs overlap steps 3 and 4; the commit of step 4 waits for them)
 *   3. load each source's delta (source-batches.ts)
 *   4. one transaction: the operators, result and outbox, state version N (batch-pipeline.ts)
 *   5. deliver to the sink, 6. write commits/N (deliver.ts)
 * Recovery (recovery.ts) finds out from the state version where a failed batch got to.
 */
import type { OffsetEntry } from '../checkpoint/batch-log.js';
import type { LoadStats, SourceOffset } from '../connectors/types.js';
import { faultPoint } from '../util/fault.js';
import type { BatchOutput } from './batch-pipeline.js';
import type { ChangeListeners } from './changes.js';
import { deliver } from './deliver.js';
import { batchProgress, type BatchReport, type Progress, type ProgressIdentity } from './progress.js';
import type { QueryRuntime } from './query-runtime.js';
import { checkLoggedStart } from './recovery.js';
import { alignedEnds, frontierOf, isViewInput } from './view-inputs.js';
import type { BatchFrontier } from './epochs.js';
import type { LoadedBatch } from './source-batches.js';

/**
 * A batch this big, or a state table this big (each probe scans it), is bulk work: the next batch
 * runs on every DuckDB thread (WorkerThreads). Measured on two cores: batches of ~1,300 rows over
 * small state are 15-30% faster on one thread, batches of 100k rows about as fast on either, a
 * probe of a 1M-row state 1.7x faster on two (docs/BENCHMARKS.md "Threads").
 */
const BULK_INPUT_ROWS = 50_000;
const BULK_STATE_ROWS = 500_000;

/** Steps 1-2: the batch's offsets, as planned now or as logged before, and the write logging them. */
interface PlannedBatch {
  readonly batchId: number;
  readonly entry: OffsetEntry;
  readonly starts: ReadonlyMap<string, SourceOffset>;
  readonly ends: ReadonlyMap<string, SourceOffset>;
  readonly watermark: number | null;
  /** What the batch's result will reflect of its root inputs (epochs.ts). */
  readonly frontier: BatchFrontier;
  /** Whether offsets/N was logged before (a re-run): then it is not written again. */
  readonly logged: boolean;
  /** The write of offsets/N still in flight, if any; step 4's commit waits for it. */
  logging: Promise<void> | null;
}

/** Runs a query's batches, one at a time (StreamingQuery holds the lock). */
export class BatchRunner {
  /** Whether the next batch is likely bulk work: the first one after start (a backlog), or after a big one. */
  private nextBatchBulk = true;
  /** When the last batch started (epoch ms), for the rate its rows arrived at. */
  private lastStarted: number | null = null;

  constructor(
    private readonly rt: QueryRuntime,
    private readonly who: ProgressIdentity,
    private readonly changes: ChangeListeners,
  ) {}

  /**
   * Whether a batch has work up to `bound`: new data in a source, or none but a batch must run
   * anyway: the first of a plan whose result has a row over no input (a global aggregate), or a
   * watermark that moved past the one the last batch used while the plan holds state it closes,
   * as Spark's no-data batches do.
   */
  pending(bound: ReadonlyMap<string, SourceOffset>): boolean {
    const { plan, position, watermarks } = this.rt;
    if (plan.firstBatchWithoutData && position.nextBatchId === 0) return true;
    const next = watermarks.watermark;
    if (plan.closesByWatermark && next !== null && next !== position.lastWatermark) return true;
    return this.rt.sources.some((s) => s.reader.hasData(s.offset, bound.get(s.name)));
  }

  /**
   * Runs a batch on every DuckDB thread when it is likely bulk work (the one before was big), else on
   * whatever is set, and afterwards lets a light batch lower the threads (WorkerThreads).
   */
  async run(bound: ReadonlyMap<string, SourceOffset>): Promise<Progress> {
    const threads = this.rt.db.threads;
    if (this.nextBatchBulk) return threads.bulk(this.rt.conn, () => this.runBatch(bound));
    const progress = await this.runBatch(bound);
    if (!this.nextBatchBulk) await threads.settle(this.rt.conn);
    return progress;
  }

  private async runBatch(bound: ReadonlyMap<string, SourceOffset>): Promise<Progress> {
    const rt = this.rt;
    const started = Date.now();
    const durations: Record<string, number> = {};
    let t = started;
    const lap = (phase: string): void => {
      const now = Date.now();
      durations[phase] = now - t;
      t = now;
    };
    rt.position.needsRecovery = true; // until the batch completes
    const planned = await this.plan(bound); // 1
    if (!planned.logged) this.logOffsets(planned, planned.entry); // 2
    let loaded: LoadedBatch;
    let output: BatchOutput;
    try {
      loaded = await this.load(planned); // 3
      lap('getBatch');
      output = await this.transact(planned, loaded, durations); // 4
    } catch (e) {
      rt.pipeline.failed();
      // a write still in flight would otherwise land after a retry planned batch N afresh
      await planned.logging?.catch(() => undefined);
      throw e;
    }
    lap('addBatch');
    const outputRows = await this.deliver(planned, output); // 5, 6
    lap('commit');
    durations.triggerExecution = Math.max(1, Date.now() - started);

    const numInputRows = [...loaded.loaded.values()].reduce((n, s) => n + s.rows, 0);
    this.nextBatchBulk = numInputRows >= BULK_INPUT_ROWS || rt.pipeline.state.largestRows >= BULK_STATE_ROWS;
    const report = await this.report(planned, loaded, outputRows, started, durations);
    this.lastStarted = started;
    return batchProgress(this.who, report);
  }

  /** Step 1: each source's end offset, bounded by max_rows_per_batch; or those offsets/N logged. */
  private async plan(bound: ReadonlyMap<string, SourceOffset>): Promise<PlannedBatch> {
    const rt = this.rt;
    const batchId = rt.position.nextBatchId;
    rt.position.inFlight = batchId;
    const logged = rt.position.offsetsMayBeLogged ? await rt.offsets.read(batchId) : undefined;
    if (logged) checkLoggedStart(rt, logged);
    const starts = new Map(rt.sources.map((s) => [s.name, s.offset]));
    let ends: ReadonlyMap<string, SourceOffset> = new Map(rt.sources.map((s) => [s.name, logged?.sources[s.name]?.end ?? s.reader.endOffset(s.offset, bound.get(s.name), rt.maxRows)]));
    if (!logged) ends = await this.alignViews(ends, bound);
    const frontier = await frontierOf(rt.sources, ends);
    const watermark = logged ? (logged.watermark ?? null) : rt.watermarks.watermark;
    const entry: OffsetEntry = logged ?? {
      batchId,
      sources: Object.fromEntries(rt.sources.map((s) => [s.name, { start: s.offset, end: ends.get(s.name) }])),
      watermark,
      timestamp: new Date().toISOString(),
    };
    return { batchId, entry, starts, ends, watermark, frontier, logged: logged !== undefined, logging: null };
  }

  /**
   * Views read together end where they agree (view-inputs.ts). max_rows_per_batch may have cut them
   * where none agree past their starts: then they end at the bound, which agrees (latestOffsets
   * aligned it), or they would wait for ever.
   */
  private async alignViews(ends: ReadonlyMap<string, SourceOffset>, bound: ReadonlyMap<string, SourceOffset>): Promise<ReadonlyMap<string, SourceOffset>> {
    const rt = this.rt;
    const aligned = await alignedEnds({ sources: rt.sources, last: rt.position.frontier }, ends);
    if (aligned === ends || rt.maxRows === undefined) return aligned;
    const views = rt.sources.filter(isViewInput);
    if (views.some((s) => s.reader.hasData(s.offset, aligned.get(s.name)))) return aligned;
    const fallback = new Map(aligned);
    for (const s of views) fallback.set(s.name, bound.get(s.name));
    return fallback;
  }

  /**
   * Step 2: writes offsets/N, `entry`. It must be
   * durable before the batch's transaction commits (nothing of batch N is committed or delivered
   * before that), not before its sources are read or its operators run: those change only this
   * connection's temp tables and an open transaction, so the file's fsyncs overlap them, and the
   * commit waits for the file. A rewrite (inputs skipped whole) follows the write before it.
   */
  private logOffsets(planned: PlannedBatch, entry: OffsetEntry): void {
    const before = planned.logging;
    const write = (): Promise<void> => this.rt.offsets.write(planned.batchId, entry);
    planned.logging = before === null ? write() : before.then(write);
    // handled now so that a failed write does not count as unhandled meanwhile; awaited in step 4
    planned.logging.catch(() => undefined);
  }

  /** Step 3: each source's delta; inputs skipped whole go into offsets/N, so that a re-run skips the same. */
  private async load(planned: PlannedBatch): Promise<LoadedBatch> {
    const rt = this.rt;
    rt.position.lastWatermark = planned.watermark;
    const loaded = await rt.sourceBatches.load(rt.conn, planned.batchId, rt.sources, planned.ends, planned.watermark, planned.entry, rt.watermarks);
    faultPoint(rt.name, 'after-load', planned.batchId);
    const amended = withSkippedInputs(planned.entry, loaded.loaded);
    if (amended !== planned.entry) this.logOffsets(planned, amended);
    return loaded;
  }

  /** Step 4: one transaction runs the operators, applies the output, stores late rows and sets the state version. */
  private async transact(planned: PlannedBatch, loaded: LoadedBatch, durations: Record<string, number>): Promise<BatchOutput> {
    const rt = this.rt;
    const { batchId } = planned;
    const eventTime = rt.watermarks.advance() === null && rt.watermarks.watermarked.length === 0 ? undefined : rt.watermarks.snapshot();
    const offsetsAfter = Object.fromEntries(rt.sources.map((s) => [s.name, planned.ends.get(s.name)]));
    // the late rows and the state version go in one call with the COMMIT
    const beforeCommit = [...loaded.keepLate, ...rt.store.setVersionSql({ batchId, offsets: offsetsAfter, fingerprint: rt.plan.fingerprint, eventTime, frontier: planned.frontier })];
    const output = await rt.conn.transaction(async () => {
      const result = await rt.pipeline.run(rt.conn, batchId, planned.watermark, rt.watermarks.watermark, planned.frontier);
      const waited = Date.now();
      await planned.logging;
      durations.walCommit = Date.now() - waited; // what is left of the offsets write by now
      faultPoint(rt.name, 'after-offsets', batchId);
      faultPoint(rt.name, 'in-transaction', batchId);
      return result;
    }, beforeCommit);
    rt.store.versionCommitted();
    rt.pipeline.committed();
    faultPoint(rt.name, 'after-commit-state', batchId);
    return output;
  }

  /** Steps 5-6, then the batch's changes to whoever listens. Returns the output rows. */
  private async deliver(planned: PlannedBatch, output: BatchOutput): Promise<number> {
    const rt = this.rt;
    for (const s of rt.sources) s.offset = planned.ends.get(s.name);
    rt.position.frontier = planned.frontier;
    rt.position.nextBatchId = planned.batchId + 1;
    const outputRows = await deliver(rt, planned.batchId, output.rows, output.delta);
    rt.position.needsRecovery = false;
    rt.position.offsetsMayBeLogged = false;
    if (this.changes.wanted && outputRows > 0) {
      this.changes.publish({ batch: planned.batchId, changes: await rt.output.readChanges(rt.conn, output.delta) });
    }
    return outputRows;
  }

  private async report(planned: PlannedBatch, loaded: LoadedBatch, outputRows: number, started: number, durations: Record<string, number>): Promise<BatchReport> {
    const rt = this.rt;
    const states = await rt.pipeline.state.operators(rt.conn);
    return {
      batchId: planned.batchId,
      started,
      previousStarted: this.lastStarted,
      durationMs: durations,
      watermark: planned.watermark,
      eventMin: loaded.eventMin,
      eventMax: loaded.eventMax,
      sources: rt.sources.map((s) => ({
        name: s.name, start: planned.starts.get(s.name), end: planned.ends.get(s.name),
        loaded: loaded.loaded.get(s.name), lateRows: loaded.late.get(s.name) ?? 0,
      })),
      stateOperators: rt.plan.stateOperators.map(({ node, lateRowsFrom }, i) => ({ name: `${node.id} ${node.kind}`, state: states[i]!, lateRowsFrom })),
      outputRows,
    };
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
