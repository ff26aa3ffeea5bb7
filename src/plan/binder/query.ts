/**
 * The binder's entry point: a query body (WITH, SELECT blocks joined by set operations, ORDER BY,
 * LIMIT) becomes a typed logical plan whose root fields carry the user-visible column names.
 */
import type { QueryText } from '../../sql/ast.js';
import { EddyError } from '../../util/errors.js';
import type { BindContext } from '../bind-context.js';
import type { LogicalNode } from '../logical/nodes.js';
import type { SelectStmt, WithItem } from './ast.js';
import { asSelect } from './ast.js';
import { requalify } from './bound-from.js';
import { bindDistinctOn, isDistinctOn } from './distinct-on.js';
import { Locator } from './locator.js';
import { applyOrderLimit } from './order-limit.js';
import { completePendingRanks } from './rank.js';
import { bindSelect } from './select.js';
import { bindSetOperation } from './set-operation.js';
import { withCtes, type BinderState, type BoundCte } from './state.js';

/** Binds a query (the body of a SELECT, CREATE MATERIALIZED VIEW, CREATE SINK AS, CREATE VIEW). */
export async function bindQuery(query: QueryText, ctx: BindContext): Promise<LogicalNode> {
  const loc = new Locator(query.text, query.start);
  const stmt = asSelect(query.ast);
  if (!stmt) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', 'only SELECT queries can be planned', { position: loc.position(0) });
  }
  const node = await bindQueryBody(stmt, { ctx, loc, ctes: new Map(), viewStack: [], asOfProctime: new Set(query.asOfProctime ?? []) }, { root: true });
  return completePendingRanks(node);
}

/** Binds a query body; `root` says whether it is the outermost query (where ORDER BY/LIMIT apply). */
export async function bindQueryBody(stmt: SelectStmt, outer: BinderState, opts: { root: boolean }): Promise<LogicalNode> {
  const state = stmt.with && stmt.with.length > 0 ? await bindWith(stmt.with, outer) : outer;
  const chain: SelectStmt[] = [];
  const ops: string[] = [];
  for (let s: SelectStmt | undefined = stmt; s; s = s._next) {
    chain.push(s);
    if (s._next) ops.push(s.set_op ?? 'union');
  }
  // node-sql-parser attaches a set operation's ORDER BY/LIMIT to its last SELECT.
  const last = chain[chain.length - 1]!;
  const blocks = chain.map((s) => ({ ...s, with: null, orderby: null, limit: null, _next: undefined }));
  if (blocks.length === 1 && isDistinctOn(blocks[0]!)) return bindDistinctOn(blocks[0]!, last.orderby, last.limit, state, opts.root);
  const body = blocks.length === 1 ? await bindSelect(blocks[0]!, state) : await bindSetOperation(blocks, ops, state);
  return applyOrderLimit(body, last.orderby, last.limit, state, opts.root);
}

async function bindWith(items: readonly WithItem[], state: BinderState): Promise<BinderState> {
  const ctes = new Map<string, BoundCte>(state.ctes);
  for (const item of items) {
    const name = item.name.value;
    const position = state.loc.position(state.loc.findIdent(name, state.loc.whole) ?? 0);
    if (item.recursive) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', 'WITH RECURSIVE is not supported', { position });
    }
    const body = 'ast' in item.stmt ? item.stmt.ast : item.stmt;
    let node = await bindQueryBody(body, withCtes(state, ctes), { root: false });
    const columns = (item.columns ?? []).map((c) => String((c as { column?: { expr?: { value?: unknown } } }).column?.expr?.value ?? ''));
    if (columns.length > node.fields.length) {
      throw new EddyError('SYNTAX_ERROR', `WITH query "${name}" has ${node.fields.length} columns available but ${columns.length} columns specified`, { position });
    }
    if (columns.length > 0) node = requalify(node, null, node.fields.map((f, i) => columns[i] ?? f.userName));
    ctes.set(name.toLowerCase(), { name, node });
  }
  return withCtes(state, ctes);
}
