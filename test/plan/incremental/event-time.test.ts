import t from 'tap';
import { findWindowEnd, paddedTimes, type EventTimes } from '../../../src/plan/incremental/event-time.js';

const times: EventTimes = new Map([
  ['ts', { kind: 'time' }],
  ['window_start', { kind: 'window_start', sizeMicros: 10_000_000 }],
  ['window_end', { kind: 'window_end' }],
]);

t.test('a window bound is never NULL where windows are assigned, so it may be matched with =', async (t) => {
  t.same(findWindowEnd(['window_start'], times), { field: 'window_start', plusMicros: 10_000_000, notNull: true });
  t.same(findWindowEnd(['window_end', 'window_start'], times), { field: 'window_end', plusMicros: 0, notNull: true });
  t.same(findWindowEnd(['ts'], times), { field: 'ts', plusMicros: 1, notNull: false }, 'an event time column may be NULL');
});

t.test('past an outer join that pads them, window bounds may be NULL', async (t) => {
  const padded = paddedTimes(times);
  t.same(findWindowEnd(['window_start'], padded), { field: 'window_start', plusMicros: 10_000_000, notNull: false });
  t.same(findWindowEnd(['window_end'], padded), { field: 'window_end', plusMicros: 0, notNull: false });
  t.same(padded.get('ts'), { kind: 'time' });
});
