/**
 * A large statement is parsed off the event loop: while one session's multi-megabyte INSERT is being
 * parsed, other sessions' small statements run and finish.
 */
import t from 'tap';
import { connect, startServer } from './helpers.js';

function bigInsert(bytes: number): string {
  const rows: string[] = [];
  for (let i = 0, length = 0; length < bytes; i++) {
    const row = `(${i}, 'name-${i}', ${i * 1.5})`;
    rows.push(row);
    length += row.length + 2;
  }
  return `INSERT INTO big VALUES ${rows.join(', ')}`;
}

t.test("another session's one-row INSERTs finish while a 4 MB INSERT is still being parsed", async (t) => {
  const { port } = await startServer(t, 'CREATE TABLE big (a BIGINT, b VARCHAR, c DOUBLE); CREATE TABLE small (a INTEGER)');
  const heavy = await connect(t, port);
  const light = await connect(t, port);
  const order: string[] = [];
  const big = heavy.query(bigInsert(4 * 1024 * 1024)).then((r) => {
    order.push('big');
    return r;
  });
  // Time for the 4 MB to arrive and its parse to start (which takes seconds); only an ordering is
  // asserted. The engine runs statements in submission order: had the big one been parsed on the
  // event loop, it would have been submitted first and the small ones would finish after it.
  await new Promise((resolve) => setTimeout(resolve, 250));
  t.same(order, [], 'the big statement is still in progress');
  for (let i = 0; i < 3; i++) {
    await light.query('INSERT INTO small VALUES ($1)', [i]);
    order.push(`small ${i}`);
  }
  t.same((await light.query('SELECT count(*)::INTEGER AS n FROM small')).rows, [{ n: 3 }]);
  order.push('count');
  const inserted = (await big).rowCount ?? 0;
  t.same(order, ['small 0', 'small 1', 'small 2', 'count', 'big']);
  t.ok(inserted > 100_000);
  t.same((await light.query('SELECT count(*)::INTEGER AS n FROM big')).rows, [{ n: inserted }], 'the big INSERT is complete');
});
