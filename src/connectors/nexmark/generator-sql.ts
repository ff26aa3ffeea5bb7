/**
 * The Nexmark generator as DuckDB SQL. Every event is a pure function of its global event id: where
 * Beam's NexmarkGenerator draws from `new Random(eventId)`, this draws from `hash(id, seed, salt)`,
 * one salt per draw, so a batch of events is one `SELECT ... FROM range(a, b)` and any split of the
 * id range generates the same rows.
 *
 * The rules follow Beam's GeneratorConfig / PersonGenerator / AuctionGenerator / BidGenerator /
 * PriceGenerator with Beam's default configuration. Deliberate differences:
 * - no "lead" ids: Beam lets a bid name one of the next 10 auctions (or persons) not generated yet;
 *   here every auction, seller and bidder id refers to an event with a smaller id, so a bid's auction
 *   always exists when the bid arrives. Likewise a hot bidder never names a person not generated yet.
 * - random strings are slices of a fixed pseudo-random text rather than drawn letter by letter, and
 *   the size of `extra` is computed from the average sizes of the other fields, not their exact sizes.
 * - a non-hot channel's url ends in a fixed scramble of the channel number (Beam bit-reverses it).
 */
import { quoteLiteral } from '../../duck/quote.js';
import {
  AUCTION_PROPORTION,
  FIRST_AUCTION_ID,
  FIRST_CATEGORY_ID,
  FIRST_PERSON_ID,
  KIND_SLOTS,
  PERSON_PROPORTION,
  PROPORTION_DENOMINATOR,
} from './event-ids.js';
import { NEXMARK_COLUMNS, type NexmarkTable } from './schema.js';

/** Beam's default NexmarkConfiguration values that shape the data. */
const HOT_AUCTION_RATIO = 2;
const HOT_BIDDERS_RATIO = 4;
const HOT_SELLERS_RATIO = 4;
/** Hot auctions/bidders/sellers are the first of each run of this many ids (Beam's HOT_*_RATIO = 100). */
const HOT_BUCKET = 100;
const NUM_ACTIVE_PEOPLE = 1000;
const NUM_IN_FLIGHT_AUCTIONS = 100;
const NUM_CATEGORIES = 5;
const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const HOT_CHANNELS = ['Google', 'Facebook', 'Baidu', 'Apple'];
const FIRST_NAMES = ['Peter', 'Paul', 'Luke', 'John', 'Saul', 'Vicky', 'Kate', 'Julie', 'Sarah', 'Deiter', 'Walter'];
const LAST_NAMES = ['Shultz', 'Abrams', 'Spencer', 'White', 'Bartels', 'Walton', 'Smith', 'Jones', 'Noris'];
const US_STATES = ['AZ', 'CA', 'ID', 'OR', 'WA', 'WY'];
const US_CITIES = ['Phoenix', 'Los Angeles', 'San Francisco', 'Boise', 'Portland', 'Bend', 'Redmond', 'Seattle', 'Kent', 'Cheyenne'];

export interface GeneratorSettings {
  readonly table: NexmarkTable;
  readonly eventsPerSecond: number;
  /** Event time of event 0, epoch milliseconds. */
  readonly baseTimeMs: number;
  readonly seed: number;
}

/** Text that random strings are sliced from: lower-case letters with a space about 1 in 13 (as Beam). */
const POOL = buildPool(4096);

function buildPool(length: number): string {
  let state = 0x2545f491;
  let out = '';
  while (out.length < length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const r = state >>> 8;
    out += r % 13 === 0 ? ' ' : String.fromCharCode(97 + (r % 26));
  }
  return out;
}

/** Url paths like Beam's `xxxx/yyyy/zzzz` (spaces as '_'), fixed width so one substr picks one. */
const URL_PATH_WIDTH = 14;
const URL_PATHS = Array.from({ length: 256 }, (_, i) => {
  const part = (k: number) => POOL.slice((i * 12 + k * 4) % 4000, ((i * 12 + k * 4) % 4000) + 4);
  return `${part(0)}/${part(1)}/${part(2)}`.replaceAll(' ', '_');
}).join('');
const HOT_URLS = HOT_CHANNELS.map((_, i) => `https://www.nexmark.com/${URL_PATHS.slice(i * URL_PATH_WIDTH, (i + 1) * URL_PATH_WIDTH)}/item.htm?query=1`);

/** Draws for one event id (the column `id`); `salt` tells the draws of one event apart. */
class Draws {
  constructor(private readonly seed: number) {}

