import t from 'tap';
import { Database } from '../../src/duck/index.js';
import { profileStatements, statementShape } from '../../src/duck/statement-profile.js';

t.test('a statement shape hides literals, so the batches of one statement add up', async (t) => {
  t.equal(statementShape(`DELETE FROM "out" WHERE __batch <= 17 AND s = 'it''s'`), `DELETE FROM "out" WHERE __batch <= ? AND s = ?`);
  t.equal(statementShape('SELECT 1.5,\n   x2 FROM t'), 'SELECT ?, x2 FROM t');
});

t.test('while switched on, every statement a connection runs is timed under its shape', async (t) => {
  const db = await Database.open(':memory:');
  const conn = await db.connect();
  const profile = profileStatements(true)!;
  try {
    await conn.run('CREATE TABLE x (a INTEGER)');
    for (let i = 0; i < 3; i++) await conn.run(`INSERT INTO x VALUES (${i})`);
    await conn.scalar('SELECT count(*) FROM x');
    await conn.transaction(async () => conn.run('INSERT INTO x VALUES (9)'));
  } finally {
    profileStatements(false);
    conn.close();
    db.close();
  }
  const byShape = new Map(profile.top().map((s) => [s.shape, s.count]));
  t.equal(byShape.get('INSERT INTO x VALUES (?)'), 4);
  t.equal(byShape.get('SELECT count(*) FROM x'), 1);
  t.equal(byShape.get('COMMIT'), 1);
  t.ok(profile.top().every((s) => s.totalMs >= 0));
});
