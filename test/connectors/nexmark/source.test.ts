import t, { type Test } from 'tap';
import type { SourceObject } from '../../../src/catalog/types.js';
import { NexmarkReader, nexmarkSettings, nexmarkSource } from '../../../src/connectors/nexmark/source.js';
import { NEXMARK_COLUMNS, type NexmarkTable } from '../../../src/connectors/nexmark/schema.js';
import type { Options } from '../../../src/sql/ast.js';
import { EddyError } from '../../../src/util/errors.js';
import { quoteIdent } from '../../../src/duck/index.js';
import { createTable, openTestDb } from '../helpers.js';

const BASE = '2024-01-01 00:00:00';
const BASE_MS = Date.UTC(2024, 0, 1);

function reader(table: NexmarkTable, extra: Options = {}): NexmarkReader {
  return new NexmarkReader(nexmarkSettings('s', { table, base_time: BASE, rate_limited: false, max_events: 10_000_000, ...extra }));
}

const db = await openTestDb();
const { conn } = db;
t.teardown(() => db.close());

async function load(t: Test, table: NexmarkTable, ranges: [number, number][], name: string = table, extra: Options = {}): Promise<number> {
  await createTable(conn, name, NEXMARK_COLUMNS[table]);
  const r = reader(table, extra);
  let rows = 0;
  for (const [a, b] of ranges) rows += (await r.load(conn, quoteIdent(name), a, b)).rows;
  t.equal(await conn.scalar(`SELECT count(*) FROM ${name}`), rows, `${name}: LoadStats.rows matches the rows inserted`);
  return rows;
}

t.test('validate supplies the schema and normalises the options', async (t) => {
  const v = await nexmarkSource.validate('bid', null, { connector: 'nexmark', table: 'bid', base_time: '2024-01-01 00:00:00' }, db.env);
  t.same(v.columns.map((c) => c.name), ['auction', 'bidder', 'price', 'channel', 'url', 'date_time', 'extra']);
  const { start_time: started, ...rest } = v.options;
  t.same(rest, { table: 'bid', events_per_second: 10000, rate_limited: true, base_time: '2024-01-01T00:00:00.000Z', seed: 0 });
  const now = Date.now();
  t.ok(Math.abs(Date.parse(String(started)) - now) < 5000, 'start_time (the release clock) defaults to creation time');
  const p = await nexmarkSource.validate('p', null, { table: 'person', events_per_second: '500' }, db.env);
  t.equal(p.options.events_per_second, 500);
  t.equal(p.options.base_time, '2015-07-15T00:00:00.000Z', 'base_time (event time) defaults to a constant');
  const explicit = await nexmarkSource.validate('p', null, { table: 'person', start_time: '2030-01-01 00:00:00' }, db.env);
  t.equal(explicit.options.start_time, '2030-01-01T00:00:00.000Z');
  await t.rejects(nexmarkSource.validate('b', null, { table: 'bid', start_time: 'soon' }, db.env), /option "start_time": cannot read "soon"/);
  await t.rejects(nexmarkSource.validate('b', null, { table: 'bid', speed: 3, colour: 'x' }, db.env), /source "b": unknown options "speed", "colour" for connector "nexmark"/);
  await t.rejects(nexmarkSource.validate('b', null, { table: 'bids' }, db.env), /option "table": expected one of 'person', 'auction', 'bid'/);
  await t.rejects(nexmarkSource.validate('b', null, {}, db.env), /option "table" is required/);
  await t.rejects(nexmarkSource.validate('b', null, { table: 'bid', events_per_second: 0 }, db.env), /events_per_second.*at least 1/);
  await t.rejects(nexmarkSource.validate('b', null, { table: 'bid', rate_limited: false }, db.env), /needs max_events/);
  await t.rejects(nexmarkSource.validate('b', null, { table: 'bid', base_time: 'yesterday' }, db.env), /base_time/);
  await t.rejects(nexmarkSource.validate('b', [{ name: 'x', type: 'INT' }], { table: 'bid' }, db.env), EddyError);
  const same = await nexmarkSource.validate('b', NEXMARK_COLUMNS.bid, { table: 'bid' }, db.env);
  t.equal(same.columns.length, 7, 'declaring exactly the schema is allowed');
});

