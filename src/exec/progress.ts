/** A progress object per trigger, like Spark's StreamingQueryProgress (DESIGN.md §5). */
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
