/**
 * A progress object per trigger, like Spark's StreamingQueryProgress (DESIGN.md §5): its shape, how
 * a batch's measurements become one, and the log of a query's recent ones.
 */
import type { LoadStats, SkippedInput } from '../connectors/types.js';
import type { OperatorState } from './state-counts.js';
import { microsToIso } from './watermark.js';

export interface Progress {
  readonly id: string;
  readonly name: string;
  readonly batchId: number;
  readonly timestamp: string;
  readonly numInputRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  readonly durationMs: Readonly<Record<string, number>>;
  readonly eventTime: Readonly<Record<string, string>>;
  readonly stateOperators: readonly StateOperatorProgress[];
  readonly sources: readonly SourceProgress[];
  readonly sink: { readonly numOutputRows: number; readonly description: string };
  /** Set on the entry a failed batch leaves: why the query stopped (it is FAILED until RESUME). */
  readonly error?: string;
}

export interface StateOperatorProgress {
  readonly operatorName: string;
  readonly numRowsTotal: number;
  readonly numRowsUpdated: number;
  readonly numRowsRemoved: number;
  readonly numRowsDroppedByWatermark: number;
  /** Estimated bytes of the operator's state: rows times the width of their column types. */
  readonly memoryUsedBytes: number;
}

export interface SourceProgress {
  readonly description: string;
  readonly startOffset: unknown;
  readonly endOffset: unknown;
  readonly numInputRows: number;
  readonly numBadRows: number;
  /** Rows whose event time was below the batch's watermark: dropped (or kept aside, late_rows = 'keep'). */
  readonly numLateRows: number;
  /** Inputs skipped whole (files that cannot be read, or gone since the batch was planned), when any. */
  readonly numSkippedInputs?: number;
  /** The first of them: which, why, and where in it when known. */
  readonly skippedInputs?: readonly { readonly input: string; readonly reason: string; readonly message: string }[];
}

/** A progress log's length: the last this many entries are kept. */
const PROGRESS_KEPT = 100;
/** Skipped inputs a progress entry lists (all are counted). */
const SKIPPED_INPUTS_KEPT = 10;

/** A query's recent progress entries, oldest first, and who listens for new ones. */
export class ProgressLog {
  private readonly entries: Progress[] = [];
  private readonly listeners = new Set<(p: Progress) => void>();

  get recent(): readonly Progress[] {
    return this.entries;
  }

  record(progress: Progress): void {
    this.entries.push(progress);
    if (this.entries.length > PROGRESS_KEPT) this.entries.shift();
    for (const l of this.listeners) l(progress);
  }

  listen(listener: (p: Progress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** What a batch did, as batch.ts measured it: the raw material of its progress entry. */
export interface BatchReport {
  readonly batchId: number;
  /** When the batch started (epoch ms), and when the batch before it did (null: none since start). */
  readonly started: number;
  readonly previousStarted: number | null;
  /** Per phase (getBatch, addBatch, commit, walCommit, triggerExecution). */
  readonly durationMs: Readonly<Record<string, number>>;
  readonly watermark: number | null;
  readonly eventMin: number | null;
  readonly eventMax: number | null;
  readonly sources: readonly {
    readonly name: string;
    readonly start: unknown;
    readonly end: unknown;
    readonly loaded: LoadStats | undefined;
    readonly lateRows: number;
  }[];
  /** Each stateful operator, in plan order: its state, and the sources whose late rows it loses. */
  readonly stateOperators: readonly { readonly name: string; readonly state: OperatorState; readonly lateRowsFrom: readonly string[] }[];
  readonly outputRows: number;
}

/** Who the query is and where its output goes, as each progress entry names them. */
export interface ProgressIdentity {
  readonly id: string;
  readonly name: string;
  /** The sink's connector, or 'result table' (materialized views). */
  readonly sink: string;
}

/**
 * A batch's progress entry. inputRowsPerSecond is the rate the rows arrived at: over the wall time
 * since the batch before started (Spark's), or over this batch's own when it is the first since
 * start; processedRowsPerSecond the rate this batch worked them at.
 */
export function batchProgress(who: ProgressIdentity, report: BatchReport): Progress {
  const numInputRows = report.sources.reduce((n, s) => n + (s.loaded?.rows ?? 0), 0);
  const elapsed = Math.max(1, report.durationMs.triggerExecution ?? 0);
  const sinceLast = report.previousStarted === null ? elapsed : Math.max(1, report.started - report.previousStarted);
  const late = new Map(report.sources.map((s) => [s.name, s.lateRows]));
  return {
    id: who.id,
    name: who.name,
    batchId: report.batchId,
    timestamp: new Date(report.started).toISOString(),
    numInputRows,
    inputRowsPerSecond: numInputRows / (sinceLast / 1000),
    processedRowsPerSecond: numInputRows / (elapsed / 1000),
    durationMs: report.durationMs,
    eventTime: eventTimeProgress(report.eventMin, report.eventMax, report.watermark),
    stateOperators: report.stateOperators.map((op) => ({
      operatorName: op.name,
      numRowsTotal: op.state.rows,
      numRowsUpdated: op.state.updated,
      numRowsRemoved: op.state.removed,
      numRowsDroppedByWatermark: op.lateRowsFrom.reduce((n, source) => n + (late.get(source) ?? 0), 0),
      memoryUsedBytes: op.state.bytes,
    })),
    sources: report.sources.map((s) => ({
      description: s.name,
      startOffset: s.start,
      endOffset: s.end,
      numInputRows: s.loaded?.rows ?? 0,
      numBadRows: s.loaded?.badRows ?? 0,
      ...skippedProgress(s.loaded?.skipped),
      numLateRows: s.lateRows,
    })),
    sink: { numOutputRows: report.outputRows, description: who.sink },
  };
}

/** The entry a failed batch leaves: which batch, and why the query stopped. */
export function failedProgress(who: ProgressIdentity, batchId: number, error: string): Progress {
  return {
    id: who.id, name: who.name, batchId, timestamp: new Date().toISOString(),
    numInputRows: 0, inputRowsPerSecond: 0, processedRowsPerSecond: 0, durationMs: {}, eventTime: {}, stateOperators: [],
    sources: [], sink: { numOutputRows: 0, description: who.sink },
    error,
  };
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
