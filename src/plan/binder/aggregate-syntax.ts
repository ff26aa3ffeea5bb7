/**
 * An aggregate call as the user wrote it, whichever way node-sql-parser read it: as its own
 * `aggr_func` node (count, sum, array_agg, string_agg, percentile_cont ... WITHIN GROUP), or as a plain
 * function call of one of DuckDB's aggregates whose DISTINCT, ORDER BY and FILTER arrive as marked
 * arguments (`sql/aggregate-call-rewrite.ts`).
 */
import { AGGREGATE_MARKS } from '../../sql/aggregate-call-rewrite.js';
import { AGGREGATE_NAMES } from '../../sql/aggregate-names.js';
import type { ExprNode, OrderItem } from './ast.js';
import { functionName } from './ast.js';

export interface AggregateOrderKey {
  readonly node: ExprNode;
  readonly descending: boolean;
  /** NULLS FIRST (true), NULLS LAST (false), or as DuckDB orders by default (null). */
  readonly nullsFirst: boolean | null;
}

export interface AggregateSyntax {
  /** Lower-cased. */
  readonly name: string;
  /** count(*). */
  readonly star: boolean;
  readonly distinct: boolean;
  readonly args: readonly ExprNode[];
  readonly orderBy: readonly AggregateOrderKey[];
  /** The ORDER BY was written `WITHIN GROUP (ORDER BY ...)` (ordered-set aggregates). */
  readonly withinGroup: boolean;
  readonly filter: ExprNode | null;
}

const MARKS = new Set<string>(Object.values(AGGREGATE_MARKS));

function hasOver(node: ExprNode): boolean {
  return node.over !== undefined && node.over !== null;
}

/** Whether `node` is a call that aggregates its group (an aggregate outside OVER (...)). */
export function isAggregateCall(node: ExprNode): boolean {
  if (hasOver(node)) return false;
  if (node.type === 'aggr_func') return true;
  if (node.type !== 'function') return false;
  const name = functionName(node);
  return name !== null && AGGREGATE_NAMES.has(name);
}

/** The parts of an aggregate call (isAggregateCall(node) must hold). */
export function aggregateSyntax(node: ExprNode): AggregateSyntax {
  const name = functionName(node) ?? '';
  if (node.type === 'aggr_func') return fromAggrFunc(node, name);
  return fromMarkedArguments(callArguments(node), name);
}

interface AggrFuncArgs {
  readonly expr?: ExprNode | Record<string, never>;
  readonly distinct?: string | null;
  readonly orderby?: readonly OrderItem[] | null;
  readonly separator?: { readonly delimiter?: ExprNode } | null;
}

function fromAggrFunc(node: ExprNode, name: string): AggregateSyntax {
  const a = (node.args ?? {}) as AggrFuncArgs;
  const expr = a.expr && typeof (a.expr as ExprNode).type === 'string' ? (a.expr as ExprNode) : null;
  const star = expr?.type === 'star';
  const args = expr && !star ? [expr] : [];
  if (a.separator?.delimiter) args.push(a.separator.delimiter);
  const within = node.within_group_orderby as readonly OrderItem[] | null | undefined;
  const orderBy = (within ?? a.orderby ?? []).map((o): AggregateOrderKey => ({
    node: o.expr,
    descending: String(o.type ?? '').toUpperCase() === 'DESC',
    nullsFirst: o.nulls ? /FIRST/i.test(o.nulls) : null,
  }));
  const filter = (node.filter as { where?: ExprNode } | null | undefined)?.where ?? null;
  return { name, star, distinct: a.distinct === 'DISTINCT', args, orderBy, withinGroup: Boolean(within), filter };
}

/** Whether a call's DISTINCT, ORDER BY or FILTER arrived as marked arguments. */
export function hasMarkedParts(node: ExprNode): boolean {
  return node.type === 'function' && callArguments(node).some((a) => markOf(a) !== null);
}

function markOf(node: ExprNode): string | null {
  return node.type === 'single_quote_string' && MARKS.has(String(node.value)) ? String(node.value) : null;
}

function fromMarkedArguments(all: readonly ExprNode[], name: string): AggregateSyntax {
  let distinct = false;
  const args: ExprNode[] = [];
  const orderBy: { node: ExprNode; descending: boolean; nullsFirst: boolean | null }[] = [];
  let filter: ExprNode | null = null;
  let part: 'args' | 'order' | 'filter' = 'args';
  for (const arg of all) {
    const mark = markOf(arg);
    const last = orderBy[orderBy.length - 1];
    if (mark === AGGREGATE_MARKS.distinct) distinct = true;
    else if (mark === AGGREGATE_MARKS.orderBy) part = 'order';
    else if (mark === AGGREGATE_MARKS.filter) part = 'filter';
    else if (mark === AGGREGATE_MARKS.descending && last) last.descending = true;
    else if (mark === AGGREGATE_MARKS.nullsFirst && last) last.nullsFirst = true;
    else if (mark === AGGREGATE_MARKS.nullsLast && last) last.nullsFirst = false;
    else if (part === 'args') args.push(arg);
    else if (part === 'order') orderBy.push({ node: arg, descending: false, nullsFirst: null });
    else filter = arg;
  }
  return { name, star: false, distinct, args, orderBy, withinGroup: false, filter };
}

/**
 * A function call's arguments. node-sql-parser reads `f(a, b AND c)` as `[a, b] AND c` (the list
 * swallowed by the operator's left side): such a node is taken apart again into `a, b AND c`.
 */
export function callArguments(node: ExprNode): ExprNode[] {
  const value = (node.args as { value?: unknown } | undefined)?.value;
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? (value as ExprNode[]) : [value as ExprNode];
  return list.flatMap(splitSwallowedList);
}

function splitSwallowedList(node: ExprNode): ExprNode[] {
  if (node.type !== 'binary_expr') return [node];
  const left = node.left as ExprNode | ExprNode[];
  if (Array.isArray(left)) {
    if (left.length === 0) return [node];
    const [init, last] = [left.slice(0, -1), left[left.length - 1]!];
    return [...init.flatMap(splitSwallowedList), { ...node, left: last }];
  }
  const inner = splitSwallowedList(left);
  if (inner.length === 1) return [node];
  return [...inner.slice(0, -1), { ...node, left: inner[inner.length - 1]! }];
}
