/**
 * Joins: the right side's conflicting field names are renamed (id -> id_1) so the join's fields are
 * unique, while userName/qualifier keep user references working. USING columns become equality
 * conditions and one merged unqualified column, placed where DuckDB puts it for `*`.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { JoinNode, JoinType, LogicalNode, ProjectNode } from '../logical/nodes.js';
import type { ExprNode, FromItem } from './ast.js';
import { columnIdent, isColumnRef, qualifierOf } from './ast.js';
import type { BoundFrom } from './bound-from.js';
import { checkSupported, renderExpr } from './expression.js';
import { NameAllocator } from './names.js';
import { requireBoolean, typeScalars } from './probe.js';
import { Scope, type ScopeColumn } from './scope.js';
import type { BinderState } from './state.js';
import { findTimeBound } from './time-bound.js';

const KEYWORDS: Record<JoinType, string> = {
  inner: 'JOIN',
  left: 'LEFT JOIN',
  right: 'RIGHT JOIN',
  full: 'FULL JOIN',
  cross: 'CROSS JOIN',
};

export async function bindJoin(left: BoundFrom, rightIn: BoundFrom, type: JoinType, item: FromItem, state: BinderState): Promise<BoundFrom> {
  const right = renameApart(left, rightIn);
  const fields = [...left.node.fields, ...right.node.fields];
  const scope = new Scope([...left.scope.columns, ...right.scope.columns], new Map([...right.scope.merged, ...left.scope.merged]));
  const using = item.using ?? [];
  const joinPosition = state.loc.position(state.loc.findKeyword('join', state.loc.whole) ?? 0);

  if (type === 'cross') {
    const node: JoinNode = { kind: 'join', joinType: 'cross', left: left.node, right: right.node, condition: null, equiKeys: [], fields };
    return { node, scope, probe: `${left.probe} CROSS JOIN ${right.probe}` };
  }

  if (using.length > 0) return bindUsing(left, right, type, using.map((u) => u.value), state, joinPosition);

  const on = item.on!;
  const span = state.loc.spanOf(on, state.loc.whole);
  checkSupported(on, state, span);
  const condition = renderExpr(on, { state, scope, clause: 'JOIN conditions', span });
  const position = state.loc.positionOf(on, span);
  const [type0] = await typeScalars(state, fields, [{ sql: condition, position, what: 'JOIN condition' }]);
  requireBoolean(type0!, 'JOIN/ON', position);
  const equiKeys = equalities(on, scope, left.node.fields, state);
  const timeBound = await findTimeBound(on, scope, left.node.fields, right.node.fields, state);
  const node: JoinNode = { kind: 'join', joinType: type, left: left.node, right: right.node, condition, equiKeys, fields };
  if (timeBound) return { node: { ...node, timeBound }, scope, probe: `${left.probe} ${KEYWORDS[type]} ${right.probe} ON TRUE` };
  return { node, scope, probe: `${left.probe} ${KEYWORDS[type]} ${right.probe} ON TRUE` };
}

/** Renames right fields whose names are taken on the left, wrapping the right node in a projection. */
function renameApart(left: BoundFrom, right: BoundFrom): BoundFrom {
  const names = new NameAllocator(left.node.fields.map((f) => f.name));
  const renamed = new Map<string, Field>();
  let changed = false;
  for (const f of right.node.fields) {
    const name = names.allocate(f.name);
    if (name !== f.name) changed = true;
    renamed.set(f.name, { ...f, name });
  }
  if (!changed) return right;
  const fields = right.node.fields.map((f) => renamed.get(f.name)!);
  const node: ProjectNode = { kind: 'project', input: right.node, exprs: right.node.fields.map((f) => quoteIdent(f.name)), fields };
  const remap = (f: Field): Field => renamed.get(f.name) ?? f;
  const columns: ScopeColumn[] = right.scope.columns.map((c) => ({ field: remap(c.field), inStar: c.inStar }));
  const merged = new Map([...right.scope.merged].map(([k, f]) => [k, remap(f)]));
  return { node, scope: new Scope(columns, merged), probe: right.probe };
}

