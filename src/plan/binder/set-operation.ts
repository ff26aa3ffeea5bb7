/**
 * Set operations. UNION ALL -> UnionNode; UNION -> DistinctNode over a UnionNode; INTERSECT and
 * EXCEPT -> the two sides tagged and united, an aggregate counting each distinct row's occurrences
 * per side, a filter on the counts (both > 0; left > 0 and right = 0) and a projection back to the
 * rows: plain nodes the incremental planner already maintains, so a row leaves an EXCEPT when its
 * first match arrives on the right and comes back when the match is deleted. INTERSECT binds tighter
 * than UNION and EXCEPT, as in PostgreSQL; otherwise left to right. Column types are unified as
 * DuckDB unifies them (DESCRIBE of a union of probes); an input whose type differs gets a casting
 * ProjectNode.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError, type SqlPosition } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { AggregateNode, DistinctNode, FilterNode, LogicalNode, ProjectNode, UnionNode } from '../logical/nodes.js';
import type { SelectStmt } from './ast.js';
import { NameAllocator } from './names.js';
import { describeProbe } from './probe.js';
import { bindSelect } from './select.js';
import type { BoundBody } from './select-entry.js';
import type { BinderState } from './state.js';

type SetOp = 'union' | 'union all' | 'intersect' | 'except';

function setOp(written: string, position: SqlPosition): SetOp {
  const op = written.toLowerCase().replace(/\s+/g, ' ').trim();
  if (op === 'union all') return 'union all';
  if (op === 'union' || op === 'union distinct') return 'union';
  if (op === 'intersect' || op === 'intersect distinct') return 'intersect';
  if (op === 'except' || op === 'minus' || op === 'except distinct') return 'except';
  throw new EddyError('FEATURE_NOT_SUPPORTED', `${written.toUpperCase()} is not supported in continuous queries`, {
    position,
    hint: 'UNION [ALL], INTERSECT and EXCEPT are supported',
  });
}

export async function bindSetOperation(selects: readonly SelectStmt[], written: readonly string[], state: BinderState): Promise<BoundBody> {
  const opAt = opPositions(state);
  const ops = written.map((op, i) => setOp(op, state.loc.position(opAt[i] ?? 0)));
  const inputs: LogicalNode[] = [];
  for (const s of selects) inputs.push((await bindSelect(s, state)).node);
  const width = inputs[0]!.fields.length;
  inputs.forEach((n, i) => {
    if (n.fields.length !== width) {
      const word = ops[i - 1]!.split(' ')[0]!.toUpperCase();
      throw new EddyError('SYNTAX_ERROR', `each ${word} query must have the same number of columns (the first has ${width}, query ${i + 1} has ${n.fields.length})`, {
        position: state.loc.position(opAt[i - 1] ?? 0),
      });
    }
  });

  const probe = inputs
    .map((n) => `SELECT ${n.fields.map((f, i) => `CAST(NULL AS ${f.type}) AS ${quoteIdent(`c${i}`)}`).join(', ')}`)
    .join(' UNION ALL ');
  const types = await describeProbe(state, probe, state.loc.position(opAt[0] ?? 0), ops[0]!.split(' ')[0]!.toUpperCase());
  const cast = inputs.map((n) => castTo(n, types));
  const fields: Field[] = inputs[0]!.fields.map((f, i) => ({ name: f.name, type: types[i]!, userName: f.userName, qualifier: null }));

  // INTERSECT first, then the rest left to right: a UNION b INTERSECT c is a UNION (b INTERSECT c).
  const operands: LogicalNode[] = [cast[0]!];
  const rest: Exclude<SetOp, 'intersect'>[] = [];
  ops.forEach((op, i) => {
    const next = cast[i + 1]!;
    if (op === 'intersect') operands[operands.length - 1] = counted('intersect', operands[operands.length - 1]!, next, fields);
    else {
      rest.push(op);
      operands.push(next);
    }
  });
  let acc: LogicalNode = operands[0]!;
  rest.forEach((op, i) => {
    const next = operands[i + 1]!;
    if (op === 'except') {
      acc = counted('except', acc, next, fields);
      return;
    }
    // Left-associative: (a UNION ALL b) UNION c is DISTINCT over all three.
    const distinct = op === 'union';
    const flat = acc.kind === 'union' ? acc.inputs : acc.kind === 'distinct' && distinct && acc.input.kind === 'union' ? acc.input.inputs : [acc];
    const union: UnionNode = { kind: 'union', inputs: [...flat, next], fields };
    acc = distinct ? ({ kind: 'distinct', input: union, fields } satisfies DistinctNode) : union;
  });
  return { node: acc, renderKey: null, keys: null };
}

/** `left INTERSECT right` or `left EXCEPT right` (distinct rows), as counts of each row per side. */
function counted(op: 'intersect' | 'except', left: LogicalNode, right: LogicalNode, fields: readonly Field[]): LogicalNode {
  const names = new NameAllocator(fields.map((f) => f.name));
  const [side, inLeft, inRight] = [names.allocate('__eddy_left'), names.allocate('__eddy_in_left'), names.allocate('__eddy_in_right')];
  const sideField: Field = { name: side, type: 'BOOLEAN', userName: side, qualifier: null };
  const tag = (n: LogicalNode, isLeft: boolean): ProjectNode => ({
    kind: 'project',
    input: n,
    exprs: [...n.fields.map((f) => quoteIdent(f.name)), isLeft ? 'TRUE' : 'FALSE'],
    fields: [...fields, sideField],
  });
  const union: UnionNode = { kind: 'union', inputs: [tag(left, true), tag(right, false)], fields: [...fields, sideField] };
  const count = (name: string, filter: string) => ({ fn: 'count' as const, arg: null, distinct: false, filter, display: `count(*) FILTER (WHERE ${filter})`, name });
  const calls = [count(inLeft, quoteIdent(side)), count(inRight, `NOT ${quoteIdent(side)}`)];
  const aggregate: AggregateNode = {
    kind: 'aggregate',
    input: union,
    keys: fields.map((f) => f.name),
    aggregates: calls.map(({ name: _name, ...call }) => call),
    fields: [...fields, ...calls.map((c): Field => ({ name: c.name, type: 'BIGINT', userName: c.name, qualifier: null }))],
  };
  const both = op === 'intersect' ? `${quoteIdent(inRight)} > 0` : `${quoteIdent(inRight)} = 0`;
  const filter: FilterNode = { kind: 'filter', input: aggregate, predicate: `${quoteIdent(inLeft)} > 0 AND ${both}`, fields: aggregate.fields };
  const project: ProjectNode = { kind: 'project', input: filter, exprs: fields.map((f) => quoteIdent(f.name)), fields };
  return project;
}

function castTo(node: LogicalNode, types: readonly string[]): LogicalNode {
  if (node.fields.every((f, i) => f.type === types[i])) return node;
  const fields = node.fields.map((f, i) => ({ ...f, type: types[i]! }));
  const exprs = node.fields.map((f, i) => (f.type === types[i] ? quoteIdent(f.name) : `CAST(${quoteIdent(f.name)} AS ${types[i]})`));
  const project: ProjectNode = { kind: 'project', input: node, exprs, fields };
  return project;
}

/** Where each set operator's keyword is, in order. */
function opPositions(state: BinderState): number[] {
  const out: number[] = [];
  let span = state.loc.whole;
  for (;;) {
    const found = ['union', 'intersect', 'except']
      .map((word) => state.loc.findKeyword(word, span))
      .filter((at): at is number => at !== undefined);
    if (found.length === 0) return out;
    const at = Math.min(...found);
    out.push(at);
    span = { start: at + 1, end: span.end };
  }
}
