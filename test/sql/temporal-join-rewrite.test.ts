import t from 'tap';
import { rewriteTemporalJoins } from '../../src/sql/temporal-join-rewrite.js';

t.test('the clause is blanked at the same offsets, and the relation named by its alias, else its table', async (t) => {
  const sql = 'SELECT * FROM s JOIN dim FOR SYSTEM_TIME AS OF PROCTIME() AS d ON s.k = d.k JOIN "Other" for system_time as of proctime ( ) ON true';
  const { text, relations } = rewriteTemporalJoins(sql);
  t.equal(text.length, sql.length);
  t.equal(text.replace(/\s+/g, ' '), 'SELECT * FROM s JOIN dim AS d ON s.k = d.k JOIN "Other" ON true');
  t.same(relations, ['d', 'Other']);
  t.same(rewriteTemporalJoins('SELECT * FROM s JOIN dim x FOR SYSTEM_TIME AS OF PROCTIME() ON true').relations, ['x'], 'an alias written before the clause');
  t.same(rewriteTemporalJoins('SELECT * FROM s JOIN dim FOR SYSTEM_TIME AS OF PROCTIME() d WHERE true').relations, ['d'], 'a bare alias after it');
});

t.test('comments and string literals are left alone', async (t) => {
  const sql = "SELECT 'x FOR SYSTEM_TIME AS OF PROCTIME()' AS s -- t FOR SYSTEM_TIME AS OF PROCTIME()\nFROM t";
  t.same(rewriteTemporalJoins(sql), { text: sql, relations: [] });
});
