/**
 * Join time bounds: conjuncts that relate a left and a right time field, such as
 * `r.ts BETWEEN l.ts AND l.ts + INTERVAL '1' HOUR`, `l.ts - INTERVAL '1' MINUTE <= r.ts` or
 * `l.window_start = r.window_start`, become JoinTimeBound: `right - left` within [lower, upper].
 * Strict comparisons give the same (inclusive) bound: the bound only limits what the join keeps in
 * state, the condition itself still decides which rows match.
 */
import { EddyError } from '../../util/errors.js';
import { eventTimeType, type Field } from '../logical/field.js';
import type { JoinNode, JoinTimeBound, LogicalNode } from '../logical/nodes.js';
import type { ExprNode } from './ast.js';
import { columnIdent, isColumnRef, qualifierOf } from './ast.js';
import { intervalMicros, isIntervalConstant } from './interval.js';
import type { Scope } from './scope.js';
import type { BinderState } from './state.js';

/** A time field plus a constant offset in microseconds. */
interface TimeTerm {
  readonly field: Field;
  readonly offset: number;
}

/** The tightest bound the conjuncts of `condition` put on one (left, right) pair of time fields, or null. */
export async function findTimeBound(
  condition: ExprNode,
  scope: Scope,
  left: readonly Field[],
  right: readonly Field[],
  state: BinderState,
): Promise<JoinTimeBound | null> {
  const leftNames = new Set(left.map((f) => f.name));
  const rightNames = new Set(right.map((f) => f.name));
  const bounds = new Map<string, { leftField: string; rightField: string; lowerMicros: number | null; upperMicros: number | null }>();
  const add = (a: TimeTerm, op: string, b: TimeTerm): void => {
    // a.field + a.offset  op  b.field + b.offset, normalised to right - left op' constant.
    let l: TimeTerm;
    let r: TimeTerm;
    if (leftNames.has(a.field.name) && rightNames.has(b.field.name)) {
      [l, r] = [a, b];
      op = ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' } as Record<string, string>)[op]!;
    } else if (rightNames.has(a.field.name) && leftNames.has(b.field.name)) {
      [l, r] = [b, a];
    } else {
      return;
    }
    // Now r + r.offset op l + l.offset, i.e. right - left op (l.offset - r.offset).
    const c = l.offset - r.offset;
    const key = `${l.field.name}\u0000${r.field.name}`;
    const bound = bounds.get(key) ?? { leftField: l.field.name, rightField: r.field.name, lowerMicros: null, upperMicros: null };
    if (op === '>' || op === '>=' || op === '=') bound.lowerMicros = bound.lowerMicros === null ? c : Math.max(bound.lowerMicros, c);
    if (op === '<' || op === '<=' || op === '=') bound.upperMicros = bound.upperMicros === null ? c : Math.min(bound.upperMicros, c);
    bounds.set(key, bound);
  };
  for (const c of conjuncts(condition)) {
    if (c.type !== 'binary_expr') continue;
    const op = String(c.operator).toUpperCase();
    if (op === 'BETWEEN') {
      const x = await term(c.left as ExprNode, scope, state);
      const range = (c.right as { value?: ExprNode[] }).value ?? [];
      if (!x || range.length !== 2) continue;
      const lo = await term(range[0]!, scope, state);
      const hi = await term(range[1]!, scope, state);
      if (lo) add(x, '>=', lo);
      if (hi) add(x, '<=', hi);
    } else if (['=', '<', '<=', '>', '>='].includes(op)) {
      const a = await term(c.left as ExprNode, scope, state);
      const b = a && (await term(c.right as ExprNode, scope, state));
      if (a && b) add(a, op, b);
    }
  }
  const all = [...bounds.values()];
  return all.find((b) => b.lowerMicros !== null && b.upperMicros !== null) ?? all[0] ?? null;
}

/**
 * An inner or cross join directly under WHERE: WHERE's time bound holds for every row the join
 * outputs that survives WHERE, so the join may use it to bound its state (Nexmark q7 writes its
 * bound in WHERE). Returns the join with the bound, or `node` unchanged.
 */
export async function withWhereTimeBound(node: LogicalNode, where: ExprNode, scope: Scope, state: BinderState): Promise<LogicalNode> {
  if (node.kind !== 'join' || (node.joinType !== 'inner' && node.joinType !== 'cross') || node.timeBound) return node;
  const timeBound = await findTimeBound(where, scope, node.left.fields, node.right.fields, state);
  if (!timeBound) return node;
  const join: JoinNode = { ...node, timeBound };
  return join;
}

function conjuncts(node: ExprNode): ExprNode[] {
  if (node.type === 'binary_expr' && node.operator === 'AND') {
    return [...conjuncts(node.left as ExprNode), ...conjuncts(node.right as ExprNode)];
  }
  return [node];
}

/** `col`, `col + INTERVAL`, `col - INTERVAL` (nested), `INTERVAL + col` over a time field; else null. */
async function term(node: ExprNode, scope: Scope, state: BinderState): Promise<TimeTerm | null> {
  if (isColumnRef(node)) {
    if (node.column === '*' || node.array_index || node.options || node.collate) return null;
    const id = columnIdent(node);
    let field: Field;
    try {
      field = scope.resolve({ qualifier: qualifierOf(node), name: id.name, quoted: id.quoted }, state.loc.position(0));
    } catch {
      return null;
    }
    return eventTimeType(field.type) !== null ? { field, offset: 0 } : null;
  }
  if (node.type !== 'binary_expr' || (node.operator !== '+' && node.operator !== '-')) return null;
  const left = node.left as ExprNode;
  const right = node.right as ExprNode;
  const sign = node.operator === '+' ? 1 : -1;
  if (isIntervalConstant(right)) {
    const base = await term(left, scope, state);
    const micros = base && (await micro(right, state));
    return base && micros !== null ? { field: base.field, offset: base.offset + sign * micros } : null;
  }
  if (sign === 1 && isIntervalConstant(left)) {
    const base = await term(right, scope, state);
    const micros = base && (await micro(left, state));
    return base && micros !== null ? { field: base.field, offset: base.offset + micros } : null;
  }
  return null;
}

/** The interval's micros, or null when it has no fixed length (then it bounds nothing). */
async function micro(node: ExprNode, state: BinderState): Promise<number | null> {
  try {
    return await intervalMicros(node, state, state.loc.position(0), 'interval');
  } catch (e) {
    if (e instanceof EddyError && e.code === 'INVALID_PARAMETER') return null;
    throw e;
  }
}
