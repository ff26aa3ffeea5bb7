/** FLUSH (RisingWave's): the statement that waits until the running queries have caught up. */
import t from 'tap';
import { Engine } from '../../src/engine/index.js';

t.test('FLUSH returns once every running query processed what was accepted before it; a paused one is left paused', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE s (k BIGINT);
    CREATE MATERIALIZED VIEW a AS SELECT count(*) AS n FROM s;
    CREATE MATERIALIZED VIEW b AS SELECT k, count(*) AS n FROM s GROUP BY k;
    CREATE MATERIALIZED VIEW held AS SELECT count(*) AS n FROM s;
    ALTER MATERIALIZED VIEW held PAUSE`);
  const results = await engine.execute('INSERT INTO s SELECT range % 3 FROM range(1000); FLUSH; SELECT n FROM a; SELECT sum(n) FROM b');
  t.equal(results[1]!.tag, 'FLUSH');
  t.same(results[2]!.rows, [[1000]], 'a: every row');
  t.same(results[3]!.rows.map((r) => Number(r[0])), [1000], 'b: every row');
  t.equal(engine.queries().find((q) => q.name === 'held')!.status, 'paused', 'FLUSH did not run the paused query');
});

t.test('FLUSH reports a query that failed, naming it', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE s (v VARCHAR); CREATE MATERIALIZED VIEW bad AS SELECT CAST(v AS INTEGER) AS i FROM s`);
  await t.rejects(engine.execute("INSERT INTO s VALUES ('not a number'); FLUSH"), /bad/);
});
