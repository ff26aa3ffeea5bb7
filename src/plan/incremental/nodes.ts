/**
 * Incremental plan nodes: the operators of a continuous query, a DAG over changelog deltas.
 * Each node declares its fields, its changelog kind and its state tables; exec/operators/ holds the
 * SQL rule of each kind. A delta is a relation of the node's fields plus `__op`, an integer weight
 * (+1 insert, -1 delete; an update is a delete and an insert).
 */
import type { AggregateCall, JoinTimeBound, JoinType, SortKey } from '../logical/nodes.js';
import type { Field } from '../logical/field.js';

export type ChangelogKind = 'append-only' | 'retracting';

/**
 * A table an operator keeps between batches, for EXPLAIN and progress. Its name is also a field of
 * the node that keeps it (AggregateOp.groupsTable, ...), which the operator's rule reads.
 */
export interface StateTableDecl {
  /** Unqualified table name in the query's state database. */
  readonly name: string;
  readonly purpose: string;
}

interface NodeBase {
  /** Unique within the plan: `op1`, `op2`, ... in topological order. */
  readonly id: string;
  readonly fields: readonly Field[];
  readonly changelog: ChangelogKind;
  readonly state: readonly StateTableDecl[];
}

/**
 * The delta of an input: a source's rows loaded in this batch, inserted, or a table's changes with
 * their weights (`weighted`: its batch relation has `__op`). When the source has a watermark
 * and the plan keeps state, rows whose event time is below the batch's watermark are late: they
 * are dropped here, before any stateful operator, and counted (and kept, with late_rows = 'keep').
 */
export interface SourceScanOp extends NodeBase {
  readonly kind: 'source_scan';
  readonly source: string;
  /** The source's column for each field, in order. */
  readonly columns: readonly string[];
  /** The source column holding event time, when late rows are dropped here; else null. */
  readonly lateRowsColumn: string | null;
  /** The input's rows carry their weight in `__op` (a table's changes); else each row is inserted. */
  readonly weighted: boolean;
  /** The source columns the plan reads (a source may leave the others NULL); null: all. */
  readonly columnsRead: readonly string[] | null;
}

/**
 * TUMBLE / HOP: adds window_start and window_end to each row (HOP: one row per window), aligned to
 * the epoch as Flink and RisingWave align them. Stateless.
 */
export interface WindowAssignOp extends NodeBase {
  readonly kind: 'window_assign';
  readonly input: IncrementalNode;
  readonly timeField: string;
  readonly sizeMicros: number;
  /** HOP's slide; null for TUMBLE. */
  readonly slideMicros: number | null;
}

/**
 * SESSION windows: rows are kept per partition until the watermark passes their session's end
 * (last event + gap); then the closed session's rows are emitted with its window_start and
 * window_end and evicted. Append-only.
 */
export interface SessionWindowOp extends NodeBase {
  readonly kind: 'session_window';
  readonly input: IncrementalNode;
  readonly timeField: string;
  readonly gapMicros: number;
  readonly partitionBy: readonly string[];
  /** State: the rows of open sessions. */
  readonly rowsTable: string;
}

/** Where a windowed aggregate finds each group's window end among its output fields. */
export interface WindowEnd {
  /** An output key field holding the window end, or the window start with the window size. */
  readonly field: string;
  readonly plusMicros: number;
  /** The field is never NULL (a window bound not padded by an outer join): it can be matched with =. */
  readonly notNull: boolean;
  /** The field's values are multiples of this (an epoch-aligned TUMBLE/HOP bound), or null. */
  readonly gridMicros: number | null;
}

/** Fused filter and projection: `SELECT exprs FROM input WHERE filter`, stateless. */
export interface MapOp extends NodeBase {
  readonly kind: 'map';
  readonly input: IncrementalNode;
  readonly filter: string | null;
  /** SQL over input fields, one per output field; null keeps the input's fields. */
  readonly exprs: readonly string[] | null;
}

/**
 * Grouped aggregation over an append-only or retracting input: per-group accumulators, plus a
 * multiset of values per group for aggregates that cannot be retracted from an accumulator
 * (count/sum/avg DISTINCT, and min/max over a retracting input).
 */
export interface AggregateOp extends NodeBase {
  readonly kind: 'aggregate';
  readonly input: IncrementalNode;
  readonly keys: readonly string[];
  readonly aggregates: readonly AggregateCall[];
  /** Whether this came from SELECT DISTINCT (for EXPLAIN). */
  readonly distinct: boolean;
  /**
   * For a group key that is an event-time window: where the window ends. Groups whose window the
   * watermark has passed are closed: their state is deleted.
   */
  readonly windowEnd: WindowEnd | null;
  /**
   * 'update': every change of a group is emitted (retracting); 'close': a group's row is emitted
   * once, when its window closes (append-only; needs windowEnd).
   */
  readonly emit: 'update' | 'close';
  /** State: one row of accumulators per group. */
  readonly groupsTable: string;
  /**
   * Per aggregate, the multiset of its values per group where it cannot be kept as an accumulator
   * (needsMultiset), else null.
   */
  readonly valuesTables: readonly (string | null)[];
}

/**
 * A stream joined with a table as of the batch: each delta row is joined with the table's current
 * rows. `table` is a DuckDB query over the main database yielding the table side's fields.
 */
