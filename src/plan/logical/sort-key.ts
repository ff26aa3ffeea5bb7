/** SQL for ORDER BY keys of the plan (result ORDER BY, ranks). */
import { quoteIdent } from '../../duck/quote.js';
import type { Field } from './field.js';
import type { RankNode, SortKey } from './nodes.js';

/** `"price" DESC NULLS LAST`. */
export function sortKeySql(k: SortKey): string {
  return `${k.expr}${k.descending ? ' DESC' : ' ASC'}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`;
}

/**
 * The last ORDER BY key of a ranking or window function whose result depends on the order among
 * rows that tie on the query's keys: a hash of every field, so that tied rows come out in the same
 * order each time a batch recomputes them. One hash key instead of every field as a key: sorting on
 * a dozen keys, strings among them, took twice as long (measured on Nexmark q9's join rows); distinct
 * rows with equal keys and equal 64-bit hashes are the only ones left in no fixed order.
 */
export function tieBreakSql(fields: readonly Field[]): string {
  return `hash(${fields.map((f) => quoteIdent(f.name)).join(', ')})`;
}

/** A rank's ORDER BY: its keys, then for ROW_NUMBER the tie-break (RANK and DENSE_RANK number ties alike). */
export function rankOrderSql(rank: Pick<RankNode, 'rankFunction' | 'orderBy'>, inputFields: readonly Field[]): string[] {
  return [...rank.orderBy.map(sortKeySql), ...(rank.rankFunction === 'row_number' ? [tieBreakSql(inputFields)] : [])];
}
