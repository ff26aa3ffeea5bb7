import t from 'tap';
import { EddyError, positionAt } from '../../src/util/errors.js';

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
