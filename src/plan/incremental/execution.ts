/**
 * What the runtime needs to know of a plan beyond its operators: decided here, once, when the query
 * is planned, so that exec/ reads fields of the IncrementalPlan instead of walking its nodes again.
 */
import type { CatalogReader } from '../../catalog/reader.js';
import type { OutputMode } from '../../catalog/output-mode.js';
import type { IncrementalNode } from './nodes.js';
import { inputsOfOp } from './nodes.js';

/** Where a query's output goes: a materialized view's result table, or a sink. */
export type PlanTarget = 'materialized_view' | 'sink';

/**
 * How a sink receives batch N. `outbox`: the batch's transaction copies the output into the outbox,
 * which is delivered afterwards and again after a crash. `output`: delivered straight from the batch's
 * output delta; after a crash batch N is re-run from offsets/N instead, which yields the same rows
 * because nothing but the logged offsets and watermark decides them.
 */
export type SinkDelivery = 'outbox' | 'output';

/** A stateful operator as progress reports it. */
export interface StatefulOperator {
  readonly node: IncrementalNode;
  /**
   * The sources whose late rows are dropped on the way to this operator, by scans it reads through
   * stateless operators only: its numRowsDroppedByWatermark. An operator above another stateful one
   * reads that one's output, from which nothing is dropped.
   */
  readonly lateRowsFrom: readonly string[];
}

export interface ExecutionFacts {
  /** Whether the result table is kept: materialized views, and complete-mode sinks (re-emitted whole). */
  readonly keepsResultTable: boolean;
  /** How a sink receives each batch; null for a materialized view. */
  readonly sinkDelivery: SinkDelivery | null;
  /**
   * Whether some operator's state or output depends on the watermark (windows emitted on close,
   * state evicted by it): a batch then runs without new data when the watermark moved, as Spark's
   * no-data batches do.
   */
  readonly closesByWatermark: boolean;
  /**
   * Whether the first batch runs at once, empty if need be: a global aggregate (no GROUP BY) has a
   * row even over no input, as in SQL, which the result holds from the start.
   */
  readonly firstBatchWithoutData: boolean;
  /**
   * Per source, the columns the plan reads, its event-time column included (a source may leave the
   * others NULL); null when it reads all of them.
   */
  readonly sourceColumns: Readonly<Record<string, readonly string[] | null>>;
  /** The operators that keep state, inputs first. */
  readonly stateOperators: readonly StatefulOperator[];
}

export function executionFacts(
  operators: readonly IncrementalNode[],
  target: PlanTarget,
  outputMode: OutputMode,
  sources: readonly string[],
  catalog: CatalogReader,
): ExecutionFacts {
  const keepsResultTable = target === 'materialized_view' || outputMode === 'complete';
  const stateless = operators.every((op) => op.state.length === 0);
  // A stateless plan cannot have changed anything a re-run of batch N would see differently; a
  // stateful one cannot re-run a batch once its state is committed, so it keeps the outbox.
  const fromOutput = !keepsResultTable && stateless && (outputMode === 'append' || outputMode === 'changelog');
  return {
    keepsResultTable,
    sinkDelivery: target === 'materialized_view' ? null : fromOutput ? 'output' : 'outbox',
    closesByWatermark: operators.some(closesByWatermark),
    firstBatchWithoutData: operators.some((op) => op.kind === 'aggregate' && op.keys.length === 0),
    sourceColumns: Object.fromEntries(sources.map((name) => [name, columnsRead(operators, name, catalog)])),
    stateOperators: operators.filter((op) => op.state.length > 0).map((node) => ({ node, lateRowsFrom: lateRowsFrom(node) })),
  };
}

function closesByWatermark(op: IncrementalNode): boolean {
  switch (op.kind) {
    case 'aggregate':
    case 'rank':
      return op.windowEnd !== null;
    case 'stream_join':
      return op.timeBound !== null;
    case 'session_window':
      return true;
    default:
      return false;
  }
}

function columnsRead(operators: readonly IncrementalNode[], source: string, catalog: CatalogReader): readonly string[] | null {
  const read = new Set<string>();
  for (const op of operators) {
    if (op.kind !== 'source_scan' || op.source !== source) continue;
    if (op.columnsRead === null) return null;
    for (const c of op.columnsRead) read.add(c);
    if (op.lateRowsColumn !== null) read.add(op.lateRowsColumn);
  }
  const object = catalog.get(source);
  if (object?.kind === 'source' && object.watermark) read.add(object.watermark.column);
  return [...read];
}

/** The sources of the late-dropping scans below `node`, through stateless operators; each scan once. */
function lateRowsFrom(node: IncrementalNode): string[] {
  const seen = new Set<string>();
  const sources: string[] = [];
  const visit = (op: IncrementalNode): void => {
    if (seen.has(op.id)) return;
    seen.add(op.id);
    if (op.kind === 'source_scan') {
      if (op.lateRowsColumn !== null) sources.push(op.source);
      return;
    }
    if (op.state.length === 0) for (const input of inputsOfOp(op)) visit(input);
  };
  for (const input of inputsOfOp(node)) visit(input);
  return sources;
}
