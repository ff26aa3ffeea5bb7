import t from 'tap';
import { planIncremental } from '../../../src/plan/incremental/plan.js';
import type { CatalogReader } from '../../../src/catalog/reader.js';
import { bindQuery } from '../../../src/plan/binder/query.js';
import { bind, bindContext, catalog, closeFixture, queryText } from '../binder/fixture.js';

t.teardown(closeFixture);

const plan = async (sql: string) => planIncremental(await bind(sql), { name: 'v', target: 'materialized_view', outputMode: null, catalog });

t.test('a subquery read twice is one operator with one state (Nexmark q5 counts bids per window once)', async (t) => {
  const counts = `SELECT auction, count(*) AS num, window_start AS starttime FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY auction, window_start`;
  const p = await plan(
    `SELECT a.auction, a.num FROM (${counts}) a JOIN (SELECT max(num) AS maxn, starttime AS s FROM (${counts}) GROUP BY starttime) m ON a.starttime = m.s AND a.num >= m.maxn`,
  );
  const aggregates = p.operators.filter((op) => op.kind === 'aggregate');
  t.equal(aggregates.length, 2, 'the count per auction and window, and the max per window');
  t.equal(p.operators.filter((op) => op.kind === 'window_assign').length, 1, 'one HOP');
  t.equal(new Set(p.operators.map((op) => op.id)).size, p.operators.length, 'each operator runs once per batch');
});

t.test('different subqueries stay different operators', async (t) => {
  const p = await plan(`SELECT auction FROM bid WHERE price > 10 UNION ALL SELECT auction FROM bid WHERE price > 20`);
  const filters = p.operators.flatMap((op) => (op.kind === 'map' && op.filter !== null ? [op.filter] : [])).sort();
  t.same(filters, ['"price" > 10', '"price" > 20'], 'each branch keeps its own filter');
  t.equal(p.operators.filter((op) => op.kind === 'source_scan').length, 1, 'the scan they share is one operator');
});

t.test('a source scan names the columns the plan reads, for the source to load only those', async (t) => {
  const scans = (await plan(`SELECT auction, count(*) AS n FROM bid WHERE price > 10 GROUP BY auction`)).operators.filter((op) => op.kind === 'source_scan');
  t.same(scans.map((s) => s.kind === 'source_scan' && [...(s.columnsRead ?? [])].sort()), [['auction', 'price']]);
  const all = (await plan(`SELECT * FROM bid`)).operators.find((op) => op.kind === 'source_scan');
  t.equal(all?.kind === 'source_scan' ? all.columnsRead : undefined, null, 'SELECT * reads all');
});

/** The fixture's catalog with a watermark on bid.date_time. */
const watermarked: CatalogReader = {
  get: (name) => {
    const o = catalog.get(name);
    return o?.kind === 'source' && name === 'bid' ? { ...o, watermark: { column: 'date_time', expr: `date_time - INTERVAL '1' SECOND` } } : o;
  },
  list: () => catalog.list(),
};

t.test('windowed aggregates and joins on window bounds know the grid their evictions follow: the slide', async (t) => {
  const plan = async (sql: string) => planIncremental(await bindQuery(queryText(sql), await bindContext(watermarked)), { name: 'v', target: 'materialized_view', outputMode: null, catalog: watermarked });
  const counts = `SELECT auction, count(*) AS num, window_start AS starttime FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND) GROUP BY auction, window_start`;
  const p = await plan(
    `SELECT a.auction, a.num FROM (${counts}) a JOIN (SELECT max(num) AS maxn, starttime AS s FROM (${counts}) GROUP BY starttime) m ON a.starttime = m.s AND a.num >= m.maxn`,
  );
  const grids = p.operators.flatMap((op) => (op.kind === 'aggregate' ? [op.windowEnd?.gridMicros] : []));
  t.same(grids, [2_000_000, 2_000_000], 'HOP bounds are multiples of the 2 s slide');
  const join = p.operators.find((op) => op.kind === 'stream_join');
  t.same(join?.kind === 'stream_join' && join.gridMicros, { left: 2_000_000, right: 2_000_000 });
  const tumble = await plan(`SELECT window_end, count(*) AS n FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_end`);
  t.same(tumble.operators.flatMap((op) => (op.kind === 'aggregate' ? [op.windowEnd?.gridMicros] : [])), [10_000_000], 'TUMBLE: its size');
  const byTime = await plan(`SELECT date_time, count(*) AS n FROM bid GROUP BY date_time`);
  t.same(byTime.operators.flatMap((op) => (op.kind === 'aggregate' ? [op.windowEnd?.gridMicros] : [])), [null], 'an event time lies on no grid');
  // past a stream join a row may carry an older row's time: its window may be closed already
  const joined = `(SELECT b.auction, b.date_time FROM bid b JOIN bid c ON b.auction = c.auction AND c.date_time BETWEEN b.date_time AND b.date_time + INTERVAL '5' SECOND)`;
  const afterJoin = await plan(`SELECT window_end, count(*) AS n FROM TUMBLE(${joined}, date_time, INTERVAL '10' SECOND) GROUP BY window_end`);
  const aggregates = afterJoin.operators.filter((op) => op.kind === 'aggregate');
  t.equal(aggregates.length, 1);
  t.same(aggregates.map((op) => op.kind === 'aggregate' && op.windowEnd), [{ field: aggregates[0]!.fields[0]!.name, plusMicros: 5_000_000, notNull: true, gridMicros: null }],
    'a window over a join\'s b.date_time closes 5 s after its end (a match with a stored b row lags the watermark by up to the bound), and not on the grid');
  const session = `SELECT window_end, count(*) AS n FROM SESSION(${joined}, date_time, INTERVAL '10' SECOND) GROUP BY window_end`;
  await t.rejects(plan(session), /SESSION windows over a stream join's output are not supported/);
  const afterOuter = await plan(`SELECT window_end, count(*) AS n FROM TUMBLE(${joined.replace(' JOIN ', ' LEFT JOIN ')}, date_time, INTERVAL '10' SECOND) GROUP BY window_end`);
  t.same(afterOuter.operators.flatMap((op) => (op.kind === 'aggregate' ? [op.windowEnd] : [])), [null],
    'a left join emits padded rows of any age after a jump of the watermark: its left side\'s times bound nothing');
});

t.test('a result keeps a key where its rows are unique by one: group keys, and the partition of ROW_NUMBER() <= 1', async (t) => {
  t.same((await plan(`SELECT auction, count(*) AS n FROM bid GROUP BY auction`)).key, ['auction']);
  t.same((await plan(`SELECT count(*) AS n FROM bid`)).key, [], 'a global aggregate: one row, no key columns');
  const top1 = `SELECT auction, bidder, price FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn FROM bid) WHERE rn <= 1`;
  t.same((await plan(top1)).key, ['auction'], 'the top bid per auction is unique by auction');
  t.same((await plan(top1.replace('rn <= 1', 'rn <= 2'))).key, null, 'two per auction: no key');
  t.same((await plan(top1.replace('ROW_NUMBER()', 'RANK()'))).key, null, 'RANK keeps ties: no key');
  t.same((await plan(top1.replace('SELECT auction, bidder, price FROM', 'SELECT bidder, price FROM'))).key, null, 'the partition projected away: no key');
});
