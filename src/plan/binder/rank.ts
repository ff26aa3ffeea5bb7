/**
 * Deduplication and top-N: a SELECT block (subquery, CTE or view) that computes
 * `ROW_NUMBER() | RANK() | DENSE_RANK() OVER (PARTITION BY ... ORDER BY ...) AS rn`, read by an enclosing
 * query whose WHERE keeps `rn = 1`, `rn <= N`, `rn < N` (or `N >= rn`, ...), becomes one RankNode
 * with that limit. The inner block binds the rank as *pending* (its limit unknown); the enclosing
 * block's WHERE completes it. A rank still pending when the whole query is bound numbers every row:
 * completePendingRanks makes it a plain window function (OverNode, over.ts).
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError, type SqlPosition } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { FilterNode, LogicalNode, OverNode, ProjectNode, RankNode, SortKey } from '../logical/nodes.js';
import { mapInputs } from '../logical/nodes.js';
import { rankOrderSql } from '../logical/sort-key.js';
import type { ExprNode, SelectItem, SelectStmt } from './ast.js';
import { aliasOf, columnIdent, isColumnRef, isStarRef, qualifierOf } from './ast.js';
import { relationProbe, type BoundFrom } from './bound-from.js';
import { checkSupported, containsAggregate, renderExpr } from './expression.js';
import { NameAllocator } from './names.js';
import { typeScalars } from './probe.js';
import { Scope } from './scope.js';
import type { BinderState } from './state.js';
import { specOf, windowCallsOf } from './window-call.js';

const RANK_FUNCTIONS = new Set(['row_number', 'rank', 'dense_rank']);

/** Ranks bound without their limit yet, with where their window function was written. */
const pending = new WeakMap<RankNode, SqlPosition>();

/**
 * The select item that is a supported rank function, when the block is one this module can plan:
 * exactly one window function, a rank function with an OVER specification, and no aggregation.
 */
export function rankItemOf(stmt: SelectStmt): SelectItem | null {
  if (stmt.columns === '*') return null;
  const windows = stmt.columns.filter((c) => windowCallsOf([c]).length > 0);
  if (windows.length !== 1) return null;
  const item = windows[0]!;
  const e = item.expr;
  if (e.type !== 'window_func' || !RANK_FUNCTIONS.has(String(e.name).toLowerCase()) || !specOf(e)) return null;
  const aggregating = (stmt.groupby?.columns?.length ?? 0) > 0 || stmt.having != null || containsAggregate(stmt.columns);
  return aggregating ? null : item;
}


/** The parts of the rank item that checkSupported must still look at (its PARTITION BY and ORDER BY). */
export function rankItemParts(item: SelectItem): unknown[] {
  const spec = specOf(item.expr)!;
  return [(spec.partitionby ?? []).map((p) => p.expr), (spec.orderby ?? []).map((o) => o.expr)];
}

/**
 * A pending RankNode over `input`, and the field holding the rank. Partition expressions that are not
 * plain fields are computed into fields by a projection first (RankNode partitions by field names).
 */
