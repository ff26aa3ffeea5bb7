/**
 * Window function calls in node-sql-parser's AST: `row_number() OVER (...)` (a window_func) and
 * `avg(x) OVER (...)` (an aggregate with an OVER clause), and their window specification.
 */
import type { ExprNode, OrderItem, SelectItem } from './ast.js';

export interface WindowSpec {
  readonly partitionby?: readonly { readonly expr: ExprNode }[] | null;
  readonly orderby?: readonly OrderItem[] | null;
  readonly window_frame_clause?: unknown;
}

/** Whether an expression node is a window function call. */
export function isWindowCall(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  const obj = node as Record<string, unknown>;
  return obj.type === 'window_func' || (obj.over !== undefined && obj.over !== null);
}

/** The OVER (...) specification of a call, or null (no OVER, or a named window: OVER w). */
export function specOf(node: ExprNode): WindowSpec | null {
  const over = node.over as { as_window_specification?: { window_specification?: WindowSpec } } | null | undefined;
  return over?.as_window_specification?.window_specification ?? null;
}

/** The window calls in select items, outermost first (a call inside another call's arguments is not one). */
export function windowCallsOf(items: readonly SelectItem[]): ExprNode[] {
  const calls: ExprNode[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    if (isWindowCall(value)) {
      calls.push(value as ExprNode);
      return;
    }
    const obj = value as Record<string, unknown>;
    if ('ast' in obj) return;
    for (const [k, v] of Object.entries(obj)) if (k !== 'loc') visit(v);
  };
  items.forEach((i) => visit(i.expr));
  return calls;
}
