/** CREATE MATERIALIZED VIEW returns once the view processed the data that existed (RisingWave's backfill). */
import t from 'tap';
import { Engine } from '../../src/engine/index.js';

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

t.test('a SELECT right after CREATE sees the answer over the data there was; background = true returns at once', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE TABLE t (id INT, v INT); INSERT INTO t SELECT range, range FROM range(10000);
    CREATE SOURCE s (k INT); INSERT INTO s SELECT range % 7 FROM range(5000)`);
  t.same(await rows(engine, 'CREATE MATERIALIZED VIEW total AS SELECT count(*) AS n, sum(v) AS s FROM t; SELECT * FROM total'), [[10000, 49995000]]);
  t.same(await rows(engine, 'CREATE MATERIALIZED VIEW per_k WITH (max_rows_per_batch = 1000) AS SELECT k, count(*) AS n FROM s GROUP BY k; SELECT sum(n) FROM per_k'), [[5000]], 'in several batches too');
  t.same(await rows(engine, 'CREATE MATERIALIZED VIEW over_view AS SELECT count(*) AS groups FROM per_k; SELECT * FROM over_view'), [[7]], 'a view over a view');
  const [created] = await engine.execute('CREATE MATERIALIZED VIEW later WITH (background = true) AS SELECT count(*) AS n FROM s');
  t.equal(created!.tag, 'CREATE MATERIALIZED VIEW');
  t.same(await rows(engine, 'FLUSH; SELECT * FROM later'), [[5000]]);
  await t.rejects(engine.execute('CREATE MATERIALIZED VIEW bad WITH (background = maybe) AS SELECT count(*) FROM s'), { message: /background must be true or false/ });
});

t.test('a backfill that fails returns the CREATE with a notice; the view exists and says why', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute("CREATE SOURCE s (v VARCHAR); INSERT INTO s VALUES ('x')");
  const [created] = await engine.execute('CREATE MATERIALIZED VIEW bad AS SELECT CAST(v AS INTEGER) AS i FROM s');
  t.match(created!.notices?.join('\n') ?? '', /"bad" was created, but its first batches failed: .*Could not convert/);
  t.equal(engine.queries().find((q) => q.name === 'bad')?.status, 'failed');
});

t.test('a long backfill reports how far it got while the CREATE waits', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir(), tuning: { backfillNoticeMs: 50 } });
  t.teardown(() => engine.close());
  await engine.execute('CREATE SOURCE s (k INT); INSERT INTO s SELECT range % 7 FROM range(5000)');
  const notices: string[] = [];
  const [statement] = engine.parse('CREATE MATERIALIZED VIEW slow WITH (max_rows_per_batch = 50) AS SELECT k, count(*) AS n FROM s GROUP BY k');
  await engine.executeStatement(statement!, { onNotice: (n) => notices.push(n) });
  t.ok(notices.length > 0, `${notices.length} progress notices`);
  t.match(notices.at(-1), /^"slow": backfilling for \d+ s: (batch \d+ done \(\d+ input rows\)|its first batch is running)$/);
  t.same(await rows(engine, 'SELECT sum(n) FROM slow'), [[5000]], 'and returned once done');
});

t.test("a backfill holds only its own statement: others run meanwhile, and SHOW QUERIES shows how far it got", async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute('CREATE SOURCE s (k INT); INSERT INTO s SELECT range % 7 FROM range(3000); CREATE TABLE other (v INT)');
  const [statement] = engine.parse('CREATE MATERIALIZED VIEW slow WITH (max_rows_per_batch = 20) AS SELECT k, count(*) AS n FROM s GROUP BY k');
  let done = false;
  const creating = engine.executeStatement(statement!).then((r) => {
    done = true;
    return r;
  });
  // wait for the view to exist, then use the engine from "another session"
  for (let i = 0; i < 500 && !engine.queries().some((q) => q.name === 'slow'); i++) await new Promise((r) => setTimeout(r, 10));
  await engine.execute('INSERT INTO other VALUES (1)');
  const [queries] = await engine.execute('SHOW QUERIES');
  const cols = queries!.columns.map((c) => c.name);
  const row = queries!.rows.find((r) => r[0] === 'slow')!;
  t.notOk(done, 'the CREATE is still waiting for its backfill');
  t.match(String(row[cols.indexOf('backfill')]), /^backfilling for \d+ s: /, 'SHOW QUERIES says how far the backfill got');
  await creating;
  t.same(await rows(engine, 'SELECT sum(n) FROM slow'), [[3000]]);
  const [after] = await engine.execute('SHOW QUERIES');
  t.equal(after!.rows.find((r) => r[0] === 'slow')![cols.indexOf('backfill')], null, 'and nothing once it is done');
});

t.test('a DROP during a backfill stops it; the CREATE returns', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute('CREATE SOURCE s (k INT); INSERT INTO s SELECT range % 7 FROM range(20000)');
  const [statement] = engine.parse('CREATE MATERIALIZED VIEW slow WITH (max_rows_per_batch = 20) AS SELECT k, count(*) AS n FROM s GROUP BY k');
  const creating = engine.executeStatement(statement!);
  for (let i = 0; i < 500 && !engine.queries().some((q) => q.name === 'slow'); i++) await new Promise((r) => setTimeout(r, 10));
  await engine.execute('DROP MATERIALIZED VIEW slow');
  const created = await creating;
  t.equal(created.tag, 'CREATE MATERIALIZED VIEW');
  t.notOk(engine.queries().some((q) => q.name === 'slow'), 'gone');
});
