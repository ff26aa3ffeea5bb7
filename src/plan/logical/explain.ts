/**
 * EXPLAIN LOGICAL: the plan as an indented tree, one line per node: its kind, its key details and
 * its output fields with their types.
 */
import { formatMicros } from './duration.js';
import type { Field } from './field.js';
import { inputsOf, type AggregateCall, type JoinTimeBound, type LogicalNode, type SortKey } from './nodes.js';

export function explainLogical(node: LogicalNode): string {
  const lines: string[] = [];
  const visit = (n: LogicalNode, depth: number): void => {
    lines.push(`${'  '.repeat(depth)}${describeNode(n)} -> ${fieldList(n.fields)}`);
    for (const input of inputsOf(n)) visit(input, depth + 1);
  };
  visit(node, 0);
  return lines.join('\n');
}

function describeNode(n: LogicalNode): string {
  switch (n.kind) {
    case 'scan':
      return `Scan ${n.relation} ${n.name}`;
    case 'filter':
      return `Filter ${n.predicate}`;
    case 'project':
      return `Project ${n.exprs.map((e, i) => `${e} AS ${n.fields[i]?.name ?? '?'}`).join(', ')}`;
    case 'aggregate':
      return `Aggregate keys=[${n.keys.join(', ')}] aggs=[${n.aggregates.map(aggregate).join(', ')}]`;
    case 'join': {
      const keys = n.equiKeys.length > 0 ? ` keys=[${n.equiKeys.map(([l, r]) => `${l}=${r}`).join(', ')}]` : '';
      return `Join ${n.joinType}${n.condition === null ? '' : ` on ${n.condition}`}${keys}${timeBound(n.timeBound)}`;
    }
    case 'union':
      return `UnionAll inputs=${n.inputs.length}`;
    case 'distinct':
      return 'Distinct';
    case 'window': {
      const partition = n.partitionBy.length > 0 ? ` partition=[${n.partitionBy.join(', ')}]` : '';
      return `Window ${n.display} time=${n.timeField}${partition}`;
    }
    case 'over':
      return `Over partition=[${n.partitionBy.join(', ')}] [${n.exprs.join(', ')}]`;
    case 'rank':
      return `Rank ${n.rankFunction} partition=[${n.partitionBy.join(', ')}] order=[${n.orderBy.map(sortKey).join(', ')}] <= ${n.limit}${n.rankField ? ` as ${n.rankField}` : ''}`;
    case 'sort_limit': {
      const order = n.orderBy.length > 0 ? ` order=[${n.orderBy.map(sortKey).join(', ')}]` : '';
      const limit = n.limit === null ? '' : ` limit=${n.limit}`;
      const offset = n.offset === null ? '' : ` offset=${n.offset}`;
      return `SortLimit${order}${limit}${offset}`;
    }
  }
}

/** The bound the stream join evicts its state by, e.g. ` time_bound=[b_ts - a_ts in [0s, 1h]]`. */
function timeBound(b: JoinTimeBound | null | undefined): string {
  if (!b) return '';
  const lower = b.lowerMicros === null ? '-inf' : formatMicros(b.lowerMicros);
  const upper = b.upperMicros === null ? '+inf' : formatMicros(b.upperMicros);
  return ` time_bound=[${b.rightField} - ${b.leftField} in [${lower}, ${upper}]]`;
}


function aggregate(a: AggregateCall): string {
  if (a.fn === 'general') return `${a.sql}${a.filter === null ? '' : ` FILTER (WHERE ${a.filter})`}`;
  const arg = a.arg === null ? '*' : `${a.distinct ? 'DISTINCT ' : ''}${a.arg}`;
  return `${a.fn}(${arg})${a.filter === null ? '' : ` FILTER (WHERE ${a.filter})`}`;
}

function sortKey(k: SortKey): string {
  const nulls = k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return `${k.expr}${k.descending ? ' DESC' : ''}${nulls}`;
}

function fieldList(fields: readonly Field[]): string {
  return `(${fields.map(field).join(', ')})`;
}

/** `name TYPE`, plus how the user's SQL refers to it when that differs: `id_1 BIGINT [a.id]`. */
function field(f: Field): string {
  const user = f.qualifier ? `${f.qualifier}.${f.userName}` : f.userName;
  return `${f.name} ${f.type}${user !== f.name ? ` [${user}]` : ''}`;
}
