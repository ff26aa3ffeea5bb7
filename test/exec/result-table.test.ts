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

t.test('a result unique by a key is changed by key: a retraction deletes its key\'s row', async (t) => {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  const fields = [field('k', 'VARCHAR'), field('n', 'BIGINT')];
  await conn.run('CREATE TABLE result (k VARCHAR, n BIGINT)');
  const apply = async (delta: string, key: string[]): Promise<string> => {
    await loadDelta(conn, 'd', fields, delta);
    await conn.runAll(applyDeltaSql('result', ['k', 'n'], 'd', ['k', 'n'], false, key));
    const rows = await conn.query('SELECT k, n FROM result ORDER BY ALL');
    return rows.rows.map((r) => r.join(' ')).join(',');
  };
  t.equal(await apply('+ a 1\n+ b 2\n+ null 3', ['k']), 'a 1,b 2, 3');
  t.equal(await apply('- a 1\n+ a 5\n- null 3\n+ null 4', ['k']), 'a 5,b 2, 4', 'an update of a key, NULL keys included');
  t.equal(await apply('- b 2', ['k']), 'a 5, 4', 'a key retracted without a new row disappears');
  await conn.run('DELETE FROM result');
  t.equal(await apply('+ x 1', []), 'x 1', 'no key columns: a global aggregate\'s one row');
  t.equal(await apply('- x 1\n+ x 2', []), 'x 2');
});
