/**
 * The global event id space of the Nexmark generator (Beam's GeneratorConfig): out of every
 * PROPORTION_DENOMINATOR consecutive event ids, the first PERSON_PROPORTION are persons, the next
 * AUCTION_PROPORTION auctions and the rest bids. Everything here is arithmetic on ids, so a batch
 * boundary can be planned without generating anything.
 */
import type { NexmarkTable } from './schema.js';

export const PERSON_PROPORTION = 1;
export const AUCTION_PROPORTION = 3;
export const BID_PROPORTION = 46;
export const PROPORTION_DENOMINATOR = PERSON_PROPORTION + AUCTION_PROPORTION + BID_PROPORTION;

export const FIRST_PERSON_ID = 1000;
export const FIRST_AUCTION_ID = 1000;
export const FIRST_CATEGORY_ID = 10;

/** Where a table's events sit inside each run of PROPORTION_DENOMINATOR ids: [first, first + count). */
export const KIND_SLOTS: Readonly<Record<NexmarkTable, { first: number; count: number }>> = {
  person: { first: 0, count: PERSON_PROPORTION },
  auction: { first: PERSON_PROPORTION, count: AUCTION_PROPORTION },
  bid: { first: PERSON_PROPORTION + AUCTION_PROPORTION, count: BID_PROPORTION },
};

/** How many events of `table` have an id below `eventId`. */
export function countBefore(table: NexmarkTable, eventId: number): number {
  const { first, count } = KIND_SLOTS[table];
  const epoch = Math.floor(eventId / PROPORTION_DENOMINATOR);
  const inEpoch = eventId % PROPORTION_DENOMINATOR;
  return epoch * count + Math.min(Math.max(inEpoch - first, 0), count);
}

/** The event id of the `index`-th (0-based) event of `table`. */
export function eventIdOf(table: NexmarkTable, index: number): number {
  const { first, count } = KIND_SLOTS[table];
  return Math.floor(index / count) * PROPORTION_DENOMINATOR + first + (index % count);
}
