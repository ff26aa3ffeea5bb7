/**
 * A reference compiler from a logical plan to one batch DuckDB query, for differential tests: the
 * bound plan, run as plain SQL over real tables, must give DuckDB's own answer for the user's query.
 */
import { quoteIdent } from '../../../src/duck/quote.js';
import type { LogicalNode } from '../../../src/plan/logical/nodes.js';

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
      const aggs = node.aggregates.map((a, i) => {
        const arg = a.arg === null ? '*' : `${a.distinct ? 'DISTINCT ' : ''}${quoteIdent(a.arg)}`;
        const filter = a.filter === null ? '' : ` FILTER (WHERE ${a.filter})`;
        return `${a.fn}(${arg})${filter} AS ${quoteIdent(node.fields[node.keys.length + i]!.name)}`;
      });
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
    case 'sort_limit': {
      const order = node.orderBy.map((k) => `${k.expr}${k.descending ? ' DESC' : ''}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`);
      return `SELECT * FROM (${planToSql(node.input)})${order.length ? ` ORDER BY ${order.join(', ')}` : ''}${node.limit === null ? '' : ` LIMIT ${node.limit}`}${node.offset === null ? '' : ` OFFSET ${node.offset}`}`;
    }
  }
}
