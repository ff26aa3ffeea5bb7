/**
 * The logical plan: typed relational algebra over named fields. Nodes are plain, readonly and
 * closed; passes switch on `kind` (an exhaustive switch fails to compile when a kind is added).
 *
 * Expressions are DuckDB SQL text over the input's field names (always quoted with quoteIdent), so
 * every DuckDB scalar function works and operators compose SQL without re-parsing.
 */
import type { Field } from './field.js';

/**
 * Reads a catalog relation. Sources and tables are changelogs (a table's changes are retractions and
 * insertions); a table joined FOR SYSTEM_TIME AS OF PROCTIME() is read as of each batch instead.
 */
export interface ScanNode {
  readonly kind: 'scan';
  /** A materialized view here is read as its output changes (binder/relation.ts says when). */
  readonly relation: 'source' | 'table' | 'materialized_view';
  /** A table read as of each batch (FOR SYSTEM_TIME AS OF PROCTIME()), not as a changelog. */
  readonly asOfProctime?: true;
  /** Catalog name of the source or table. */
  readonly name: string;
  readonly fields: readonly Field[];
  /** The fields the query reads (set by column pruning); absent: all of them. */
  readonly fieldsRead?: readonly string[];
}

/** Keeps rows where `predicate` (SQL over input fields) is true. */
export interface FilterNode {
  readonly kind: 'filter';
  readonly input: LogicalNode;
  readonly predicate: string;
  readonly fields: readonly Field[];
}

/** Computes `exprs` (SQL over input fields); output field i is exprs[i]. */
export interface ProjectNode {
  readonly kind: 'project';
  readonly input: LogicalNode;
  readonly exprs: readonly string[];
  readonly fields: readonly Field[];
}

/**
 * The aggregates kept as accumulators (exec/operators/accumulators.ts); count(DISTINCT), and min/max
 * over retractions, keep multisets instead. `var_samp`/`stddev_samp` also stand for DuckDB's
 * `variance`/`stddev`.
 */
export type AlgebraicFunction = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'var_samp' | 'var_pop' | 'stddev_samp' | 'stddev_pop' | 'bool_and' | 'bool_or';
export type AggregateFunction = AlgebraicFunction | 'general';

export interface AlgebraicCall {
  readonly fn: AlgebraicFunction;
  /** An input field name; null for count(*). */
  readonly arg: string | null;
  readonly distinct: boolean;
  /** FILTER (WHERE ...) as SQL over input fields, or null. */
  readonly filter: string | null;
  /** The call as the user wrote it, for errors and EXPLAIN (`count(DISTINCT bidder)`). */
  readonly display: string;
}

/**
 * Any other aggregate (string_agg, median, percentile_cont ... WITHIN GROUP, sum(DISTINCT), ...),
 * kept by keeping each group's input rows and recomputing the groups a batch touches.
 */
export interface GeneralCall {
  readonly fn: 'general';
  /** The function, lower-cased (`string_agg`). */
  readonly name: string;
  /**
   * The call as DuckDB SQL over `inputs` (`string_agg("url", ',' ORDER BY "ts" DESC)`), without its
   * FILTER: constant arguments stay constants (DuckDB requires some to be).
   */
  readonly sql: string;
  /** The input fields the call reads (arguments and ORDER BY keys), each once. */
  readonly inputs: readonly string[];
  readonly distinct: boolean;
  /** FILTER (WHERE ...) as SQL over input fields, or null: rows that fail it are not kept. */
  readonly filter: string | null;
  readonly display: string;
}

export type AggregateCall = AlgebraicCall | GeneralCall;

/**
 * GROUP BY `keys` (input field names: the binder projects group expressions and aggregate arguments
 * into fields first). Output fields: the keys, then one field per aggregate call.
 */