export async function bindPendingRank(input: BoundFrom, item: SelectItem, state: BinderState): Promise<{ node: RankNode; rankField: string }> {
  const call = item.expr;
  const span = state.loc.spanOf(call, state.loc.whole);
  const position = state.loc.positionOf(call, span);
  if (((call.args as { value?: unknown[] } | undefined)?.value ?? []).length > 0) {
    throw new EddyError('SYNTAX_ERROR', `${String(call.name).toLowerCase()}() takes no arguments`, { position });
  }
  const spec = specOf(call)!;
  checkSupported(rankItemParts(item), state, span);
  const env = { state, scope: input.scope, clause: 'OVER (...)', span };
  const partitions = (spec.partitionby ?? []).map((p) => renderExpr(p.expr, env));
  const orders = (spec.orderby ?? []).map((o) => renderExpr(o.expr, env));
  const types = await typeScalars(state, input.node.fields, [...partitions, ...orders].map((sql) => ({ sql, position, what: 'window specification' })));

  const names = new NameAllocator(input.node.fields.map((f) => f.name));
  const byExpr = new Map(input.node.fields.map((f) => [quoteIdent(f.name), f.name]));
  const computed: Field[] = [];
  const computedExprs: string[] = [];
  const partitionBy = partitions.map((sql, i) => {
    const field = byExpr.get(sql);
    if (field !== undefined) return field;
    const name = names.allocate(`partition_${i + 1}`);
    computed.push({ name, type: types[i]!, userName: name, qualifier: null });
    computedExprs.push(sql);
    byExpr.set(sql, name);
    return name;
  });
  let below = input.node;
  if (computed.length > 0) {
    const project: ProjectNode = {
      kind: 'project',
      input: below,
      exprs: [...below.fields.map((f) => quoteIdent(f.name)), ...computedExprs],
      fields: [...below.fields, ...computed],
    };
    below = project;
  }
  const orderBy: SortKey[] = (spec.orderby ?? []).map((o, i) => ({
    expr: orders[i]!,
    descending: (o.type ?? '').toUpperCase() === 'DESC',
    nullsFirst: o.nulls ? o.nulls.toUpperCase().includes('FIRST') : null,
  }));
  const rankField = names.allocate(aliasOf(item) ?? String(call.name).toLowerCase());
  const node: RankNode = {
    kind: 'rank',
    input: below,
    rankFunction: String(call.name).toLowerCase() as RankNode['rankFunction'],
    partitionBy,
    orderBy,
    limit: 0,
    rankField,
    fields: [...below.fields, { name: rankField, type: 'BIGINT', userName: rankField, qualifier: null }],
  };
  pending.set(node, position);
  return { node, rankField };
}

/**
 * Completes a pending rank under a single FROM item with the WHERE conjunct that limits it. Returns
 * the FROM item (without the rank column when the query does not otherwise use it) and the rest of WHERE.
 */
export function applyRankFilter(from: BoundFrom, stmt: SelectStmt, state: BinderState): { from: BoundFrom; where: ExprNode | null } {
  const where = stmt.where ?? null;
  if (where === null || (stmt.from?.length ?? 0) !== 1) return { from, where };
  const conjuncts = splitAnd(where);
  for (const [i, c] of conjuncts.entries()) {
    const limit = rankLimit(c, from.scope, state);
    if (limit === null) continue;
    const rank = traceRank(from.node, limit.field.name);
    if (rank === null) continue;
    const rest = conjuncts.filter((_, j) => j !== i);
    const keep = usesField(stmt, rest, from.scope, limit.field, state);
    const node = complete(from.node, limit.field.name, rank, limit.limit, keep);
    const scope = keep ? from.scope : new Scope(from.scope.columns.filter((col) => col.field.name !== limit.field.name), from.scope.merged);
    const qualifier = node.fields[0]?.qualifier ?? null;
    return { from: { node, scope, probe: keep ? from.probe : relationProbe(node.fields, qualifier) }, where: joinAnd(rest) };
  }
  return { from, where };
}

/**
 * The bound query with each rank left pending (no enclosing filter limits it) turned into a plain
 * window function over all rows (OverNode): `row_number() OVER (...) AS rn` selected as a column.
 * Ties are broken by a hash of every input field for ROW_NUMBER, as the Rank operator does, so that the
 * numbering recomputed each batch comes out the same.
 */
export function completePendingRanks(node: LogicalNode): LogicalNode {
  const below = mapInputs(node, completePendingRanks);
  if (below.kind !== 'rank' || !pending.has(node as RankNode)) return below;
  const partition = below.partitionBy.length ? `PARTITION BY ${below.partitionBy.map(quoteIdent).join(', ')} ` : '';
  const order = rankOrderSql(below, below.input.fields);
  const over: OverNode = {
    kind: 'over',
    input: below.input,
    exprs: [`${below.rankFunction}() OVER (${partition}${order.length ? `ORDER BY ${order.join(', ')}` : ''})`],
    partitionBy: below.partitionBy,
    fields: below.fields,
  };
  return over;
}

function splitAnd(node: ExprNode): ExprNode[] {
  if (node.type === 'binary_expr' && node.operator === 'AND') {
    return [...splitAnd(node.left as ExprNode), ...splitAnd(node.right as ExprNode)];
  }
  return [node];
}