  private hash(salt: number): string {
    return `hash(id, ${this.seed}, ${salt})`;
  }

  /** A uniform integer in [0, n); n may be an SQL expression. */
  int(salt: number, n: number | string): string {
    return `(${this.hash(salt)} % (${n})::UBIGINT)::BIGINT`;
  }

  /** A uniform double in [0, 1). */
  unit(salt: number): string {
    return `((${this.hash(salt)} >> 11)::DOUBLE / 9007199254740992.0)`;
  }

  /** A random string with length in [min, max] (uses salts `salt` and `salt + 1`). */
  text(salt: number, min: number, max: number): string {
    return `substr(${quoteLiteral(POOL)}, 1 + ${this.int(salt, POOL.length - max)}, ${min} + ${this.int(salt + 1, max - min + 1)})`;
  }

  /** One of a fixed list of strings (a CASE: cheaper than indexing a list literal per row). */
  pick(salt: number, values: readonly string[]): string {
    const arms = values.slice(0, -1).map((v, i) => `WHEN ${i} THEN ${quoteLiteral(v)}`);
    return `CASE ${this.int(salt, values.length)} ${arms.join(' ')} ELSE ${quoteLiteral(values[values.length - 1] ?? '')} END`;
  }

  /** One of `count` fixed-width slices of `pool`. */
  slice(salt: number, pool: string, width: number): string {
    return `substr(${quoteLiteral(pool)}, 1 + ${width} * ${this.int(salt, Math.floor(pool.length / width))}, ${width})`;
  }

  /** PriceGenerator.nextPrice: 10^(6u) * 100, rounded. */
  price(salt: number): string {
    return `round(pow(10.0, ${this.unit(salt)} * 6.0) * 100.0)::BIGINT`;
  }

  /** StringsGenerator.nextExtra: padding to reach an average event size, +-20%. */
  extra(salt: number, otherFieldsBytes: number, averageBytes: number): string {
    const desired = averageBytes - otherFieldsBytes;
    if (desired <= 0) return `''`;
    const delta = Math.round(desired * 0.2);
    return delta === 0 ? this.text(salt, desired, desired) : this.text(salt, desired - delta, desired + delta - 1);
  }
}

function eventTime(s: GeneratorSettings): string {
  return `epoch_ms((${Math.trunc(s.baseTimeMs)} + (id * 1000) // ${s.eventsPerSecond})::BIGINT)`;
}

/** Beam's lastBase0PersonId for an auction or bid event. */
const LAST_PERSON = `(epoch * ${PERSON_PROPORTION} + ${PERSON_PROPORTION - 1})`;
/** Beam's lastBase0AuctionId for a bid event. */
const LAST_AUCTION = `(epoch * ${AUCTION_PROPORTION} + ${AUCTION_PROPORTION - 1})`;

/** Beam's nextBase0PersonId: one of the last NUM_ACTIVE_PEOPLE persons. */
function randomPerson(d: Draws, salt: number): string {
  const active = `least(${LAST_PERSON} + 1, ${NUM_ACTIVE_PEOPLE})`;
  return `(${LAST_PERSON} + 1 - ${active} + ${d.int(salt, active)})`;
}

function personColumns(s: GeneratorSettings, d: Draws): string[] {
  const group = (salt: number) => `lpad(${d.int(salt, 10_000)}::VARCHAR, 4, '0')`;
  return [
    `(epoch * ${PERSON_PROPORTION} + slot - ${KIND_SLOTS.person.first} + ${FIRST_PERSON_ID})::BIGINT`,
    `${d.pick(1, FIRST_NAMES)} || ' ' || ${d.pick(2, LAST_NAMES)}`,
    `${d.text(3, 3, 6)} || '@' || ${d.text(5, 3, 4)} || '.com'`,
    `${group(7)} || ' ' || ${group(8)} || ' ' || ${group(9)} || ' ' || ${group(10)}`,
    d.pick(11, US_CITIES),
    d.pick(12, US_STATES),
    eventTime(s),
    d.extra(13, 8 + 11 + 12 + 19 + 8 + 2, AVG_PERSON_BYTES),
  ];
}

