import t from 'tap';
import { bindQuery } from '../../../src/plan/binder/query.js';
import { EddyError } from '../../../src/util/errors.js';
import { bindContext, closeFixture, queryText } from './fixture.js';

t.teardown(closeFixture);

async function bindError(text: string, start = { offset: 0, line: 1, column: 1 }): Promise<EddyError> {
  try {
    await bindQuery(queryText(text, start), await bindContext());
  } catch (e) {
    if (e instanceof EddyError) return e;
    throw e;
  }
  throw new Error(`expected an error binding: ${text}`);
}

t.test('positions are relative to where the query starts in the script', async (t) => {
  const start = { offset: 120, line: 7, column: 30 };
  const first = await bindError('SELECT nope FROM bid', start);
  t.same(first.position, { offset: 127, line: 7, column: 37 }, 'on the first line the column is offset');
  const second = await bindError('SELECT auction\nFROM bid WHERE nope > 1', start);
  t.same(second.position, { offset: 120 + 30, line: 8, column: 16 }, 'on later lines only the line is offset');
  t.match(second.describe(), /line 8, column 16/);
});

t.test('the root fields carry user-visible names and no qualifier', async (t) => {
  const plan = await bindQuery(queryText('SELECT b.auction AS a, count(*) FROM bid b GROUP BY b.auction'), await bindContext());
  t.same(plan.fields, [
    { name: 'a', type: 'BIGINT', userName: 'a', qualifier: null },
    { name: 'count_star()', type: 'BIGINT', userName: 'count_star()', qualifier: null },
  ]);
});

t.test('a one-statement array AST is accepted; other statements are not', async (t) => {
  const q = queryText('SELECT auction FROM bid');
  const plan = await bindQuery({ ...q, ast: [q.ast] }, await bindContext());
  t.equal(plan.kind, 'project');
  const ins = queryText('INSERT INTO stations VALUES (1, \'a\', 2)');
  await t.rejects(bindQuery(ins, await bindContext()), { code: 'FEATURE_NOT_SUPPORTED' });
});

t.test('sum over VARCHAR is an error naming sum and the argument type', async (t) => {
  const e = await bindError('SELECT sum(channel) FROM bid');
  t.equal(e.code, 'UNDEFINED_FUNCTION');
  t.match(e.message, /sum\(VARCHAR\)/);
  t.notMatch(e.message, /__eddy/, 'no probe internals in the message');
  t.ok(e.cause, 'keeps DuckDB\'s error as the cause');
});

t.test('errors never leak a raw DuckDB error', async (t) => {
  for (const sql of [
    "SELECT date_trunc(1, 2) FROM bid",
    "SELECT auction FROM bid WHERE channel + 1 > 2",
    "SELECT 'a' + 1 AS x FROM bid",
    'SELECT list_value(price)[1] FROM bid WHERE nope_fn(1)',
  ]) {
    const e = await bindError(sql);
    t.ok(e instanceof EddyError, `${sql}: ${e.code} ${e.message}`);
    t.ok(e.position, `${sql}: has a position`);
  }
});