t.test('open uses the stored options', async (t) => {
  const v = await nexmarkSource.validate('a', null, { table: 'auction', base_time: BASE, max_events: 100, rate_limited: false }, db.env);
  const source: SourceObject = { kind: 'source', name: 'a', sql: '', columns: v.columns, watermark: null, connector: 'nexmark', options: v.options };
  const r = await nexmarkSource.open(source, db.env);
  t.equal(await r.latestOffset(), 100);
  t.same(r.describe?.(40), { events: 40 });
  await r.close();
});

t.test('the same offsets load the same rows, however the range is split and in separate databases', async (t) => {
  for (const table of ['person', 'auction', 'bid'] as const) {
    await load(t, table, [[0, 1000]], `${table}_whole`);
    await load(t, table, [[0, 300], [300, 1000]], `${table}_split`);
    const other = await openTestDb();
    await createTable(other.conn, 'again', NEXMARK_COLUMNS[table]);
    await reader(table).load(other.conn, '"again"', 0, 1000);
    const again = await other.conn.query('SELECT * FROM again');
    other.close();
    const whole = await conn.query(`SELECT * FROM ${table}_whole`);
    const split = await conn.query(`SELECT * FROM ${table}_split`);
    t.ok(whole.rows.length > 0);
    t.same(split.rows, whole.rows, `${table}: (0,300] + (300,1000] = (0,1000]`);
    t.same(again.rows, whole.rows, `${table}: a separate load is identical`);
  }
  await load(t, 'bid', [[0, 1000]], 'bid_seeded', { seed: 7 });
  t.not(await conn.scalar('SELECT count(*) FROM (SELECT * FROM bid_seeded EXCEPT SELECT * FROM bid_whole)'), 0, 'another seed gives other data');
});

t.test('1 person, 3 auctions and 46 bids out of every 50 events', async (t) => {
  t.equal(await load(t, 'person', [[0, 5000]]), 100);
  t.equal(await load(t, 'auction', [[0, 5000]]), 300);
  t.equal(await load(t, 'bid', [[0, 5000]]), 4600);
  t.equal(await load(t, 'person', [[3, 51]], 'p2'), 1, 'event 50 is the only person in [3, 51)');
  t.same(await conn.objects('SELECT min(id) AS lo, max(id) AS hi, count(DISTINCT id) AS n FROM person'), [{ lo: 1000, hi: 1099, n: 100 }]);
  t.same(await conn.objects('SELECT min(id) AS lo, max(id) AS hi, count(DISTINCT id) AS n FROM auction'), [{ lo: 1000, hi: 1299, n: 300 }]);
});

t.test('bids, sellers and bidders reference persons and auctions generated before them', async (t) => {
  await load(t, 'person', [[0, 50_000]]);
  await load(t, 'auction', [[0, 50_000]]);
  await load(t, 'bid', [[0, 50_000]]);
  t.equal(await conn.scalar('SELECT count(*) FROM bid WHERE auction NOT IN (SELECT id FROM auction)'), 0, 'every bid names an existing auction');
  t.equal(await conn.scalar('SELECT count(*) FROM bid b JOIN auction a ON a.id = b.auction WHERE a.date_time > b.date_time'), 0, 'the auction was created first');
  t.equal(await conn.scalar('SELECT count(*) FROM bid WHERE bidder NOT IN (SELECT id FROM person)'), 0, 'every bidder exists');
  t.equal(await conn.scalar('SELECT count(*) FROM auction WHERE seller NOT IN (SELECT id FROM person)'), 0, 'every seller exists');
  t.equal(await conn.scalar('SELECT count(*) FROM auction WHERE expires <= date_time OR reserve < initial_bid'), 0);
  t.same(await conn.scalar('SELECT list(DISTINCT category ORDER BY category) FROM auction'), [10, 11, 12, 13, 14]);
  const prices = await conn.objects<{ lo: number; hi: number }>('SELECT min(price) AS lo, max(price) AS hi FROM bid');
  t.ok(prices[0]!.lo >= 100 && prices[0]!.hi <= 100_000_000, 'prices from the price generator: 100 .. 10^8');
  t.ok((await conn.scalar<number>("SELECT count(*) FILTER (channel IN ('Google', 'Facebook', 'Baidu', 'Apple')) / count(*) FROM bid"))! > 0.4, 'about half the bids use a hot channel');
  t.equal(await conn.scalar("SELECT count(*) FROM bid WHERE NOT starts_with(url, 'https://www.nexmark.com/')"), 0);
  t.equal(await conn.scalar("SELECT count(*) FROM person WHERE NOT regexp_matches(credit_card, '^\\d{4} \\d{4} \\d{4} \\d{4}$') OR NOT contains(email_address, '@')"), 0);
});

