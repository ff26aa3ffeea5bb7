/** When an operator's watermark eviction can have work: closesSince and evictsBelowSince. */
import t from 'tap';
import { closesSince, evictsBelowSince } from '../../../src/exec/operators/rule.js';

const S = 1_000_000;

t.test('a window closes in a batch only when the watermark passed a multiple of the grid since the last batch', async (t) => {
  t.notOk(closesSince({ current: null, previous: 5 * S }, 10 * S, 0), 'no watermark: nothing closes');
  t.ok(closesSince({ current: 5 * S, previous: undefined }, 10 * S, 0), 'previous unknown: evict');
  t.ok(closesSince({ current: 5 * S, previous: null }, 10 * S, 0), 'first watermark: evict');
  t.ok(closesSince({ current: 5 * S, previous: 4 * S }, null, 0), 'values not on a grid: evict');
  t.notOk(closesSince({ current: 9 * S, previous: 1 * S }, 10 * S, 0));
  t.ok(closesSince({ current: 10 * S, previous: 9 * S }, 10 * S, 0), 'an end at exactly the watermark is closed (end <= watermark)');
  t.notOk(closesSince({ current: 11 * S, previous: 10 * S }, 10 * S, 0));
  t.notOk(closesSince({ current: 14 * S, previous: 11 * S }, 10 * S, 5 * S), 'a window start + size: 5 s + 10 s is not yet passed');
  t.ok(closesSince({ current: 15 * S, previous: 14 * S }, 10 * S, 5 * S));
  t.ok(closesSince({ current: -1 * S, previous: -11 * S }, 10 * S, 0), 'before the epoch too');
});

t.test('a join row is past its bound once below watermark - offset: new ones only when that passed a multiple of the grid', async (t) => {
  t.notOk(evictsBelowSince({ current: 15 * S, previous: 11 * S }, 10 * S, 0), 'below 11 s and below 15 s: the same multiples (..., 0, 10 s)');
  t.ok(evictsBelowSince({ current: 21 * S, previous: 20 * S }, 10 * S, 0), 'a value of 20 s is below 21 s, not below 20 s');
  t.notOk(evictsBelowSince({ current: 20 * S, previous: 11 * S }, 10 * S, 0));
  t.ok(evictsBelowSince({ current: 16 * S, previous: 15 * S }, 10 * S, -5 * S), 'offset -5 s: 20 s is below 16 s + 5 s');
  t.ok(evictsBelowSince({ current: 1, previous: undefined }, 10 * S, 0));
  t.ok(evictsBelowSince({ current: 12 * S, previous: 11 * S }, null, 0));
});
