import t from 'tap';
import { Database } from '../../src/duck/index.js';
import { applyDeltaSql } from '../../src/exec/result-table.js';
import { field, loadDelta } from '../support/changelog.js';

t.test('a delta applied to a result table inserts by weight and deletes exactly as many copies', async (t) => {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  const fields = [field('k', 'VARCHAR'), field('n', 'BIGINT')];
  await conn.run('CREATE TABLE result (k VARCHAR, n BIGINT)');
  const apply = async (delta: string): Promise<string> => {
    await loadDelta(conn, 'd', fields, delta);
    await conn.runAll(applyDeltaSql('result', ['k', 'n'], 'd', ['k', 'n']));
    const rows = await conn.query('SELECT k, n FROM result ORDER BY ALL');
    return rows.rows.map((r) => r.join(' ')).join(',');
  };
  t.equal(await apply('+ a 1\n+ a 1\n+2 b 2\n+ null 3'), 'a 1,a 1,b 2,b 2, 3');
  t.equal(await apply('- a 1\n-2 b 2'), 'a 1, 3', 'one of two equal rows deleted; a weight of -2 deletes two');
  t.equal(await apply('- null 3\n+ c 4'), 'a 1,c 4', 'NULLs match NULLs');
});
