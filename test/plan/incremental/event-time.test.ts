import t from 'tap';
import { findWindowEnd, gridOf, paddedTime, type EventTimes } from '../../../src/plan/incremental/event-time.js';

const paddedTimes = (times: EventTimes): EventTimes => new Map([...times].map(([field, time]) => [field, paddedTime(time)]));

const times: EventTimes = new Map([
  ['ts', { kind: 'time' }],
  ['window_start', { kind: 'window_start', sizeMicros: 10_000_000 }],
  ['window_end', { kind: 'window_end' }],
]);

t.test('a window bound is never NULL where windows are assigned, so it may be matched with =', async (t) => {
  t.same(findWindowEnd(['window_start'], times), { field: 'window_start', plusMicros: 10_000_000, notNull: true, gridMicros: null });
  t.same(findWindowEnd(['window_end', 'window_start'], times), { field: 'window_end', plusMicros: 0, notNull: true, gridMicros: null });
  t.same(findWindowEnd(['ts'], times), { field: 'ts', plusMicros: 1, notNull: false, gridMicros: null }, 'an event time column may be NULL');
});

t.test('past an outer join that pads them, window bounds may be NULL', async (t) => {
  const padded = paddedTimes(times);
  t.same(findWindowEnd(['window_start'], padded), { field: 'window_start', plusMicros: 10_000_000, notNull: false, gridMicros: null });
  t.same(findWindowEnd(['window_end'], padded), { field: 'window_end', plusMicros: 0, notNull: false, gridMicros: null });
  t.same(padded.get('ts'), { kind: 'time' });
});

t.test('TUMBLE and HOP bounds lie on a grid (their slide), which a window end carries; an event time does not', async (t) => {
  const gridded: EventTimes = new Map([
    ['ts', { kind: 'time' }],
    ['window_start', { kind: 'window_start', sizeMicros: 10_000_000, gridMicros: 2_000_000 }],
    ['window_end', { kind: 'window_end', gridMicros: 2_000_000 }],
  ]);
  t.equal(findWindowEnd(['window_start'], gridded)?.gridMicros, 2_000_000);
  t.equal(findWindowEnd(['window_end'], paddedTimes(gridded))?.gridMicros, 2_000_000, 'padding does not move the grid');
  t.equal(gridOf(gridded.get('ts')), null);
  t.equal(gridOf(gridded.get('window_end')), 2_000_000);
});