async function bindUsing(
  left: BoundFrom,
  right: BoundFrom,
  type: Exclude<JoinType, 'cross'>,
  columns: readonly string[],
  state: BinderState,
  position: ReturnType<BinderState['loc']['position']>,
): Promise<BoundFrom> {
  const pairs = columns.map((name) => {
    const find = (side: BoundFrom, which: string): Field => {
      try {
        return side.scope.resolve({ qualifier: null, name, quoted: false }, position);
      } catch (e) {
        if (e instanceof EddyError && e.code === 'UNDEFINED_COLUMN') {
          throw new EddyError('UNDEFINED_COLUMN', `column "${name}" specified in USING clause does not exist in ${which} table`, { position });
        }
        throw e;
      }
    };
    return [find(left, 'left'), find(right, 'right')] as const;
  });
  const fields = [...left.node.fields, ...right.node.fields];
  const condition = pairs.map(([l, r]) => `${quoteIdent(l.name)} = ${quoteIdent(r.name)}`).join(' AND ');
  await typeScalars(state, fields, [{ sql: condition, position, what: 'JOIN USING condition' }]);
  let node: LogicalNode = {
    kind: 'join',
    joinType: type,
    left: left.node,
    right: right.node,
    condition,
    equiKeys: pairs.map(([l, r]) => [l.name, r.name] as const),
    fields,
  };
  const merged = new Map<string, Field>();
  if (type === 'full') {
    // The merged column of a FULL join is whichever side is present: COALESCE, computed above the join.
    const names = new NameAllocator(fields.map((f) => f.name));
    const exprs = pairs.map(([l, r]) => `COALESCE(${quoteIdent(l.name)}, ${quoteIdent(r.name)})`);
    const types = await typeScalars(state, fields, exprs.map((sql) => ({ sql, position, what: 'JOIN USING column' })));
    const extra = pairs.map(([l], i): Field => ({ name: names.allocate(l.userName), type: types[i]!, userName: l.userName, qualifier: null }));
    const project: ProjectNode = { kind: 'project', input: node, exprs: [...fields.map((f) => quoteIdent(f.name)), ...exprs], fields: [...fields, ...extra] };
    node = project;
    pairs.forEach(([l], i) => merged.set(l.userName.toLowerCase(), extra[i]!));
  } else {
    for (const [l, r] of pairs) merged.set(l.userName.toLowerCase(), type === 'right' ? r : l);
  }
  // DuckDB's `*` over a USING join: the left columns (the merged column in the left one's place),
  // then the right columns without the USING columns.
  const leftUsing = new Map(pairs.map(([l], i) => [l.name, i]));
  const rightUsing = new Set(pairs.map(([, r]) => r.name));
  const leftColumns = left.scope.columns.flatMap((c): ScopeColumn[] => {
    const i = leftUsing.get(c.field.name);
    if (i === undefined) return [c];
    const m = merged.get(pairs[i]![0].userName.toLowerCase())!;
    return m === c.field ? [c] : [{ field: m, inStar: c.inStar }, { field: c.field, inStar: false }];
  });
  const rightColumns = right.scope.columns.map((c) => (rightUsing.has(c.field.name) ? { field: c.field, inStar: false } : c));
  const scope = new Scope([...leftColumns, ...rightColumns], new Map([...right.scope.merged, ...left.scope.merged, ...merged]));
  const list = columns.map(quoteIdent).join(', ');
  return { node, scope, probe: `${left.probe} ${KEYWORDS[type]} ${right.probe} USING (${list})` };
}

/** Equality conjuncts `l = r` of the condition between a left field and a right field. */
function equalities(on: ExprNode, scope: Scope, leftFields: readonly Field[], state: BinderState): (readonly [string, string])[] {
  const leftNames = new Set(leftFields.map((f) => f.name));
  const out: (readonly [string, string])[] = [];
  const visit = (n: ExprNode): void => {
    if (n.type !== 'binary_expr') return;
    if (n.operator === 'AND') {
      visit(n.left as ExprNode);
      visit(n.right as ExprNode);
      return;
    }
    if (n.operator !== '=') return;
    const a = fieldOf(n.left as ExprNode);
    const b = fieldOf(n.right as ExprNode);
    if (!a || !b) return;
    if (leftNames.has(a.name) && !leftNames.has(b.name)) out.push([a.name, b.name]);
    else if (leftNames.has(b.name) && !leftNames.has(a.name)) out.push([b.name, a.name]);
  };
  const fieldOf = (n: ExprNode): Field | null => {
    if (!isColumnRef(n) || n.column === '*' || n.array_index || n.options || n.collate) return null;
    const id = columnIdent(n);
    return scope.resolve({ qualifier: qualifierOf(n), name: id.name, quoted: id.quoted }, state.loc.position(0));
  };
  visit(on);
  return out;
}
