import t from 'tap';
import { asEddyError, EddyError, positionAt } from '../../src/util/errors.js';

t.test('positionAt computes 1-based line and column', async (t) => {
  t.same(positionAt('ab\ncd', 4), { offset: 4, line: 2, column: 2 });
  t.same(positionAt('abc', 0), { offset: 0, line: 1, column: 1 });
});

t.test('EddyError carries its SQLSTATE and describes its position', async (t) => {
  const e = new EddyError('UNDEFINED_TABLE', 'table "x" does not exist', { position: positionAt('select * from x', 14) });
  t.equal(e.sqlstate, '42P01');
  t.equal(e.httpStatus, 404);
  t.match(e.describe(), /line 1, column 15/);
});

t.test('a stack overflow is a statement too complex (54001), never an internal error', async (t) => {
  const recurse = (n: number): number => recurse(n + 1) + 1;
  let overflow: unknown;
  try {
    recurse(0);
  } catch (e) {
    overflow = e;
  }
  const error = asEddyError(overflow, 'INTERNAL', 'create materialized view');
  t.equal(error.sqlstate, '54001');
  t.match(error.message, /^create materialized view: statement too complex/);
  t.equal(asEddyError(new RangeError('Invalid array length')).sqlstate, 'XX000', 'other RangeErrors stay what they are');
});
