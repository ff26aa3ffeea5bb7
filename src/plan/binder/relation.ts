/**
 * A named relation in FROM: a CTE, or a catalog object (source, table, view, materialized view).
 * Views and materialized views are inlined: their query is bound in place, with its own names.
 */
import { EddyError, isEddyError, type SqlPosition } from '../../util/errors.js';
import { KIND_NAMES } from '../../catalog/catalog.js';
import type { CatalogObject, MaterializedViewObject, ViewObject } from '../../catalog/types.js';
import type { Field } from '../logical/field.js';
import type { LogicalNode, ScanNode } from '../logical/nodes.js';
import { asSelect, type FromItem } from './ast.js';
import { relationProbe, requalify, type BoundFrom } from './bound-from.js';
import { Locator } from './locator.js';
import { bindQueryBody } from './query.js';
import { Scope } from './scope.js';
import type { BinderState } from './state.js';

export async function bindRelationRef(item: FromItem, state: BinderState): Promise<BoundFrom> {
  const name = item.table!;
  const alias = item.as ?? null;
  const position = state.loc.position(state.loc.findTable(name, state.loc.whole) ?? 0);
  const cte = state.ctes.get(name.toLowerCase());
  if (cte && !item.db) return bound(requalify(cte.node, alias ?? cte.name));
  const obj = lookup(state, name);
  if (!obj) {
    throw new EddyError('UNDEFINED_TABLE', `relation "${name}" does not exist`, {
      position,
      hint: 'create it with CREATE SOURCE or CREATE TABLE first, or check the spelling (SHOW SOURCES; SHOW TABLES;)',
    });
  }
  switch (obj.kind) {
    case 'source':
    case 'table': {
      const qualifier = alias ?? obj.name;
      const asOfProctime = state.asOfProctime.has(qualifier.toLowerCase());
      if (asOfProctime && obj.kind !== 'table') {
        throw new EddyError('WRONG_OBJECT_TYPE', `FOR SYSTEM_TIME AS OF PROCTIME() applies to tables, and "${obj.name}" is a ${KIND_NAMES[obj.kind]}`, {
          position,
          hint: 'join the source as it is: its rows arrive once; a table joined as of processing time is read as it is when each batch runs',
        });
      }
      const fields: Field[] = obj.columns.map((c) => ({ name: c.name, type: c.type, userName: c.name, qualifier }));
      const scan: ScanNode = asOfProctime ? { kind: 'scan', relation: 'table', name: obj.name, fields, asOfProctime: true } : { kind: 'scan', relation: obj.kind, name: obj.name, fields };
      return bound(scan);
    }
    case 'materialized_view':
      if (readsAsChangelog(obj)) {
        if (state.asOfProctime.has((alias ?? obj.name).toLowerCase())) {
          throw new EddyError('WRONG_OBJECT_TYPE', `FOR SYSTEM_TIME AS OF PROCTIME() applies to tables, and "${obj.name}" is a materialized view`, { position });
        }
        const qualifier = alias ?? obj.name;
        const fields: Field[] = obj.columns.map((c) => ({ name: c.name, type: c.type, userName: c.name, qualifier }));
        return bound({ kind: 'scan', relation: 'materialized_view', name: obj.name, fields });
      }
      return bound(await inlineView(obj, alias ?? obj.name, state, position));
    case 'view':
      return bound(await inlineView(obj, alias ?? obj.name, state, position));
    case 'sink':
      throw new EddyError('WRONG_OBJECT_TYPE', `"${obj.name}" is a sink, not a relation that can be queried`, {
        position,
        hint: 'select from the sink\'s input, or create a materialized view instead of a sink to query its result',
      });
  }
}

/**
 * A materialized view whose output retracts (output_mode 'update': aggregates, joins of changing
 * inputs) is read as its changelog: its plan and state are not repeated. One whose output only
 * appends is inlined, keeping its sources' event times and watermarks for windows downstream; one in
 * complete mode (ORDER BY / LIMIT) too, its result being re-made rather than changed.
 */
function readsAsChangelog(view: MaterializedViewObject): boolean {
  return view.options.output_mode === 'update';
}

function bound(node: LogicalNode): BoundFrom {
  const qualifier = node.fields[0]?.qualifier ?? null;
  return { node, scope: Scope.of(node), probe: relationProbe(node.fields, qualifier) };
}

function lookup(state: BinderState, name: string): CatalogObject | undefined {
  const catalog = state.ctx.catalog;
  const exact = catalog.get(name) ?? catalog.get(name.toLowerCase());
  if (exact) return exact;
  const matches = catalog.list().filter((o) => o.name.toLowerCase() === name.toLowerCase());
  return matches.length === 1 ? matches[0] : undefined;
}

async function inlineView(
  view: ViewObject | MaterializedViewObject,
  qualifier: string,
  state: BinderState,
  position: SqlPosition,
): Promise<LogicalNode> {
  const what = view.kind === 'view' ? 'view' : 'materialized view';
  if (state.viewStack.includes(view.name)) {
    const cycle = [...state.viewStack.slice(state.viewStack.indexOf(view.name)), view.name].join(' -> ');
    throw new EddyError('INVALID_PARAMETER', `${what} "${view.name}" refers to itself (${cycle})`, { position });
  }
  const stmt = asSelect(view.query.ast);
  if (!stmt) throw new EddyError('INTERNAL', `${what} "${view.name}" has no SELECT query`, { position });
  const inner: BinderState = {
    ctx: state.ctx,
    loc: new Locator(view.query.text, view.query.start),
    ctes: new Map(),
    viewStack: [...state.viewStack, view.name],
    asOfProctime: new Set(view.query.asOfProctime ?? []),
  };
  let node: LogicalNode;
  try {
    node = await bindQueryBody(stmt, inner, { root: false });
  } catch (e) {
    if (!isEddyError(e)) throw e;
    // The inner position points into the view's own text; the user needs to know which reference failed.
    throw new EddyError(e.code, `in ${what} "${view.name}": ${e.message}`, { position, hint: e.hint, cause: e });
  }
  const userNames = view.columns.length === node.fields.length ? view.columns.map((c) => c.name) : undefined;
  return requalify(node, qualifier, userNames);
}
