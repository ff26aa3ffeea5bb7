import type { Field } from '../logical/field.js';
import type { LogicalNode } from '../logical/nodes.js';
import type { ExprNode, SelectStmt } from './ast.js';
import { aliasOf, isStarRef, qualifierOf, type ColumnRefNode } from './ast.js';
import type { Span } from './locator.js';
import type { Scope } from './scope.js';
import type { BinderState } from './state.js';

/** A select-list entry after `*` expansion: an expression as written, or a field from a star. */
export type SelectEntry =
  | { readonly kind: 'expr'; readonly node: ExprNode; readonly alias: string | null; readonly span: Span }
  | { readonly kind: 'field'; readonly field: Field };

/** A bound query body, and what ORDER BY needs to match its expressions to output columns. */
export interface BoundBody {
  readonly node: LogicalNode;
  /** Renders an expression as the final projection's exprs were rendered; null for set operations. */
  readonly renderKey: ((node: ExprNode, span: Span) => string) | null;
  /** The final projection's exprs, aligned with node.fields, or null. */
  readonly keys: readonly string[] | null;
}

export function expandSelectList(stmt: SelectStmt, scope: Scope, state: BinderState): SelectEntry[] {
  const whole = state.loc.whole;
  if (stmt.columns === '*') return scope.star(null, state.loc.position(0)).map((field) => ({ kind: 'field', field }));
  return stmt.columns.flatMap((item): SelectEntry[] => {
    if (isStarRef(item.expr)) {
      const qualifier = qualifierOf(item.expr as ColumnRefNode);
      const at = qualifier === null ? state.loc.findKeyword('select', whole) : state.loc.findIdent(qualifier, whole);
      return scope.star(qualifier, state.loc.position(at ?? 0)).map((field) => ({ kind: 'field', field }));
    }
    return [{ kind: 'expr', node: item.expr, alias: aliasOf(item), span: state.loc.spanOf(item.expr, whole) }];
  });
}
