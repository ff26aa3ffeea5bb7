/**
 * Expression rendering: a node-sql-parser expression AST becomes DuckDB SQL over a node's field
 * names. Column references (and whatever a hook claims, e.g. aggregate calls) are replaced by
 * markers in a copy of the AST, the library prints the copy, and the markers become quoted SQL.
 */
import { randomBytes } from 'node:crypto';
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { ColumnRefNode, ExprNode } from './ast.js';
import { isAggregateCall } from './aggregate-syntax.js';
import { columnIdent, functionName, isColumnRef, qualifierOf } from './ast.js';
import type { Span } from './locator.js';
import type { Scope } from './scope.js';
import { isWindowCall } from './window-call.js';
import { printExpr } from './sql-printer.js';
import type { BinderState } from './state.js';

/** Returns SQL that replaces `node` entirely, or undefined to render it normally. */
export type RenderHook = (node: ExprNode, span: Span) => string | undefined;

export interface RenderEnv {
  readonly state: BinderState;
  readonly scope: Scope;
  /** Where the expression is, for messages: `WHERE`, `JOIN condition`, `GROUP BY`, ... */
  readonly clause: string;
  /** The span to search for nodes that carry no location. */
  readonly span: Span;
  readonly hook?: RenderHook;
}

/** Renders `node` as DuckDB SQL over the scope's field names. */
export function renderExpr(node: ExprNode, env: RenderEnv): string {
  const markers = new Map<string, string>();
  const nonce = randomBytes(4).toString('hex');
  const mark = (sql: string): string => {
    const marker = `__eddy_${nonce}_${markers.size}__`;
    markers.set(marker, sql);
    return marker;
  };
  const rewrite = (value: unknown, span: Span): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, span));
    if (value === null || typeof value !== 'object') return value;
    const obj = value as ExprNode;
    if (typeof obj.type === 'string') {
      const inner = env.state.loc.spanOf(obj, span);
      const claimed = env.hook?.(obj, inner);
      if (claimed !== undefined) return { type: 'default', value: mark(claimed) };
      if (isColumnRef(obj)) return rewriteColumnRef(obj, env, inner, mark);
      if (isAggregateCall(obj)) {
        throw new EddyError('GROUPING_ERROR', `aggregate functions are not allowed in ${env.clause}`, {
          position: env.state.loc.positionOf(obj, inner),
        });
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = k === 'loc' ? v : rewrite(v, env.state.loc.spanOf(obj, span));
    return out;
  };
  let sql = printExpr(rewrite(node, env.span) as ExprNode);
  for (const [marker, replacement] of markers) sql = sql.split(marker).join(replacement);
  return sql;
}

function rewriteColumnRef(ref: ColumnRefNode, env: RenderEnv, span: Span, mark: (sql: string) => string): ExprNode {
  const position = env.state.loc.positionOf(ref, span);
  if (ref.column === '*') {
    throw new EddyError('SYNTAX_ERROR', `"*" is not allowed in ${env.clause}`, { position });
  }
  const id = columnIdent(ref);
  const field = env.scope.resolve({ qualifier: qualifierOf(ref), name: id.name, quoted: id.quoted }, position);
  // Keep the reference's decorations (AT TIME ZONE, [index], COLLATE, parentheses): replace only its name.
  const marker = mark(quoteIdent(field.name));
  const { schema: _schema, db: _db, ...rest } = ref as ColumnRefNode & { schema?: unknown; db?: unknown };
  return { ...rest, table: null, column: { expr: { type: 'default', value: marker } } };
}

/** Whether the expression contains an aggregate call (not looking into subqueries). */
export function containsAggregate(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(containsAggregate);
  if (node === null || typeof node !== 'object') return false;
  const obj = node as Record<string, unknown>;
  // avg(x) OVER (...) is a window function, not an aggregate of the block
  if (typeof obj.type === 'string' && isAggregateCall(obj as ExprNode)) return true;
  if ('ast' in obj) return false;
  return Object.entries(obj).some(([k, v]) => k !== 'loc' && k !== 'over' && containsAggregate(v));
}

/**
 * Rejects what the incremental engine cannot run yet: subqueries in expressions, window functions
 * outside the select list. Each error names the construct and what works instead.
 */
export function checkSupported(node: unknown, state: BinderState, span: Span): void {
  if (Array.isArray(node)) {
    for (const n of node) checkSupported(n, state, span);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as ExprNode;
  const inner = typeof obj.type === 'string' ? state.loc.spanOf(obj, span) : span;
  const position = () => (typeof obj.type === 'string' ? state.loc.positionOf(obj, inner) : state.loc.position(inner.start));
  const fn = typeof obj.type === 'string' ? functionName(obj) : null;
  if ('ast' in obj && obj.ast) {
    const kind = fn === 'exists' ? 'EXISTS subqueries' : 'subqueries in expressions (IN (SELECT ...), scalar subqueries)';
    throw new EddyError('FEATURE_NOT_SUPPORTED', `${kind} are not supported`, {
      position: fn === 'exists' ? position() : state.loc.position(state.loc.findKeyword('select', inner) ?? inner.start),
      hint: 'rewrite the subquery as a JOIN (e.g. IN (SELECT k FROM t) as JOIN t USING (k)), or use a CTE in FROM',
    });
  }
  if (isWindowCall(obj)) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `window function ${fn ?? ''}(...) OVER (...) is only supported in a select list`, {
      position: position(),
      hint: 'compute it as a column of a subquery and filter or order by that column outside, e.g. WHERE rn = 1 for deduplication',
    });
  }
  if (fn === 'exists') {
    throw new EddyError('FEATURE_NOT_SUPPORTED', 'EXISTS subqueries are not supported', { position: position() });
  }
  const right = obj.right as ExprNode | undefined;
  if (obj.type === 'binary_expr' && right?.type === 'default' && /^DISTINCT FROM/i.test(String(right.value))) {
    // The parser keeps the right operand as raw text, so its column names could not be resolved.
    throw new EddyError('FEATURE_NOT_SUPPORTED', `${String(obj.operator)} DISTINCT FROM is not supported yet`, {
      position: position(),
      hint: 'for a IS NOT DISTINCT FROM b write (a = b OR (a IS NULL AND b IS NULL)); for IS DISTINCT FROM negate that',
    });
  }
  for (const [k, v] of Object.entries(obj)) if (k !== 'loc') checkSupported(v, state, inner);
}