export interface LookupJoinOp extends NodeBase {
  readonly kind: 'lookup_join';
  readonly stream: IncrementalNode;
  readonly table: string;
  readonly tableFields: readonly Field[];
  /** Whether the stream is the left input of the written join (fields keep the written order). */
  readonly streamIsLeft: boolean;
  /** 'inner', or 'left' meaning the stream side is preserved. */
  readonly joinType: 'inner' | 'left';
  readonly condition: string | null;
}

/**
 * Stream-stream join: both sides kept in state; Δ(L⋈R) = ΔL⋈R + L⋈ΔR + ΔL⋈ΔR. With a time bound
 * (right - left within [lower, upper]), rows that can no longer find a partner are evicted by the
 * watermark; outer joins emit an evicted row padded with NULLs if it never matched.
 */
export interface StreamJoinOp extends NodeBase {
  readonly kind: 'stream_join';
  readonly left: IncrementalNode;
  readonly right: IncrementalNode;
  readonly joinType: JoinType;
  readonly condition: string | null;
  readonly timeBound: JoinTimeBound | null;
  /**
   * How far below the watermark each side's time field may still change (microseconds): 0 for an
   * event time or a window end, the window size for a window start (a window's row changes until the
   * window closes). Eviction keeps a row while the other side could still bring a partner.
   */
  readonly slackMicros: { readonly left: number; readonly right: number };
  /** The grid each side's time field lies on (an epoch-aligned window bound), or null. */
  readonly gridMicros: { readonly left: number | null; readonly right: number | null };
  /** State: each side's rows, with their weight and whether they met a partner. */
  readonly leftTable: string;
  readonly rightTable: string;
}

/**
 * ROW_NUMBER / RANK / DENSE_RANK <= limit per partition: deduplication and top-N. State keeps the
 * candidate rows per partition (for an append-only input only those that can still rank); each
 * batch re-ranks the touched partitions and emits the difference.
 */
export interface RankOp extends NodeBase {
  readonly kind: 'rank';
  readonly input: IncrementalNode;
  readonly rankFunction: 'row_number' | 'rank' | 'dense_rank';
  readonly partitionBy: readonly string[];
  readonly orderBy: readonly SortKey[];
  readonly limit: number;
  /** The output field holding the rank, or null when the rank is not selected. */
  readonly rankField: string | null;
  /** A partition key that is a window: partitions whose window closed are evicted. */
  readonly windowEnd: WindowEnd | null;
  /** State: the candidate rows. */
  readonly rowsTable: string;
}

/**
 * Window function calls (OverNode): state keeps the input rows; each batch computes the calls over
 * the touched partitions before and after applying the delta and emits the difference.
 */
export interface OverWindowOp extends NodeBase {
  readonly kind: 'over_window';
  readonly input: IncrementalNode;
  readonly exprs: readonly string[];
  readonly partitionBy: readonly string[];
  /** A partition key that is a window: partitions whose window closed are evicted. */
  readonly windowEnd: WindowEnd | null;
  /** State: the input rows. */
  readonly rowsTable: string;
}

/**
 * A keyed source's rows as a changelog: each input row is a command for its key (`__op` +1: the
 * row with this key is now this one; -1: the key's row is deleted), ordered within the batch by the
 * input's position field. State keeps the current row per key; the output retracts a key's old row
 * and inserts its new one. Retracting.
 */
export interface UpsertOp extends NodeBase {
  readonly kind: 'upsert';
  readonly input: IncrementalNode;
  /** The key's fields. */
  readonly key: readonly string[];
  /** The input field ordering the commands of a batch (the source's position: sequence, offset). */
  readonly positionField: string;
  /** State: the current row per key. */
  readonly rowsTable: string;
  /**
   * The source may send a command 0 (a CDC source's TRUNCATE): every key's row is deleted as of its
   * position. Absent for sources that never do, whose batches need not look for one.
   */
  readonly truncates?: true;
}

/** UNION ALL of deltas, stateless. */
export interface UnionOp extends NodeBase {
  readonly kind: 'union';
  readonly inputs: readonly IncrementalNode[];
}

export type IncrementalNode =
  | OverWindowOp
  | SourceScanOp
  | MapOp
  | WindowAssignOp
  | SessionWindowOp
  | AggregateOp
  | LookupJoinOp
  | StreamJoinOp
  | RankOp
  | UpsertOp
  | UnionOp;
export type IncrementalKind = IncrementalNode['kind'];

export function inputsOfOp(node: IncrementalNode): readonly IncrementalNode[] {
  switch (node.kind) {
    case 'source_scan':
      return [];
    case 'map':
    case 'aggregate':
    case 'window_assign':
    case 'session_window':
    case 'over_window':
    case 'rank':
    case 'upsert':
      return [node.input];
    case 'lookup_join':
      return [node.stream];
    case 'stream_join':
      return [node.left, node.right];
    case 'union':
      return node.inputs;
  }
}

/** All nodes below and including root, inputs before the nodes that read them, each once. */
export function topologicalOrder(root: IncrementalNode): IncrementalNode[] {
  const seen = new Set<string>();
  const order: IncrementalNode[] = [];
  const visit = (node: IncrementalNode): void => {
    if (seen.has(node.id)) return;
    seen.add(node.id);
    for (const input of inputsOfOp(node)) visit(input);
    order.push(node);
  };
  visit(root);
  return order;
}