export interface AggregateNode {
  readonly kind: 'aggregate';
  readonly input: LogicalNode;
  readonly keys: readonly string[];
  readonly aggregates: readonly AggregateCall[];
  readonly fields: readonly Field[];
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross';

/**
 * A join. Field names of `left` and `right` are disjoint (the binder renames), and the output
 * fields are left's then right's. `condition` is SQL over those names (null for cross joins);
 * `equiKeys` are the equality conjuncts found in it, pairs of (left field, right field).
 */
export interface JoinNode {
  readonly kind: 'join';
  readonly joinType: JoinType;
  readonly left: LogicalNode;
  readonly right: LogicalNode;
  readonly condition: string | null;
  readonly equiKeys: readonly (readonly [string, string])[];
  /**
   * A time bound found in the condition, relating a left and a right time field:
   * `right - left` lies within [lowerMicros, upperMicros] (either end may be unbounded: null).
   * E.g. `b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' HOUR` gives lower 0, upper 3_600_000_000.
   * Optional: absent or null when the condition has none.
   */
  readonly timeBound?: JoinTimeBound | null;
  readonly fields: readonly Field[];
}

export interface JoinTimeBound {
  readonly leftField: string;
  readonly rightField: string;
  readonly lowerMicros: number | null;
  readonly upperMicros: number | null;
}

/** UNION ALL: inputs have the same number of fields; output takes the first input's names. */
export interface UnionNode {
  readonly kind: 'union';
  readonly inputs: readonly LogicalNode[];
  readonly fields: readonly Field[];
}

/** SELECT DISTINCT / UNION (distinct): one row per distinct input row. */
export interface DistinctNode {
  readonly kind: 'distinct';
  readonly input: LogicalNode;
  readonly fields: readonly Field[];
}

export interface SortKey {
  /** SQL over input fields. */
  readonly expr: string;
  readonly descending: boolean;
  readonly nullsFirst: boolean | null;
}

/** ORDER BY / LIMIT / OFFSET at the top of a query. */
export interface SortLimitNode {
  readonly kind: 'sort_limit';
  readonly input: LogicalNode;
  readonly orderBy: readonly SortKey[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly fields: readonly Field[];
}

/**
 * A window table function: TUMBLE(src, ts, size), HOP(src, ts, slide, size), SESSION(src, ts, gap),
 * also written TABLE(TUMBLE(TABLE src, DESCRIPTOR(ts), size)). Output: the input's fields, then
 * `window_start` and `window_end` (TIMESTAMP). HOP emits one row per window a row falls in; SESSION
 * groups rows per session gap (partitioned by `partitionBy` fields when given).
 */
export interface WindowNode {
  readonly kind: 'window';
  readonly input: LogicalNode;
  readonly window: 'tumble' | 'hop' | 'session';
  /** The input field holding event time. */
  readonly timeField: string;
  /** Interval sizes in microseconds (TUMBLE/HOP size, HOP slide, SESSION gap), and as written. */
  readonly sizeMicros: number;
  readonly slideMicros: number | null;
  readonly display: string;
  /** SESSION windows only: partition fields (Flink's PARTITION BY), else []. */
  readonly partitionBy: readonly string[];
  readonly fields: readonly Field[];
}

/**
 * ROW_NUMBER / RANK / DENSE_RANK() OVER (PARTITION BY ... ORDER BY ...) filtered to rank <= limit
 * (or = 1): deduplication when limit is 1 with row_number, top-N otherwise. Output: the input's
 * fields, then the rank as `rankField` when the query selects it (null when it is filtered only).
 */
export interface RankNode {
  readonly kind: 'rank';
  readonly input: LogicalNode;
  readonly rankFunction: 'row_number' | 'rank' | 'dense_rank';
  readonly partitionBy: readonly string[];
  /** Sort keys over input fields (expr is a quoted field name or an expression over them). */
  readonly orderBy: readonly SortKey[];
  readonly limit: number;
  readonly rankField: string | null;
  readonly fields: readonly Field[];
}

/**
 * Window function calls over the input's rows (`avg("final") OVER (PARTITION BY "seller" ORDER BY
 * "date_time" ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`), other than the top-N pattern of RankNode.
 * Output: the input's fields, then field input.fields.length + i holding exprs[i] (SQL over input
 * fields). `partitionBy`: input fields every call partitions by, so a changed row changes only the
 * values of rows that share them ([] when the calls share none).
 */
export interface OverNode {
  readonly kind: 'over';
  readonly input: LogicalNode;
  readonly exprs: readonly string[];
  readonly partitionBy: readonly string[];
  readonly fields: readonly Field[];
}

export type LogicalNode =
  | WindowNode
  | OverNode
  | RankNode
  | ScanNode
  | FilterNode
  | ProjectNode
  | AggregateNode
  | JoinNode
  | UnionNode
  | DistinctNode
  | SortLimitNode;

export type LogicalKind = LogicalNode['kind'];

/** `node` with each input replaced by `f(input)`. */
export function mapInputs(node: LogicalNode, f: (input: LogicalNode) => LogicalNode): LogicalNode {
  switch (node.kind) {
    case 'scan':
      return node;
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'distinct':
    case 'sort_limit':
    case 'window':
    case 'rank':
    case 'over':
      return { ...node, input: f(node.input) };
    case 'join':
      return { ...node, left: f(node.left), right: f(node.right) };
    case 'union':
      return { ...node, inputs: node.inputs.map(f) };
  }
}

/** The inputs of a node, in order. */
export function inputsOf(node: LogicalNode): readonly LogicalNode[] {
  switch (node.kind) {
    case 'scan':
      return [];
    case 'filter':
    case 'project':
    case 'aggregate':
    case 'distinct':
    case 'sort_limit':
    case 'window':
    case 'rank':
    case 'over':
      return [node.input];
    case 'join':
      return [node.left, node.right];
    case 'union':
      return node.inputs;
  }
}