t.test('hot auctions and hot bidders get a disproportionate share of bids', async (t) => {
  await load(t, 'auction', [[0, 100_000]]);
  await load(t, 'bid', [[0, 100_000]]);
  const auctions = (await conn.scalar<number>('SELECT count(*) FROM auction'))!;
  const topShare = (await conn.scalar<number>(`SELECT sum(n) / (SELECT count(*) FROM bid) FROM (SELECT count(*) AS n FROM bid GROUP BY auction ORDER BY n DESC LIMIT ${Math.ceil(auctions / 100)})`))!;
  t.ok(topShare > 0.4, `the top 1% of auctions get ${(topShare * 100).toFixed(1)}% of the bids (about half expected)`);
  const topBidders = (await conn.scalar<number>('SELECT sum(n) / (SELECT count(*) FROM bid) FROM (SELECT count(*) AS n FROM bid GROUP BY bidder ORDER BY n DESC LIMIT 20)'))!;
  t.ok(topBidders > 0.6, `the top 20 bidders make ${(topBidders * 100).toFixed(1)}% of the bids (about 3/4 expected)`);
});

t.test('event time is base_time + id * 1000 / events_per_second, monotone in id', async (t) => {
  await load(t, 'bid', [[0, 20_000]]);
  t.equal(await conn.scalar('SELECT count(*) FROM (SELECT date_time < lag(date_time) OVER (ORDER BY rowid) AS back FROM bid) WHERE back'), 0);
  t.equal(await conn.scalar('SELECT min(date_time)::VARCHAR FROM bid'), '2024-01-01 00:00:00');
  // the last bid is event 19999: 1999.9 ms at 10000 events per second
  t.equal(await conn.scalar('SELECT max(date_time)::VARCHAR FROM bid'), '2024-01-01 00:00:01.999');
  await load(t, 'person', [[0, 20_000]], 'slow', { events_per_second: 10 });
  t.equal(await conn.scalar('SELECT max(date_time)::VARCHAR FROM slow'), '2024-01-01 00:33:15', 'person event 19950 at 10 events/s');
});

t.test('availability follows the wall clock from start_time, capped by max_events', async (t) => {
  let now = BASE_MS - 10;
  const r = new NexmarkReader(nexmarkSettings('s', { table: 'bid', start_time: BASE, events_per_second: 100, max_events: 500 }), () => now);
  t.equal(await r.latestOffset(), 0, 'nothing before start_time');
  now = BASE_MS;
  t.equal(await r.latestOffset(), 1, 'event 0 at start_time');
  now = BASE_MS + 1000;
  t.equal(await r.latestOffset(), 101, 'events 0..100 by one second');
  now = BASE_MS + 60_000;
  t.equal(await r.latestOffset(), 500, 'capped by max_events');
  t.equal(await reader('bid', { max_events: 42 }).latestOffset(), 42, 'unthrottled: everything up to max_events at once');
  const legacy = new NexmarkReader(nexmarkSettings('s', { table: 'bid', base_time: BASE, events_per_second: 100, max_events: 500 }), () => BASE_MS + 1000);
  t.equal(await legacy.latestOffset(), 101, 'options stored without start_time release from base_time, as before');
});

