/** SQL for ORDER BY keys of the plan (result ORDER BY, ranks). */
import { quoteIdent } from '../../duck/quote.js';
import type { Field } from './field.js';
import type { RankNode, SortKey } from './nodes.js';

/** `"price" DESC NULLS LAST`. */
export function sortKeySql(k: SortKey): string {
  return `${k.expr}${k.descending ? ' DESC' : ' ASC'}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`;
}

/**
 * A rank's ORDER BY: its keys, then for ROW_NUMBER a hash of every input field, so that rows that
 * tie are numbered the same way each time a batch ranks them again (RANK and DENSE_RANK number ties
 * alike). One hash key instead of every field as a key: sorting on a dozen keys, strings among them,
 * took twice as long (measured on Nexmark q9's join rows); distinct rows with equal keys and equal
 * 64-bit hashes are the only ones left in no fixed order.
 */
export function rankOrderSql(rank: Pick<RankNode, 'rankFunction' | 'orderBy'>, inputFields: readonly Field[]): string[] {
  const tieBreak = rank.rankFunction === 'row_number' ? [`hash(${inputFields.map((f) => quoteIdent(f.name)).join(', ')})`] : [];
  return [...rank.orderBy.map(sortKeySql), ...tieBreak];
}