function joinAnd(nodes: readonly ExprNode[]): ExprNode | null {
  if (nodes.length === 0) return null;
  return nodes.reduce((acc, n) => ({ type: 'binary_expr', operator: 'AND', left: acc, right: n }) as ExprNode);
}

const FLIP: Record<string, string> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `rn = 1`, `rn <= N`, `rn < N` (either way round) on a resolvable column: the field and the limit. */
function rankLimit(c: ExprNode, scope: Scope, state: BinderState): { field: Field; limit: number } | null {
  if (c.type !== 'binary_expr' || !(String(c.operator) in FLIP)) return null;
  let column = c.left as ExprNode;
  let number = c.right as ExprNode;
  let op = String(c.operator);
  if (!isColumnRef(column)) {
    [column, number] = [number, column];
    op = FLIP[op]!;
  }
  if (!isColumnRef(column) || column.column === '*' || number.type !== 'number' || !Number.isInteger(Number(number.value))) return null;
  const n = Number(number.value);
  const limit = op === '=' ? (n === 1 ? 1 : null) : op === '<=' ? n : op === '<' ? n - 1 : null;
  if (limit === null || limit < 1) return null;
  try {
    const id = columnIdent(column);
    return { field: scope.resolve({ qualifier: qualifierOf(column), name: id.name, quoted: id.quoted }, state.loc.position(0)), limit };
  } catch {
    return null;
  }
}

/** The pending rank whose rank column `name` (a field of `node`) passes through to, or null. */
function traceRank(node: LogicalNode, name: string): RankNode | null {
  if (node.kind === 'rank') return pending.has(node) && node.rankField === name ? node : null;
  if (node.kind === 'filter') return traceRank(node.input, name);
  if (node.kind !== 'project') return null;
  const i = node.fields.findIndex((f) => f.name === name);
  const source = node.input.fields.find((f) => quoteIdent(f.name) === node.exprs[i]);
  return source ? traceRank(node.input, source.name) : null;
}

/** `node` with the pending rank completed; without the rank column (in it and above it) unless `keep`. */
function complete(node: LogicalNode, name: string, rank: RankNode, limit: number, keep: boolean): LogicalNode {
  if (node === rank) {
    const fields = keep ? rank.fields : rank.fields.filter((f) => f.name !== name);
    return { ...rank, limit, rankField: keep ? rank.rankField : null, fields };
  }
  if (node.kind === 'filter') {
    const input = complete(node.input, name, rank, limit, keep);
    const filter: FilterNode = { ...node, input, fields: keep ? node.fields : node.fields.filter((f) => f.name !== name) };
    return filter;
  }
  if (node.kind !== 'project') throw new Error('unreachable: traceRank only passes filters and projections');
  const i = node.fields.findIndex((f) => f.name === name);
  const source = node.input.fields.find((f) => quoteIdent(f.name) === node.exprs[i])!;
  const input = complete(node.input, source.name, rank, limit, keep);
  const project: ProjectNode = keep
    ? { ...node, input }
    : { ...node, input, exprs: node.exprs.filter((_, j) => j !== i), fields: node.fields.filter((_, j) => j !== i) };
  return project;
}

/** Whether the query refers to `field` anywhere but the consumed conjunct (so the rank must be output). */
function usesField(stmt: SelectStmt, rest: readonly ExprNode[], scope: Scope, field: Field, state: BinderState): boolean {
  const at = state.loc.position(0);
  if (stmt.columns === '*') return scope.star(null, at).includes(field);
  for (const item of stmt.columns) {
    if (isStarRef(item.expr)) {
      try {
        if (scope.star(qualifierOf(item.expr as never), at).includes(field)) return true;
      } catch {
        return true;
      }
    }
  }
  const refs = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(refs);
    if (node === null || typeof node !== 'object') return false;
    const obj = node as ExprNode;
    if (isColumnRef(obj) && obj.column !== '*') {
      try {
        const id = columnIdent(obj);
        return scope.resolve({ qualifier: qualifierOf(obj), name: id.name, quoted: id.quoted }, at) === field;
      } catch {
        return false;
      }
    }
    return Object.entries(obj).some(([k, v]) => k !== 'loc' && refs(v));
  };
  return refs([stmt.columns.map((c) => c.expr), rest, stmt.groupby?.columns ?? [], stmt.having ?? null, stmt.orderby ?? []]);
}
