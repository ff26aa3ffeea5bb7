/**
 * ORDER BY / LIMIT / OFFSET. On the outermost query they become a SortLimitNode; sort keys must be
 * output columns (by alias, ordinal, or an expression that is in the select list), so the node stays
 * at the very top of the plan. Inside subqueries, views and CTEs ORDER BY alone is dropped (it cannot
 * change a relation) and LIMIT is rejected.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { LogicalNode, SortKey, SortLimitNode } from '../logical/nodes.js';
import type { ExprNode, OrderItem, SelectStmt } from './ast.js';
import { columnIdent, isColumnRef, qualifierOf } from './ast.js';
import type { BoundBody } from './select-entry.js';
import type { BinderState } from './state.js';

export function applyOrderLimit(
  body: BoundBody,
  orderBy: readonly OrderItem[] | null | undefined,
  limitClause: SelectStmt['limit'],
  state: BinderState,
  root: boolean,
): LogicalNode {
  const { limit, offset } = parseLimit(limitClause, state);
  if (!root) {
    if (limit !== null || offset !== null) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', 'LIMIT/OFFSET inside a subquery, view or CTE is not supported', {
        position: state.loc.position(state.loc.findKeyword(limit !== null ? 'limit' : 'offset', state.loc.whole) ?? 0),
        hint: 'LIMIT is allowed on the outermost query only',
      });
    }
    return body.node;
  }
  if ((!orderBy || orderBy.length === 0) && limit === null && offset === null) return body.node;
  const keys = sortKeys(orderBy ?? [], body, state);
  const node: SortLimitNode = { kind: 'sort_limit', input: body.node, orderBy: keys, limit, offset, fields: body.node.fields };
  return node;
}

/** ORDER BY items as sort keys over the body's output fields. */
export function sortKeys(orderBy: readonly OrderItem[], body: BoundBody, state: BinderState): SortKey[] {
  return orderBy.map((item): SortKey => ({
    expr: quoteIdent(outputField(item.expr, body, state)),
    descending: (item.type ?? '').toUpperCase() === 'DESC',
    nullsFirst: item.nulls ? item.nulls.toUpperCase().includes('FIRST') : null,
  }));
}

/** The output field an ORDER BY (or DISTINCT ON) expression names: an alias, an ordinal, or a select expression. */
export function outputField(expr: ExprNode, body: BoundBody, state: BinderState, clause = 'ORDER BY', keyword = 'order'): string {
  const fields = body.node.fields;
  const span = state.loc.spanOf(expr, state.loc.clause(keyword, state.loc.whole));
  const position = state.loc.positionOf(expr, span);
  if (expr.type === 'number') {
    const f = fields[Number(expr.value) - 1];
    if (!f) throw new EddyError('SYNTAX_ERROR', `${clause} position ${String(expr.value)} is not in select list`, { position });
    return f.name;
  }
  if (isColumnRef(expr) && expr.column !== '*' && qualifierOf(expr) === null) {
    const name = columnIdent(expr).name.toLowerCase();
    const byName = fields.filter((f) => f.userName.toLowerCase() === name);
    if (byName.length === 1) return byName[0]!.name;
  }
  if (body.renderKey && body.keys) {
    let sql: string | null = null;
    try {
      sql = body.renderKey(expr, span);
    } catch {
      // not expressible over the select's input: reported below
    }
    const i = sql === null ? -1 : body.keys.indexOf(sql);
    if (i >= 0) return fields[i]!.name;
  }
  throw new EddyError('FEATURE_NOT_SUPPORTED', `${clause} expressions must be output columns of the query`, {
    position,
    hint: 'add the expression to the select list (with an alias if you like) and order by it',
  });
}

function parseLimit(clause: SelectStmt['limit'], state: BinderState): { limit: number | null; offset: number | null } {
  const values = clause?.value ?? [];
  const read = (n: ExprNode | undefined, what: string): number | null => {
    if (!n) return null;
    const v = Number(n.value);
    if (n.type !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new EddyError('SYNTAX_ERROR', `${what} must be a non-negative integer constant`, {
        position: state.loc.position(state.loc.findKeyword(what.toLowerCase(), state.loc.whole) ?? 0),
      });
    }
    return v;
  };
  if (clause?.seperator === 'offset' && values.length === 1) return { limit: null, offset: read(values[0], 'OFFSET') };
  return { limit: read(values[0], 'LIMIT'), offset: read(values[1], 'OFFSET') };
}
