/** Where views read together may end: the furthest batches whose frontiers agree on shared roots. */
import t from 'tap';
import { alignViewInputs, batchFrontier, type Frontier } from '../../src/exec/epochs.js';

const f = (entries: Record<number, Frontier>): Map<number, Frontier> => new Map(Object.entries(entries).map(([b, fr]) => [Number(b), fr]));

t.test('the furthest batches that agree on the shared upstream', async (t) => {
  // l stops at every upstream batch, r at every third
  const l = { name: 'l', start: 2, end: 8, frontiers: f({ 2: { base: 2 }, 3: { base: 3 }, 4: { base: 4 }, 5: { base: 5 }, 6: { base: 6 }, 7: { base: 7 }, 8: { base: 8 } }) };
  const r = { name: 'r', start: 0, end: 2, frontiers: f({ 0: { base: 3 }, 1: { base: 6 }, 2: { base: 9 } }) };
  t.same([...alignViewInputs([l, r])!], [['l', 6], ['r', 1]]);
  t.same([...alignViewInputs([r, l])!], [['r', 1], ['l', 6]], 'whichever comes first');
});

t.test('no agreement past the starts: the views wait', async (t) => {
  const l = { name: 'l', start: 0, end: 1, frontiers: f({ 0: { base: 1 }, 1: { base: 2 } }) };
  const r = { name: 'r', start: 0, end: 1, frontiers: f({ 0: { base: 1 }, 1: { base: 3 } }) };
  t.same([...alignViewInputs([l, r])!], [['l', 0], ['r', 0]]);
});

t.test('views not read yet start together', async (t) => {
  const l = { name: 'l', start: -1, end: 4, frontiers: f({ 4: { base: 9 } }) };
  const r = { name: 'r', start: -1, end: 2, frontiers: f({ 2: { base: 8 } }) };
  t.same([...alignViewInputs([l, r])!], [['l', -1], ['r', -1]], 'the sides reflect different upstream batches: neither is read');
  const r2 = { name: 'r', start: -1, end: 3, frontiers: f({ 2: { base: 8 }, 3: { base: 9 } }) };
  t.same([...alignViewInputs([l, r2])!], [['l', 4], ['r', 3]]);
});

t.test('nothing to align: one view, no shared root, or frontiers unknown', async (t) => {
  const l = { name: 'l', start: 0, end: 3, frontiers: f({ 0: { a: 1 }, 3: { a: 4 } }) };
  t.equal(alignViewInputs([l]), null);
  t.equal(alignViewInputs([l, { name: 'r', start: 0, end: 3, frontiers: f({ 0: { b: 1 }, 3: { b: 2 } }) }]), null);
  t.equal(alignViewInputs([l, { name: 'r', start: 0, end: 3, frontiers: new Map() }]), null);
});

t.test('a batch frontier merges its views\' frontiers; other inputs are roots', async (t) => {
  t.same(
    batchFrontier([
      { name: 'l', end: 6, upstream: { base: 6, t: 2 } },
      { name: 'r', end: 1, upstream: { base: 6 } },
      { name: 'clicks', end: { p0: 10 }, upstream: undefined },
      { name: 'old', end: 3, upstream: null },
    ]),
    { roots: { base: 6, t: 2, clicks: { p0: 10 }, old: 3 }, views: { l: { base: 6, t: 2 }, r: { base: 6 }, old: null } },
  );
});
