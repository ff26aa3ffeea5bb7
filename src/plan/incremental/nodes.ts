/**
 * Incremental plan nodes: the operators of a continuous query, a DAG over changelog deltas.
 * Each node declares its fields, its changelog kind and its state tables; exec/operators/ holds the
 * SQL rule of each kind. A delta is a relation of the node's fields plus `__op`, an integer weight
 * (+1 insert, -1 delete; an update is a delete and an insert).
 */
import type { AggregateCall, JoinType } from '../logical/nodes.js';
import type { Field } from '../logical/field.js';

export type ChangelogKind = 'append-only' | 'retracting';

/** A table an operator keeps between batches, for EXPLAIN and progress. */
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

/** The delta of a source: every row loaded in this batch, inserted. */
export interface SourceScanOp extends NodeBase {
  readonly kind: 'source_scan';
  readonly source: string;
  /** The source's column for each field, in order. */
  readonly columns: readonly string[];
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

/** Stream-stream inner join: both sides kept in state; Δ(L⋈R) = ΔL⋈R + L⋈ΔR + ΔL⋈ΔR. */
export interface StreamJoinOp extends NodeBase {
  readonly kind: 'stream_join';
  readonly left: IncrementalNode;
  readonly right: IncrementalNode;
  readonly joinType: Extract<JoinType, 'inner' | 'cross'>;
  readonly condition: string | null;
}

/** UNION ALL of deltas, stateless. */
export interface UnionOp extends NodeBase {
  readonly kind: 'union';
  readonly inputs: readonly IncrementalNode[];
}

export type IncrementalNode = SourceScanOp | MapOp | AggregateOp | LookupJoinOp | StreamJoinOp | UnionOp;
export type IncrementalKind = IncrementalNode['kind'];

export function inputsOfOp(node: IncrementalNode): readonly IncrementalNode[] {
  switch (node.kind) {
    case 'source_scan':
      return [];
    case 'map':
    case 'aggregate':
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
