/** A push source with a PRIMARY KEY: INSERT upserts by key, DELETE deletes by key, pull queries see the current rows. */
import t from 'tap';
import { Engine } from '../../../src/engine/index.js';

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

t.test('upserts and deletes by key reach views as changes, and survive a restart', async (t) => {
  const dir = t.testdir();
  let engine = await Engine.open({ dataDir: dir });
  await engine.execute(`CREATE SOURCE prices (sku BIGINT PRIMARY KEY, price INTEGER NOT NULL);
    INSERT INTO prices VALUES (1, 10), (2, 20), (1, 11);
    CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n, sum(price) AS s FROM prices`);
  t.same(await rows(engine, 'FLUSH; SELECT * FROM total'), [[2, 31]], 'the last row of a key in one statement wins');
  t.same(await rows(engine, 'SELECT * FROM prices ORDER BY sku'), [[1, 11], [2, 20]], 'pull queries see the current rows');
  const [deleted] = await engine.execute('DELETE FROM prices WHERE price > 15');
  t.equal(deleted!.tag, 'DELETE 1');
  await engine.close();
  engine = await Engine.open({ dataDir: dir });
  t.teardown(() => engine.close());
  await engine.execute('INSERT INTO prices VALUES (3, 30), (1, 1)');
  t.same(await rows(engine, 'FLUSH; SELECT * FROM total'), [[2, 31]]);
  t.same(await rows(engine, 'SELECT * FROM prices ORDER BY sku'), [[1, 1], [3, 30]]);
});

t.test('what a keyed source refuses', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute('CREATE SOURCE k (id INT PRIMARY KEY, v INT); CREATE SOURCE plain (id INT)');
  await t.rejects(engine.execute('UPDATE k SET v = 1'), { code: 'WRONG_OBJECT_TYPE', message: /INSERT \(which replaces the row with its key\) and DELETE/ });
  await t.rejects(engine.execute('DELETE FROM plain'), { code: 'WRONG_OBJECT_TYPE', message: /append-only/ });
  await t.rejects(engine.execute('DELETE FROM k USING plain WHERE k.id = plain.id'), { code: 'FEATURE_NOT_SUPPORTED' });
  await t.rejects(engine.execute('INSERT INTO k VALUES (1, 1) ON CONFLICT DO NOTHING'), { code: 'FEATURE_NOT_SUPPORTED' });
  await t.rejects(engine.execute(`CREATE SOURCE n (id BIGINT PRIMARY KEY) WITH (connector = 'file', path = '${t.testdir()}', format = 'json')`), { message: /upsert stream, which the file connector does not produce/ });
  await t.rejects(engine.execute('CREATE SOURCE r (id INT PRIMARY KEY, __pos BIGINT)'), { message: /reserved/ });
});
