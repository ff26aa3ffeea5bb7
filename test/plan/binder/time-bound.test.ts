/**
 * Join time bounds found by the binder: JoinNode.timeBound is `right - left` within [lower, upper]
 * (micros), for each form of condition, with sides swapped, from WHERE over inner/cross joins.
 */
import t from 'tap';
import type { JoinNode, LogicalNode } from '../../../src/plan/logical/nodes.js';
import { inputsOf } from '../../../src/plan/logical/nodes.js';
import { bind, closeFixture } from './fixture.js';

t.teardown(closeFixture);

const S = 1_000_000;
const H = 3600 * S;

function joinOf(node: LogicalNode): JoinNode {
  if (node.kind === 'join') return node;
  for (const input of inputsOf(node)) {
    try {
      return joinOf(input);
    } catch {
      // keep looking
    }
  }
  throw new Error('no join in plan');
}

const cases: [string, { leftField: string; rightField: string; lowerMicros: number | null; upperMicros: number | null } | null][] = [
  [
    "SELECT 1 FROM auction a JOIN bid b ON b.auction = a.id AND b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '1' HOUR",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: 0, upperMicros: H },
  ],
  [
    "SELECT 1 FROM auction a JOIN bid b ON b.auction = a.id AND b.date_time >= a.date_time AND b.date_time <= a.date_time + INTERVAL '10 seconds'",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: 0, upperMicros: 10 * S },
  ],
  [
    "SELECT 1 FROM auction a JOIN bid b ON a.date_time - INTERVAL '1' MINUTE <= b.date_time AND b.date_time < a.date_time + INTERVAL '2' MINUTE",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: -60 * S, upperMicros: 120 * S },
  ],
  [
    "SELECT 1 FROM bid b LEFT JOIN auction a ON a.date_time BETWEEN b.date_time - INTERVAL '1' HOUR AND b.date_time",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: -H, upperMicros: 0 },
  ],
  [
    "SELECT 1 FROM bid b JOIN auction a ON b.date_time > a.date_time",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: null, upperMicros: 0 },
  ],
  [
    'SELECT 1 FROM bid b JOIN auction a ON b.auction = a.id AND a.date_time = b.date_time',
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: 0, upperMicros: 0 },
  ],
  [
    "SELECT 1 FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) b JOIN TUMBLE(auction, date_time, INTERVAL '10' SECOND) a ON b.auction = a.id AND b.window_start = a.window_start",
    { leftField: 'window_start', rightField: 'window_start_1', lowerMicros: 0, upperMicros: 0 },
  ],
  [
    "SELECT 1 FROM bid b JOIN auction a ON b.auction = a.id WHERE b.date_time BETWEEN a.date_time - INTERVAL '10' SECOND AND a.date_time",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: 0, upperMicros: 10 * S },
  ],
  [
    "SELECT 1 FROM auction a, bid b WHERE a.id = b.auction AND b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '1' DAY",
    { leftField: 'date_time', rightField: 'date_time_1', lowerMicros: 0, upperMicros: 24 * H },
  ],
  ['SELECT 1 FROM bid b JOIN auction a ON b.auction = a.id', null],
  ["SELECT 1 FROM bid b JOIN auction a ON b.date_time < a.date_time + INTERVAL '1' MONTH", null],
  ["SELECT 1 FROM bid b LEFT JOIN auction a ON b.auction = a.id WHERE a.date_time = b.date_time", null],
  ['SELECT 1 FROM bid b JOIN auction a ON b.price = a.seller AND b.bidder < a.category', null],
];

for (const [sql, expected] of cases) {
  t.test(sql, async (t) => {
    const join = joinOf(await bind(sql));
    t.same(join.timeBound ?? null, expected);
  });
}

t.test('the condition SQL stays as written', async (t) => {
  const join = joinOf(await bind("SELECT 1 FROM bid b JOIN auction a ON b.date_time BETWEEN a.date_time AND a.date_time + INTERVAL '1' HOUR"));
  t.match(join.condition, /BETWEEN/);
});
