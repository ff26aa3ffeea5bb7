/**
 * FROM: each item is a named relation, a subquery or a table function; items are combined left to
 * right by their JOIN (comma means CROSS JOIN). A new kind of FROM item plugs into bindFromItem.
 */
import { EddyError } from '../../util/errors.js';
import type { JoinType } from '../logical/nodes.js';
import type { FromItem } from './ast.js';
import { relationProbe, requalify, type BoundFrom } from './bound-from.js';
import { bindJoin } from './join.js';
import { bindQueryBody } from './query.js';
import { bindRelationRef } from './relation.js';
import { Scope } from './scope.js';
import type { BinderState } from './state.js';
import { bindTableFunction } from './table-function.js';

export async function bindFrom(items: readonly FromItem[], state: BinderState): Promise<BoundFrom> {
  let acc = await bindFromItem(items[0]!, state);
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    const previous = items[i - 1]!;
    if (previous.as?.toLowerCase() === 'natural' || item.as?.toLowerCase() === 'natural') {
      throw new EddyError('FEATURE_NOT_SUPPORTED', 'NATURAL JOIN is not supported', {
        position: state.loc.position(state.loc.findKeyword('natural', state.loc.whole) ?? 0),
        hint: 'name the join columns with JOIN ... USING (col, ...)',
      });
    }
    const right = await bindFromItem(item, state);
    const type = item.join ? joinType(item.join) : 'cross';
    if (type !== 'cross' && !item.on && !(item.using && item.using.length > 0)) {
      throw new EddyError('SYNTAX_ERROR', `${item.join} requires an ON or USING clause`, {
        position: state.loc.position(state.loc.findKeyword('join', state.loc.whole) ?? 0),
      });
    }
    acc = await bindJoin(acc, right, type, item, state);
  }
  return acc;
}

function joinType(keyword: string): JoinType {
  const k = keyword.toUpperCase();
  if (k.includes('LEFT')) return 'left';
  if (k.includes('RIGHT')) return 'right';
  if (k.includes('FULL')) return 'full';
  if (k.includes('CROSS')) return 'cross';
  return 'inner';
}

async function bindFromItem(item: FromItem, state: BinderState): Promise<BoundFrom> {
  if (item.expr?.ast) return bindSubquery(item, state);
  if (item.type === 'expr' && item.expr?.type === 'function') return bindTableFunction(item, state);
  if (typeof item.table === 'string') return bindRelationRef(item, state);
  throw new EddyError('FEATURE_NOT_SUPPORTED', 'this kind of FROM item is not supported', {
    position: state.loc.position(state.loc.findKeyword('from', state.loc.whole) ?? 0),
    hint: 'FROM may name sources, tables, views, materialized views, CTEs and subqueries',
  });
}

/** `(SELECT ...) AS s` or `(SELECT ...) AS s(a, b)`: the parser keeps a column list inside the alias. */
async function bindSubquery(item: FromItem, state: BinderState): Promise<BoundFrom> {
  const node = await bindQueryBody(item.expr!.ast!, state, { root: false });
  const { alias, columns } = parseAlias(item.as ?? null);
  if (columns && columns.length > node.fields.length) {
    throw new EddyError('SYNTAX_ERROR', `subquery "${alias}" has ${node.fields.length} columns but ${columns.length} names were given`, {
      position: state.loc.position(state.loc.findIdent(alias ?? '', state.loc.whole) ?? 0),
    });
  }
  const userNames = columns ? node.fields.map((f, i) => columns[i] ?? f.userName) : undefined;
  const requalified = requalify(node, alias, userNames);
  return { node: requalified, scope: Scope.of(requalified), probe: relationProbe(requalified.fields, alias) };
}

function parseAlias(as: string | null): { alias: string | null; columns: string[] | null } {
  if (as === null) return { alias: null, columns: null };
  const m = /^\s*("?)([^"(]+)\1\s*\((.*)\)\s*$/.exec(as);
  if (!m) return { alias: as, columns: null };
  const columns = m[3]!.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  return { alias: m[2]!.trim(), columns };
}
