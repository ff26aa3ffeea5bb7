import t from 'tap';
import { planEndOffset, rangeHasData, sortedKeys } from '../../../src/connectors/kafka/offsets.js';

const none = new Map<string, number>();
const plan = (start: Record<string, number>, latest: Record<string, number>, maxRows?: number) =>
  planEndOffset({ start, latest, maxRows, positionFirst: false, firstPositions: none, earliest: none });

t.test('without a bound every partition goes to its high watermark', async (t) => {
  t.same(plan({ 't/0': 2, 't/1': 0 }, { 't/0': 5, 't/1': 3 }), { 't/0': 5, 't/1': 3 });
  t.notOk(rangeHasData({ 't/0': 5 }, { 't/0': 5 }));
  t.ok(rangeHasData({ 't/0': 4 }, { 't/0': 5 }));
});

t.test('max_rows_per_batch is spread over partitions in a fixed order, unused shares passed on', async (t) => {
  t.same(plan({ 't/0': 0, 't/1': 0, 't/2': 0 }, { 't/0': 10, 't/1': 10, 't/2': 10 }, 7), { 't/0': 3, 't/1': 2, 't/2': 2 });
  t.same(plan({ 't/0': 0, 't/1': 9 }, { 't/0': 10, 't/1': 10 }, 6), { 't/0': 5, 't/1': 10 });
  t.same(plan({ 't/0': 0 }, { 't/0': 10 }, 1), { 't/0': 1 });
});

t.test('a partition that appears later starts at its earliest offset and is recorded even when empty', async (t) => {
  const earliest = new Map([['t/2', 4]]);
  const end = planEndOffset({ start: { 't/0': 5, 't/1': 5 }, latest: { 't/0': 5, 't/1': 5, 't/2': 6, 't/3': 0 }, maxRows: undefined, positionFirst: false, firstPositions: none, earliest });
  t.same(end, { 't/0': 5, 't/1': 5, 't/2': 6, 't/3': 0 });
  t.ok(rangeHasData({ 't/0': 5, 't/1': 5 }, end));
});

t.test('startup latest: the first batch only positions the partitions', async (t) => {
  const firstPositions = new Map([['t/0', 7], ['t/1', 3]]);
  const end = planEndOffset({ start: {}, latest: { 't/0': 7, 't/1': 3 }, maxRows: 2, positionFirst: true, firstPositions, earliest: none });
  t.same(end, { 't/0': 7, 't/1': 3 });
  t.ok(rangeHasData({}, end), 'the positioning batch runs, so its end is recorded');
});

t.test('partition keys sort by topic then partition number', async (t) => {
  t.same(sortedKeys({ 'b/0': 0, 'a/10': 0, 'a/2': 0 }), ['a/2', 'a/10', 'b/0']);
});
