/**
 * `SELECT DISTINCT ON (k, ...) ... ORDER BY k, ..., rest`: the first row of each k by the rest of
 * the ORDER BY, which is the rank operator's deduplication (ROW_NUMBER() ... = 1): a RankNode over the
 * select's projection, partitioned by k and ordered by the rest (ties broken as every rank breaks
 * them). As in PostgreSQL, the ORDER BY must begin with the DISTINCT ON expressions; here both name
 * output columns (by name, ordinal or an expression in the select list). The ORDER BY has done its
 * work once the rows are chosen: it stays on the result only with a LIMIT or OFFSET.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { LogicalNode, RankNode } from '../logical/nodes.js';
import type { ExprNode, OrderItem, SelectStmt } from './ast.js';
import { applyOrderLimit, outputField, sortKeys } from './order-limit.js';
import { bindSelect } from './select.js';
import type { BinderState } from './state.js';

export function isDistinctOn(stmt: SelectStmt): boolean {
  return (stmt.distinct?.type ?? '').toUpperCase() === 'DISTINCT ON';
}

export async function bindDistinctOn(stmt: SelectStmt, orderBy: readonly OrderItem[] | null | undefined, limit: SelectStmt['limit'], state: BinderState, root: boolean): Promise<LogicalNode> {
  const columns = ((stmt.distinct as { columns?: readonly { expr: ExprNode }[] } | null)?.columns ?? []).map((c) => c.expr);
  const body = await bindSelect({ ...stmt, distinct: null }, state);
  const partitionBy = [...new Set(columns.map((c) => outputField(c, body, state, 'DISTINCT ON', 'distinct')))];
  const keys = sortKeys(orderBy ?? [], body, state);
  const leading = new Set(keys.slice(0, partitionBy.length).map((k) => k.expr));
  if (keys.length > 0 && (keys.length < partitionBy.length || partitionBy.some((f) => !leading.has(quoteIdent(f))))) {
    throw new EddyError('INVALID_COLUMN_REFERENCE', 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', {
      position: state.loc.position(state.loc.findKeyword('order', state.loc.whole) ?? 0),
      hint: `begin the ORDER BY with ${partitionBy.join(', ')}, then order by what picks the row to keep`,
    });
  }
  const rank: RankNode = {
    kind: 'rank',
    input: body.node,
    rankFunction: 'row_number',
    partitionBy,
    orderBy: keys.slice(partitionBy.length),
    limit: 1,
    rankField: null,
    fields: body.node.fields,
  };
  const chosen = { ...body, node: rank };
  const limited = limit?.value?.length ? orderBy : null;
  return applyOrderLimit(chosen, limited, limit, state, root);
}
