import { quoteIdent } from '../../duck/quote.js';
import type { AggregateCall } from './nodes.js';

/** An aggregate call as DuckDB SQL over its input's fields, FILTER included. */
export function aggregateSql(a: AggregateCall): string {
  const filter = a.filter ? ` FILTER (WHERE ${a.filter})` : '';
  if (a.fn === 'general') return `${a.sql}${filter}`;
  const arg = a.arg === null ? '*' : `${a.distinct ? 'DISTINCT ' : ''}${quoteIdent(a.arg)}`;
  return `${a.fn}(${arg})${filter}`;
}
