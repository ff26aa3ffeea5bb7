/**
 * UNION ALL -> UnionNode; UNION -> DistinctNode over a UnionNode. Column types are unified as DuckDB
 * unifies them (DESCRIBE of a union of probes); an input whose type differs gets a casting ProjectNode.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import type { DistinctNode, LogicalNode, ProjectNode, UnionNode } from '../logical/nodes.js';
import type { SelectStmt } from './ast.js';
import { describeProbe } from './probe.js';
import { bindSelect } from './select.js';
import type { BoundBody } from './select-entry.js';
import type { BinderState } from './state.js';

export async function bindSetOperation(selects: readonly SelectStmt[], ops: readonly string[], state: BinderState): Promise<BoundBody> {
  const whole = state.loc.whole;
  ops.forEach((op, i) => {
    const word = op.split(' ')[0]!.toLowerCase();
    if (word !== 'union') {
      const at = state.loc.findKeyword(word, whole) ?? 0;
      throw new EddyError('FEATURE_NOT_SUPPORTED', `${op.toUpperCase()} is not supported in continuous queries`, {
        position: state.loc.position(at),
        hint: 'UNION and UNION ALL are supported; express INTERSECT/EXCEPT as a JOIN or with aggregation',
      });
    }
    void i;
  });
  const inputs: LogicalNode[] = [];
  for (const s of selects) inputs.push((await bindSelect(s, state)).node);
  const width = inputs[0]!.fields.length;
  const unionAt = unionPositions(state);
  inputs.forEach((n, i) => {
    if (n.fields.length !== width) {
      throw new EddyError('SYNTAX_ERROR', `each UNION query must have the same number of columns (the first has ${width}, query ${i + 1} has ${n.fields.length})`, {
        position: state.loc.position(unionAt[i - 1] ?? 0),
      });
    }
  });

  const probe = inputs
    .map((n) => `SELECT ${n.fields.map((f, i) => `CAST(NULL AS ${f.type}) AS ${quoteIdent(`c${i}`)}`).join(', ')}`)
    .join(' UNION ALL ');
  const types = await describeProbe(state, probe, state.loc.position(unionAt[0] ?? 0), 'UNION');
  const cast = inputs.map((n) => castTo(n, types));
  const fields: Field[] = inputs[0]!.fields.map((f, i) => ({ name: f.name, type: types[i]!, userName: f.userName, qualifier: null }));

  // Left-associative: (a UNION ALL b) UNION c is DISTINCT over all three.
  let acc: LogicalNode = cast[0]!;
  ops.forEach((op, i) => {
    const next = cast[i + 1]!;
    const distinct = op.toLowerCase() !== 'union all';
    const flat = acc.kind === 'union' ? acc.inputs : acc.kind === 'distinct' && distinct && acc.input.kind === 'union' ? acc.input.inputs : [acc];
    const union: UnionNode = { kind: 'union', inputs: [...flat, next], fields };
    acc = distinct ? ({ kind: 'distinct', input: union, fields } satisfies DistinctNode) : union;
  });
  return { node: acc, renderKey: null, keys: null };
}

function castTo(node: LogicalNode, types: readonly string[]): LogicalNode {
  if (node.fields.every((f, i) => f.type === types[i])) return node;
  const fields = node.fields.map((f, i) => ({ ...f, type: types[i]! }));
  const exprs = node.fields.map((f, i) => (f.type === types[i] ? quoteIdent(f.name) : `CAST(${quoteIdent(f.name)} AS ${types[i]})`));
  const project: ProjectNode = { kind: 'project', input: node, exprs, fields };
  return project;
}

function unionPositions(state: BinderState): number[] {
  const out: number[] = [];
  let span = state.loc.whole;
  for (;;) {
    const at = state.loc.findKeyword('union', span);
    if (at === undefined) return out;
    out.push(at);
    span = { start: at + 1, end: span.end };
  }
}
