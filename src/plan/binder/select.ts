/**
 * One SELECT block: FROM, WHERE (FilterNode), GROUP BY/aggregates/HAVING (aggregate.ts), the select
 * list (ProjectNode, whose fields carry the user-visible column names) and DISTINCT (DistinctNode).
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { DistinctNode, FilterNode, LogicalNode, ProjectNode } from '../logical/nodes.js';
import type { ExprNode, SelectStmt } from './ast.js';
import { bindAggregate } from './aggregate.js';
import type { BoundFrom } from './bound-from.js';
import { checkSupported, containsAggregate, renderExpr, type RenderHook } from './expression.js';
import { bindFrom } from './from.js';
import type { Span } from './locator.js';
import { outputNames } from './output-names.js';
import { requireBoolean, typeScalars, type ProbeItem } from './probe.js';
import { bindOver, withoutWindowCalls } from './over.js';
import { windowCallsOf } from './window-call.js';
import { applyRankFilter, bindPendingRank, rankItemOf } from './rank.js';
import { expandSelectList, type BoundBody, type SelectEntry } from './select-entry.js';
import type { BinderState } from './state.js';
import { withWhereTimeBound } from './time-bound.js';

export async function bindSelect(stmt: SelectStmt, state: BinderState): Promise<BoundBody> {
  const whole = state.loc.whole;
  if (!stmt.from || stmt.from.length === 0) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', 'SELECT without FROM is not supported in continuous queries', {
      position: state.loc.position(state.loc.findKeyword('select', whole) ?? 0),
      hint: 'select from a source, table or view',
    });
  }
  const rankItem = rankItemOf(stmt);
  const overCalls = rankItem || stmt.columns === '*' ? [] : windowCallsOf(stmt.columns);
  const checked = rankItem && stmt.columns !== '*' ? stmt.columns.filter((c) => c !== rankItem) : stmt.columns;
  checkSupported([withoutWindowCalls(checked), stmt.where, stmt.groupby, stmt.having, stmt.orderby], state, whole);
  const ranked = applyRankFilter(await bindFrom(stmt.from, state), stmt, state);
  const from = ranked.from;
  let input: BoundFrom = from;
  if (ranked.where) input = { ...from, node: await bindWhere(ranked.where, from, state) };
  let windowHook: RenderHook | undefined;
  if (rankItem) {
    const rank = await bindPendingRank(input, rankItem, state);
    input = { ...input, node: rank.node };
    windowHook = (node) => (node === rankItem.expr ? quoteIdent(rank.rankField) : undefined);
  }
  if (overCalls.length > 0) {
    const grouped = (stmt.groupby?.columns?.length ?? 0) > 0 || stmt.having != null || containsAggregate(stmt.columns);
    if (grouped) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', 'window functions over the groups of the same SELECT are not supported', {
        position: state.loc.positionOf(overCalls[0]!, whole),
        hint: 'aggregate in a subquery, and apply the window function to its result in the enclosing SELECT',
      });
    }
    const over = await bindOver(input, overCalls, state, whole);
    input = { ...input, node: over.node };
    windowHook = over.hook;
  }

  const entries = expandSelectList(stmt, input.scope, state);
  const aggregating =
    (stmt.groupby?.columns?.length ?? 0) > 0 ||
    stmt.having != null ||
    entries.some((e) => e.kind === 'expr' && containsAggregate(e.node));

  let below: LogicalNode;
  let renderKey: (node: ExprNode, span: Span) => string;
  let fieldSql: (field: Field, at: number) => string;
  if (aggregating) {
    const agg = await bindAggregate(input, entries, stmt, state);
    below = agg.node;
    renderKey = (node, span) => agg.render(node, span, 'SELECT');
    fieldSql = (field, at) => agg.fieldSql(field, state.loc.position(at));
  } else {
    below = input.node;
    renderKey = (node, span) => renderExpr(node, { state, scope: input.scope, clause: 'SELECT', span, hook: windowHook });
    fieldSql = (field) => quoteIdent(field.name);
  }

  const selectAt = state.loc.findKeyword('select', whole) ?? 0;
  const exprs = entries.map((e) => (e.kind === 'field' ? fieldSql(e.field, selectAt) : renderKey(e.node, e.span)));
  const items = entries.map((e, i): ProbeItem => ({
    sql: exprs[i]!,
    position: e.kind === 'expr' ? state.loc.positionOf(e.node, e.span) : state.loc.position(selectAt),
    what: 'select expression',
  }));
  const types = await typeScalars(state, below.fields, items);
  const groupBy = aggregating ? (stmt.groupby?.columns ?? []) : null;
  const names = await outputNames(state, entries, from, groupBy);
  const fields: Field[] = names.map((name, i) => ({ name, type: types[i]!, userName: name, qualifier: null }));
  const project: ProjectNode = { kind: 'project', input: below, exprs, fields };
  let node: LogicalNode = project;
  if (stmt.distinct?.type) {
    if (stmt.distinct.type.toUpperCase() !== 'DISTINCT') {
      throw new EddyError('FEATURE_NOT_SUPPORTED', `SELECT ${stmt.distinct.type} is not supported`, {
        position: state.loc.position(state.loc.findKeyword('distinct', whole) ?? 0),
        hint: 'use SELECT DISTINCT, or GROUP BY',
      });
    }
    const distinct: DistinctNode = { kind: 'distinct', input: project, fields };
    node = distinct;
  }
  return { node, renderKey, keys: exprs };
}

async function bindWhere(where: ExprNode, from: BoundFrom, state: BinderState): Promise<LogicalNode> {
  const span = state.loc.spanOf(where, state.loc.clause('where', state.loc.whole));
  const predicate = renderExpr(where, { state, scope: from.scope, clause: 'WHERE', span });
  const position = state.loc.positionOf(where, span);
  const [type] = await typeScalars(state, from.node.fields, [{ sql: predicate, position, what: 'WHERE clause' }]);
  requireBoolean(type!, 'WHERE', position);
  const input = await withWhereTimeBound(from.node, where, from.scope, state);
  const filter: FilterNode = { kind: 'filter', input, predicate, fields: from.node.fields };
  return filter;
}

export type { SelectEntry };