function auctionColumns(s: GeneratorSettings, d: Draws): string[] {
  // Beam: an auction lasts on average until NUM_IN_FLIGHT_AUCTIONS more auctions have been generated.
  const eventsForAuctions = Math.floor((NUM_IN_FLIGHT_AUCTIONS * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION);
  const horizonMs = Math.floor((eventsForAuctions * 1000) / s.eventsPerSecond);
  const start = `((${Math.trunc(s.baseTimeMs)} + (id * 1000) // ${s.eventsPerSecond})::BIGINT)`;
  return [
    `(epoch * ${AUCTION_PROPORTION} + slot - ${KIND_SLOTS.auction.first} + ${FIRST_AUCTION_ID})::BIGINT`,
    d.text(1, 3, 19),
    d.text(3, 3, 99),
    d.price(5),
    `${d.price(5)} + ${d.price(6)}`,
    eventTime(s),
    `epoch_ms(${start} + 1 + ${d.int(7, Math.max(horizonMs * 2, 1))})`,
    `(CASE WHEN ${d.int(8, HOT_SELLERS_RATIO)} > 0
    THEN (${LAST_PERSON} // ${HOT_BUCKET}) * ${HOT_BUCKET}
    ELSE ${randomPerson(d, 9)} END + ${FIRST_PERSON_ID})::BIGINT`,
    `(${FIRST_CATEGORY_ID} + ${d.int(10, NUM_CATEGORIES)})::BIGINT`,
    d.extra(11, 8 + 11 + 51 + 40, AVG_AUCTION_BYTES),
  ];
}

function bidColumns(s: GeneratorSettings, d: Draws): string[] {
  const lowest = `greatest(${LAST_AUCTION} - ${NUM_IN_FLIGHT_AUCTIONS}, 0)`;
  const hotChannel = `${d.int(5, HOT_CHANNELS_RATIO)} > 0`;
  const channelNumber = d.int(7, CHANNELS_NUMBER);
  const baseUrl = `'https://www.nexmark.com/' || ${d.slice(8, URL_PATHS, URL_PATH_WIDTH)} || '/item.htm?query=1'`;
  return [
    `(CASE WHEN ${d.int(1, HOT_AUCTION_RATIO)} > 0
    THEN (${LAST_AUCTION} // ${HOT_BUCKET}) * ${HOT_BUCKET}
    ELSE ${lowest} + ${d.int(2, `${LAST_AUCTION} - ${lowest} + 1`)} END + ${FIRST_AUCTION_ID})::BIGINT`,
    `(CASE WHEN ${d.int(3, HOT_BIDDERS_RATIO)} > 0
    THEN least((${LAST_PERSON} // ${HOT_BUCKET}) * ${HOT_BUCKET} + 1, ${LAST_PERSON})
    ELSE ${randomPerson(d, 4)} END + ${FIRST_PERSON_ID})::BIGINT`,
    d.price(14),
    `CASE WHEN ${hotChannel} THEN ${d.pick(6, HOT_CHANNELS)} ELSE 'channel-' || ${channelNumber} END`,
    `CASE WHEN ${hotChannel} THEN ${d.pick(6, HOT_URLS)}
    ELSE ${baseUrl} || '&channel_id=' || ((${channelNumber} * 2654435761) % 2147483647) END`,
    eventTime(s),
    d.extra(15, 8 + 8 + 8 + 8, AVG_BID_BYTES),
  ];
}

/**
 * The SELECT generating the rows of `s.table` for event ids [from, to), columns in schema order.
 * `from` and `to` are integers (checked by the caller). With `columns`, only those are generated
 * and the rest are NULL.
 */
export function generatorSelect(s: GeneratorSettings, from: number, to: number, columns?: ReadonlySet<string>): string {
  const d = new Draws(s.seed);
  const { first, count } = KIND_SLOTS[s.table];
  const exprs = s.table === 'person' ? personColumns(s, d) : s.table === 'auction' ? auctionColumns(s, d) : bidColumns(s, d);
  // A column no query reads is not generated (a typed NULL costs nothing); the others are unchanged.
  const select = `SELECT\n  ${NEXMARK_COLUMNS[s.table].map((c, i) => (columns && !columns.has(c.name) ? `NULL::${c.type}` : exprs[i])).join(',\n  ')}`;
  return `${select}
FROM (
  SELECT id, id // ${PROPORTION_DENOMINATOR} AS epoch, id % ${PROPORTION_DENOMINATOR} AS slot
  FROM range(${from}, ${to}) AS r(id)
  WHERE id % ${PROPORTION_DENOMINATOR} BETWEEN ${first} AND ${first + count - 1}
)`;
}