t.test('sources created at different moments share event times', async (t) => {
  const options = { connector: 'nexmark', rate_limited: false, max_events: 2000 };
  const a = await nexmarkSource.validate('auction', null, { ...options, table: 'auction' }, db.env);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const b = await nexmarkSource.validate('bid', null, { ...options, table: 'bid' }, db.env);
  t.equal(a.options.base_time, b.options.base_time);
  const open = async (name: string, v: typeof a) => nexmarkSource.open({ kind: 'source', name, sql: '', columns: v.columns, watermark: null, connector: 'nexmark', options: v.options }, db.env);
  await createTable(conn, 'aligned_auction', NEXMARK_COLUMNS.auction);
  await createTable(conn, 'aligned_bid', NEXMARK_COLUMNS.bid);
  await (await open('auction', a)).load(conn, '"aligned_auction"', 0, 2000);
  await (await open('bid', b)).load(conn, '"aligned_bid"', 0, 2000);
  t.equal(await conn.scalar('SELECT min(date_time)::VARCHAR FROM aligned_auction'), '2015-07-15 00:00:00', 'auction event 1 at 0.1 ms');
  t.equal(await conn.scalar('SELECT count(*) FROM aligned_bid b JOIN aligned_auction a ON a.id = b.auction WHERE a.date_time > b.date_time'), 0, 'every bid comes after its auction');
});

t.test('endOffset bounds the rows of this table in a batch', async (t) => {
  const bids = reader('bid');
  const auctions = reader('auction');
  t.equal(bids.endOffset(0, 1000, undefined), 1000);
  t.equal(bids.endOffset(500, 400, 10), 500, 'never before start');
  const end = auctions.endOffset(0, 1000, 5) as number;
  t.equal(await load(t, 'auction', [[0, end]], 'five'), 5, 'five auctions');
  t.equal(end, 53, 'auction events 1, 2, 3, 51, 52 lie in [0, 53)');
  t.equal(auctions.endOffset(53, 1000, 1), 101, 'event 53 is the only auction in [53, 101)');
  t.equal(bids.endOffset(0, 1000, 46), 54, 'the 46 bids 4..49; 50..53 are a person and auctions');
});

t.test('throughput: one million events', async (t) => {
  await createTable(conn, 'fast', NEXMARK_COLUMNS.bid);
  const started = performance.now();
  const stats = await reader('bid').load(conn, '"fast"', 0, 1_000_000);
  const seconds = (performance.now() - started) / 1000;
  t.equal(stats.rows, 920_000);
  t.comment(`generated 1M events (920k bids) in ${seconds.toFixed(2)} s: ${Math.round(1_000_000 / seconds).toLocaleString()} events/s`);
});

t.test('columns no query reads are not generated; the ones it reads are the same values', async (t) => {
  await createTable(conn, 'bid_all', NEXMARK_COLUMNS.bid);
  await createTable(conn, 'bid_read', NEXMARK_COLUMNS.bid);
  await reader('bid').load(conn, quoteIdent('bid_all'), 0, 5000);
  await reader('bid').load(conn, quoteIdent('bid_read'), 0, 5000, new Set(['auction', 'price', 'date_time']));
  const [[same]] = (await conn.query(`SELECT count(*) FROM (SELECT auction, price, date_time FROM bid_all EXCEPT ALL SELECT auction, price, date_time FROM bid_read)`)).rows as [[bigint]];
  t.equal(Number(same), 0, 'auction, price and date_time as generated in full');
  const [[unread]] = (await conn.query(`SELECT count(*) FROM bid_read WHERE bidder IS NOT NULL OR url IS NOT NULL OR extra IS NOT NULL OR channel IS NOT NULL`)).rows as [[bigint]];
  t.equal(Number(unread), 0, 'the other columns are NULL');
});
