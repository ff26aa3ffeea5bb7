/**
 * Renders a logical subtree that reads only tables (no sources) as one DuckDB query. Such a subtree
 * is the table side of a stream-table join: it is evaluated as of each batch.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { CatalogReader } from '../../catalog/reader.js';
import { aggregateSql } from '../logical/aggregate-sql.js';
import type { LogicalNode, SortKey } from '../logical/nodes.js';
import { sortKeySql } from '../logical/sort-key.js';
import { EddyError } from '../../util/errors.js';

export function staticSql(node: LogicalNode, catalog: CatalogReader): string {
  const q = (n: LogicalNode): string => staticSql(n, catalog);
  switch (node.kind) {
    case 'scan': {
      const table = catalog.get(node.name);
      if (!table || table.kind !== 'table') {
        throw new EddyError('INTERNAL', `"${node.name}" is not a table`);
      }
      const cols = node.fields.map((f, i) => `${quoteIdent(table.columns[i]?.name ?? f.userName)} AS ${quoteIdent(f.name)}`);
      return `SELECT ${cols.join(', ')} FROM main.${quoteIdent(node.name)}`;
    }
    case 'filter':
      return `SELECT * FROM (${q(node.input)}) AS t WHERE ${node.predicate}`;
    case 'project':
      return `SELECT ${node.exprs.map((e, i) => `${e} AS ${quoteIdent(node.fields[i]!.name)}`).join(', ')} FROM (${q(node.input)}) AS t`;
    case 'aggregate': {
      const keys = node.keys.map((k, i) => `${quoteIdent(k)} AS ${quoteIdent(node.fields[i]!.name)}`);
      const aggs = node.aggregates.map((a, i) => `${aggregateSql(a)} AS ${quoteIdent(node.fields[node.keys.length + i]!.name)}`);
      const groupBy = node.keys.length > 0 ? ` GROUP BY ${node.keys.map(quoteIdent).join(', ')}` : '';
      return `SELECT ${[...keys, ...aggs].join(', ')} FROM (${q(node.input)}) AS t${groupBy}`;
    }
    case 'join': {
      const type = node.joinType === 'cross' ? 'CROSS JOIN' : `${node.joinType.toUpperCase()} JOIN`;
      const on = node.joinType === 'cross' ? '' : ` ON ${node.condition ?? 'TRUE'}`;
      return `SELECT * FROM (${q(node.left)}) AS l ${type} (${q(node.right)}) AS r${on}`;
    }
    case 'union': {
      const names = node.fields.map((f) => quoteIdent(f.name));
      return node.inputs
        .map((input) => `SELECT ${input.fields.map((f, i) => `${quoteIdent(f.name)} AS ${names[i]}`).join(', ')} FROM (${q(input)}) AS t`)
        .join(' UNION ALL ');
    }
    case 'distinct':
      return `SELECT DISTINCT * FROM (${q(node.input)}) AS t`;
    case 'sort_limit':
      return `SELECT * FROM (${q(node.input)}) AS t${sortLimitClause(node.orderBy, node.limit, node.offset)}`;
    case 'over':
      return `SELECT *, ${node.exprs.map((e, i) => `${e} AS ${quoteIdent(node.fields[node.input.fields.length + i]!.name)}`).join(', ')} FROM (${q(node.input)}) AS t`;
    case 'window':
    case 'rank':
      throw new EddyError('FEATURE_NOT_SUPPORTED', `${node.kind === 'window' ? 'a window table function' : 'ROW_NUMBER() / RANK()'} over a table (not a source) is not supported in a continuous query`);
  }
}


export function sortLimitClause(
  orderBy: readonly SortKey[],
  limit: number | null,
  offset: number | null,
): string {
  let sql = '';
  if (orderBy.length > 0) {
    sql += ' ORDER BY ' + orderBy.map(sortKeySql).join(', ');
  }
  if (limit !== null) sql += ` LIMIT ${limit}`;
  if (offset !== null) sql += ` OFFSET ${offset}`;
  return sql;
}
