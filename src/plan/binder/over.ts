/**
 * Window function calls other than the top-N pattern (rank.ts): `avg(x) OVER (PARTITION BY k ORDER BY
 * t ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`, `lag(x) OVER (...)`, ... anywhere in a select list
 * that does not aggregate. The calls become one OverNode below the projection, each a new field that
 * the select list then refers to (through a render hook), so `round(avg(x) OVER w, 2)` works too.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { OverNode } from '../logical/nodes.js';
import { tieBreakSql } from '../logical/sort-key.js';
import type { ExprNode } from './ast.js';
import type { BoundFrom } from './bound-from.js';
import { renderExpr, type RenderEnv, type RenderHook } from './expression.js';
import type { Span } from './locator.js';
import { NameAllocator } from './names.js';
import { typeScalars } from './probe.js';
import { isWindowCall, specOf } from './window-call.js';
import type { BinderState } from './state.js';

/** The select items with each window call replaced by the expressions inside it, for checkSupported. */
export function withoutWindowCalls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutWindowCalls);
  if (value === null || typeof value !== 'object') return value;
  if (isWindowCall(value)) {
    const call = value as ExprNode;
    const spec = specOf(call);
    const args = call.args as { expr?: unknown; value?: unknown[] } | undefined;
    return [args?.expr ?? args?.value ?? [], (spec?.partitionby ?? []).map((p) => p.expr), (spec?.orderby ?? []).map((o) => o.expr)].map(withoutWindowCalls);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = k === 'loc' ? v : withoutWindowCalls(v);
  return out;
}

/** `ROWS BETWEEN 10 PRECEDING AND CURRENT ROW` from node-sql-parser's frame clause, or null without one. */
function frameSql(frame: unknown, unsupported: () => EddyError): string | null {
  if (frame === null || frame === undefined) return null;
  const f = frame as { type?: string; operator?: string; left?: { value?: unknown }; right?: { value?: { value?: unknown }[] }; value?: unknown };
  const bound = (v: unknown): string => {
    const text = String(v ?? '').trim().toUpperCase();
    if (!/^(UNBOUNDED PRECEDING|UNBOUNDED FOLLOWING|CURRENT ROW|\d+ PRECEDING|\d+ FOLLOWING)$/.test(text)) throw unsupported();
    return text;
  };
  if (f.type === 'binary_expr' && f.operator === 'BETWEEN' && Array.isArray(f.right?.value) && f.right.value.length === 2) {
    const unit = String(f.left?.value ?? '').toUpperCase();
    if (unit !== 'ROWS' && unit !== 'RANGE') throw unsupported();
    return `${unit} BETWEEN ${bound(f.right.value[0]!.value)} AND ${bound(f.right.value[1]!.value)}`;
  }
  throw unsupported();
}

/** Functions whose value depends on the order of rows within ties (the rest see peers together). */
const ORDER_SENSITIVE = new Set(['row_number', 'lag', 'lead', 'first_value', 'last_value', 'nth_value', 'ntile']);

/**
 * One window call as DuckDB SQL over the input's fields. Where the value depends on the order among
 * rows that tie on ORDER BY (a ROWS frame, lag, first_value, ...), a hash of every input field is added
 * to the ORDER BY: each batch recomputes values and retracts the old ones, so they must come out the same
 * every time (SQL leaves the order among ties open, so this changes no answer SQL allows).
 */
function callSql(call: ExprNode, env: RenderEnv, tiebreak: readonly string[]): { sql: string; partitions: string[] } {
  const position = env.state.loc.positionOf(call, env.span);
  const unsupported = () => new EddyError('FEATURE_NOT_SUPPORTED', `this window frame of ${String(call.name).toLowerCase()}(...) OVER (...) is not supported`, {
    position, hint: 'use ROWS or RANGE BETWEEN ... AND ... with UNBOUNDED PRECEDING/FOLLOWING, CURRENT ROW or N PRECEDING/FOLLOWING',
  });
  const spec = specOf(call);
  if (!spec) throw new EddyError('FEATURE_NOT_SUPPORTED', 'a named window (OVER w) is not supported', { position, hint: 'write the window specification in the OVER clause' });
  const args = call.args as { expr?: ExprNode & { type?: string }; value?: ExprNode[]; distinct?: string | null } | undefined;
  let argSql = '';
  if (call.type === 'aggr_func') {
    const expr = args?.expr;
    argSql = !expr || expr.type === 'star' ? '*' : `${args?.distinct ? 'DISTINCT ' : ''}${renderExpr(expr, env)}`;
  } else {
    argSql = (args?.value ?? []).map((a) => renderExpr(a, env)).join(', ');
  }
  const partitions = (spec.partitionby ?? []).map((p) => renderExpr(p.expr, env));
  const orders = (spec.orderby ?? []).map((o) => `${renderExpr(o.expr, env)}${o.type ? ` ${String(o.type).toUpperCase()}` : ''}${o.nulls ? ` ${String(o.nulls).toUpperCase()}` : ''}`);
  const frame = frameSql(spec.window_frame_clause, unsupported);
  const name = String(call.name).toLowerCase();
  if (frame?.startsWith('ROWS') || (ORDER_SENSITIVE.has(name) && !frame?.startsWith('RANGE'))) orders.push(...tiebreak);
  const over = [
    ...(partitions.length ? [`PARTITION BY ${partitions.join(', ')}`] : []),
    ...(orders.length ? [`ORDER BY ${orders.join(', ')}`] : []),
    ...(frame ? [frame] : []),
  ].join(' ');
  return { sql: `${name}(${argSql}) OVER (${over})`, partitions };
}

/** An OverNode computing `calls` over `input`, and the hook that renders each call as its field. */
export async function bindOver(input: BoundFrom, calls: readonly ExprNode[], state: BinderState, span: Span): Promise<{ node: OverNode; hook: RenderHook }> {
  const env: RenderEnv = { state, scope: input.scope, clause: 'OVER (...)', span };
  const tiebreak = [tieBreakSql(input.node.fields)];
  const rendered = calls.map((c) => callSql(c, env, tiebreak));
  const types = await typeScalars(state, input.node.fields, rendered.map((r, i) => ({ sql: r.sql, position: state.loc.positionOf(calls[i]!, span), what: 'window function' })));
  const names = new NameAllocator(input.node.fields.map((f) => f.name));
  const fields: Field[] = calls.map((c, i) => {
    const name = names.allocate(String(c.name).toLowerCase());
    return { name, type: types[i]!, userName: name, qualifier: null };
  });
  // Partition fields shared by every call: only rows that agree on them can change each other's values.
  const byExpr = new Map(input.node.fields.map((f) => [quoteIdent(f.name), f.name]));
  const fieldSets = rendered.map((r) => new Set(r.partitions.map((p) => byExpr.get(p)).filter((f): f is string => f !== undefined)));
  const partitionBy = [...(fieldSets[0] ?? [])].filter((f) => fieldSets.every((s) => s.has(f)));
  const node: OverNode = { kind: 'over', input: input.node, exprs: rendered.map((r) => r.sql), partitionBy, fields: [...input.node.fields, ...fields] };
  const fieldOf = new Map(calls.map((c, i) => [c, quoteIdent(fields[i]!.name)]));
  return { node, hook: (n) => fieldOf.get(n) };
}
