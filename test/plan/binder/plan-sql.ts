/**
 * A reference compiler from a logical plan to one batch DuckDB query, for differential tests: the
 * bound plan, run as plain SQL over real tables, must give DuckDB's own answer for the user's query.
 */
import { quoteIdent } from '../../../src/duck/quote.js';
import { aggregateSql } from '../../../src/plan/logical/aggregate-sql.js';
import type { LogicalNode, SortKey, WindowNode } from '../../../src/plan/logical/nodes.js';

function sortKey(k: SortKey): string {
  return `${k.expr}${k.descending ? ' DESC' : ''}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`;
}

/**
 * Windows by epoch arithmetic on microseconds: tumble buckets, hop as an unnest of the size/slide
 * windows a row falls in, session as gaps-and-islands (a new session starts where the previous row
 * of the partition is at least the gap earlier; it ends one gap after its last row).
 */
function windowSql(node: WindowNode): string {
  const input = planToSql(node.input);
  const inner = node.input.fields.map((f) => quoteIdent(f.name)).join(', ');
  const [startField, endField] = node.fields.slice(-2).map((f) => quoteIdent(f.name));
  const type = node.fields[node.fields.length - 1]!.type;
  const us = `epoch_us(${quoteIdent(node.timeField)})`;
  const ts = (micros: string): string => `CAST(make_timestamp(${micros}) AS ${type})`;
  const withTz = (micros: string): string => (type === 'TIMESTAMP' ? ts(micros) : `to_timestamp((${micros}) / 1e6)`);
  if (node.window === 'tumble') {
    const start = `(${us} - (${us} % ${node.sizeMicros} + ${node.sizeMicros}) % ${node.sizeMicros})`;
    return `SELECT ${inner}, ${withTz(start)} AS ${startField}, ${withTz(`${start} + ${node.sizeMicros}`)} AS ${endField} FROM (${input})`;
  }
  if (node.window === 'hop') {
    const slide = node.slideMicros!;
    const last = `(${us} - (${us} % ${slide} + ${slide}) % ${slide})`;
    const starts = `unnest(range(${last} - ${node.sizeMicros - slide}, ${last} + 1, ${slide}))`;
    return `SELECT ${inner}, ${withTz('__s')} AS ${startField}, ${withTz(`__s + ${node.sizeMicros}`)} AS ${endField} FROM (SELECT *, ${starts} AS __s FROM (${input}))`;
  }
  const part = node.partitionBy.length ? `PARTITION BY ${node.partitionBy.map(quoteIdent).join(', ')} ` : '';
  const gap = node.sizeMicros;
  const flagged = `SELECT *, CASE WHEN ${us} - lag(${us}) OVER (${part}ORDER BY ${quoteIdent(node.timeField)}) < ${gap} THEN 0 ELSE 1 END AS __new FROM (${input})`;
  const numbered = `SELECT *, sum(__new) OVER (${part}ORDER BY ${quoteIdent(node.timeField)} ROWS UNBOUNDED PRECEDING) AS __sid FROM (${flagged})`;
  const keys = [...node.partitionBy.map(quoteIdent), '__sid'].join(', ');
  return `SELECT ${inner}, ${withTz(`min(${us}) OVER (PARTITION BY ${keys})`)} AS ${startField}, ${withTz(`max(${us}) OVER (PARTITION BY ${keys}) + ${gap}`)} AS ${endField} FROM (${numbered})`;
}

export function planToSql(node: LogicalNode): string {
  const cols = (n: LogicalNode): string => n.fields.map((f) => quoteIdent(f.name)).join(', ');
  switch (node.kind) {
    case 'scan':
      return `SELECT ${cols(node)} FROM ${quoteIdent(node.name)}`;
    case 'filter':
      return `SELECT * FROM (${planToSql(node.input)}) WHERE ${node.predicate}`;
    case 'project':
      return `SELECT ${node.exprs.map((e, i) => `${e} AS ${quoteIdent(node.fields[i]!.name)}`).join(', ') || '1 AS __none'} FROM (${planToSql(node.input)})`;
    case 'aggregate': {
      const aggs = node.aggregates.map((a, i) => `${aggregateSql(a)} AS ${quoteIdent(node.fields[node.keys.length + i]!.name)}`);
      const keys = node.keys.map(quoteIdent);
      const group = keys.length > 0 ? ` GROUP BY ${keys.join(', ')}` : '';
      return `SELECT ${[...keys, ...aggs].join(', ')} FROM (${planToSql(node.input)})${group}`;
    }
    case 'join': {
      const kw = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN', cross: 'CROSS JOIN' }[node.joinType];
      const on = node.condition === null ? '' : ` ON ${node.condition}`;
      return `SELECT ${cols(node)} FROM (${planToSql(node.left)}) ${kw} (${planToSql(node.right)})${on}`;
    }
    case 'union':
      return node.inputs.map((n) => `(${planToSql(n)})`).join(' UNION ALL ');
    case 'distinct':
      return `SELECT DISTINCT * FROM (${planToSql(node.input)})`;
    case 'window':
      return windowSql(node);
    case 'rank': {
      const over = `${node.rankFunction}() OVER (${node.partitionBy.length ? `PARTITION BY ${node.partitionBy.map(quoteIdent).join(', ')} ` : ''}ORDER BY ${node.orderBy.map(sortKey).join(', ')})`;
      const inner = node.input.fields.map((f) => quoteIdent(f.name)).join(', ');
      const rank = quoteIdent('__eddy_rank');
      return `SELECT ${cols(node)} FROM (SELECT ${inner}, ${over} AS ${rank}${node.rankField ? `, ${rank} AS ${quoteIdent(node.rankField)}` : ''} FROM (${planToSql(node.input)}) WHERE true QUALIFY ${rank} <= ${node.limit})`;
    }
    case 'over':
      return `SELECT *, ${node.exprs.map((e, i) => `${e} AS ${quoteIdent(node.fields[node.input.fields.length + i]!.name)}`).join(', ')} FROM (${planToSql(node.input)})`;
    case 'sort_limit': {
      const order = node.orderBy.map((k) => `${k.expr}${k.descending ? ' DESC' : ''}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`);
      return `SELECT * FROM (${planToSql(node.input)})${order.length ? ` ORDER BY ${order.join(', ')}` : ''}${node.limit === null ? '' : ` LIMIT ${node.limit}`}${node.offset === null ? '' : ` OFFSET ${node.offset}`}`;
    }
  }
}
