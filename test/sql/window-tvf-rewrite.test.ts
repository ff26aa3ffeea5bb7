import t from 'tap';
import { rewriteWindowTableFunctions } from '../../src/sql/window-tvf-rewrite.js';

t.test("Flink's window TVF call becomes Eddy's, at the same offsets", async (t) => {
  const flink = "SELECT * FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), INTERVAL '10' SECOND)) AS w";
  const rewritten = rewriteWindowTableFunctions(flink);
  t.equal(rewritten.length, flink.length);
  t.equal(rewritten.replace(/\s+/g, ' '), "SELECT * FROM TUMBLE( bid, (date_time), INTERVAL '10' SECOND) AS w");
  t.equal(rewritten.indexOf('INTERVAL'), flink.indexOf('INTERVAL'));
});

t.test('HOP and SESSION, lower case, nested in a subquery', async (t) => {
  const sql = 'select * from (select * from table(hop(table bid, descriptor(ts), a, b))) x join table(session(table p, descriptor(ts), g)) y on true';
  t.equal(
    rewriteWindowTableFunctions(sql).replace(/\s+/g, ' '),
    'select * from (select * from hop( bid, (ts), a, b) ) x join session( p, (ts), g) y on true',
  );
});

t.test('leaves everything else alone', async (t) => {
  for (const sql of [
    'SELECT * FROM TUMBLE(bid, date_time, INTERVAL \'10\' SECOND)',
    "SELECT 'TABLE(TUMBLE(TABLE x' FROM t -- TABLE(HOP(TABLE y",
    'SELECT * FROM "table"(x)',
    'SELECT * FROM foo(TABLE bid, DESCRIPTOR(c))',
    'TABLE hot',
  ]) {
    t.equal(rewriteWindowTableFunctions(sql), sql, sql);
  }
});
