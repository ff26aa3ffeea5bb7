/**
 * The incremental planner: logical plan -> a DAG of incremental operators, each declaring its state
 * and its changelog kind, checked against the requested output mode.
 */
import { createHash } from 'node:crypto';
import type { CatalogReader } from '../../catalog/reader.js';
import type { Column } from '../../catalog/types.js';
import type { OutputMode } from '../../catalog/output-mode.js';
import { EddyError } from '../../util/errors.js';
import type { LogicalNode, SortKey } from '../logical/nodes.js';
import { pruneColumns } from '../logical/prune-columns.js';
import { checkOutputMode, allowedOutputModes } from './output-mode.js';
import { explainOps } from './explain.js';
import { executionFacts, type ExecutionFacts, type PlanTarget } from './execution.js';
import type { ChangelogKind, IncrementalNode } from './nodes.js';
import { topologicalOrder } from './nodes.js';
import { Planner } from './planner.js';

export type { ChangelogKind } from './nodes.js';
export type { PlanTarget, SinkDelivery, StatefulOperator } from './execution.js';
export { needsMultiset } from './planner.js';

/** ORDER BY / LIMIT of the query's root, applied to the whole result (complete mode only). */
export interface ResultOrder {
  readonly orderBy: readonly SortKey[];
  readonly limit: number | null;
  readonly offset: number | null;
}

/** ExecutionFacts: what the runtime needs to know beyond the operators (execution.ts). */
export interface IncrementalPlan extends ExecutionFacts {
  /** The result's columns (user-visible names and DuckDB types). */
  readonly columns: readonly Column[];
  readonly changelog: ChangelogKind;
  /** Output modes this plan allows, and the one chosen. */
  readonly allowedOutputModes: readonly OutputMode[];
  readonly outputMode: OutputMode;
  /** The result's key columns where it has one (group keys), for update-mode sinks. */
  readonly key: readonly string[] | null;
  /** The same key as the root's field names (the columns of its delta). */
  readonly keyFields: readonly string[] | null;
  /** Catalog names of the sources and tables the plan reads as changelogs (each becomes a SourceReader). */
  readonly sources: readonly string[];
  /** Catalog names of the tables the plan reads as of each batch (FOR SYSTEM_TIME AS OF PROCTIME()). */
  readonly tables: readonly string[];
  /** A stable fingerprint of the plan, stored in the query's metadata to detect changed queries. */
  readonly fingerprint: string;
  readonly root: IncrementalNode;
  /** Every operator, inputs first. */
  readonly operators: readonly IncrementalNode[];
  readonly order: ResultOrder | null;
  /** Things the user should know about the plan (unbounded state), shown by CREATE and EXPLAIN. */
  readonly warnings: readonly string[];
}

export interface PlanOptions {
  readonly name: string;
  /** What keeps the result: a materialized view's table, or a sink (EXPLAIN of a SELECT plans it as a view). */
  readonly target: PlanTarget;
  /** The output mode asked for (sinks), or null: a materialized view keeps its result table. */
  readonly outputMode: OutputMode | null;
  readonly catalog: CatalogReader;
}

/** The key of a node's rows, as its field names, where one is known. */
function keyOf(node: IncrementalNode): readonly string[] | null {
  switch (node.kind) {
    case 'aggregate':
      return node.fields.slice(0, node.keys.length).map((f) => f.name);
    case 'rank':
      // ROW_NUMBER() ... <= 1 keeps one row per partition (deduplication, the top row): the
      // partition is a key. RANK and DENSE_RANK keep ties, and a larger limit several rows.
      return node.rankFunction === 'row_number' && node.limit === 1 ? node.partitionBy : null;
    case 'map': {
      const inner = keyOf(node.input);
      if (inner === null) return null;
      if (node.exprs === null) return inner;
      const out: string[] = [];
      for (const k of inner) {
        const i = node.exprs.findIndex((e) => e === `"${k.replaceAll('"', '""')}"`);
        if (i < 0) return null;
        out.push(node.fields[i]!.name);
      }
      return out;
    }
    default:
      return null;
  }
}

export function planIncremental(root: LogicalNode, options: PlanOptions): IncrementalPlan {
  let order: ResultOrder | null = null;
  let body = root;
  if (root.kind === 'sort_limit') {
    order = { orderBy: root.orderBy, limit: root.limit, offset: root.offset };
    body = root.input;
  }
  body = pruneColumns(body);
  const planner = new Planner(options.catalog, { emitOnClose: options.outputMode === 'append' });
  const planned = planner.plan(body);
  if ('static' in planned) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `"${options.name}" reads no source and no table other than as of processing time, so it would never change`, {
      hint: 'a continuous query must read a source or a table; tables joined FOR SYSTEM_TIME AS OF PROCTIME() are only looked up',
    });
  }
  const stream = planned.stream;
  // Append output is possible when windows can emit once, at close: plan that way to know.
  const appendPlan = options.outputMode === 'append' ? planned : new Planner(options.catalog, { emitOnClose: true }).plan(body);
  const appendPossible = 'stream' in appendPlan && appendPlan.stream.changelog === 'append-only';
  const outputMode = checkOutputMode(options.name, stream, order !== null, options.outputMode, appendPossible);
  const key = keyOf(stream);
  const fieldNames = new Map(stream.fields.map((f) => [f.name, f.userName]));
  const columns = stream.fields.map((f) => ({ name: f.userName, type: f.type }));
  const operators = topologicalOrder(stream);
  const sources = [...planner.sources];
  const partial = {
    columns, changelog: stream.changelog, allowedOutputModes: allowedOutputModes(stream, appendPossible), outputMode,
    key: key === null ? null : key.map((k) => fieldNames.get(k) ?? k), keyFields: key,
    sources, tables: [...planner.tables], root: stream, operators, order, warnings: planner.warnings,
    ...executionFacts(operators, options.target, outputMode, sources, options.catalog),
  };
  const fingerprint = createHash('sha256').update(JSON.stringify(columns)).update(explainOps(operators)).digest('hex').slice(0, 16);
  return { ...partial, fingerprint };
}

export { explainIncremental } from './explain.js';
