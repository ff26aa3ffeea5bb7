import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';

async function open(t: Test, dataDir = t.testdir()): Promise<Engine> {
  const engine = await Engine.open({ dataDir });
  t.teardown(() => engine.close());
  return engine;
}

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => [...r]);
}

const SETUP = `
  CREATE SOURCE clicks (user_id BIGINT, url VARCHAR);
  CREATE TABLE users (id BIGINT, name VARCHAR);
  INSERT INTO users VALUES (1, 'ann'), (2, 'bob');
  CREATE MATERIALIZED VIEW per_user AS
    SELECT u.name, count(*) AS clicks FROM clicks AS c JOIN users AS u ON c.user_id = u.id GROUP BY u.name;
`;

t.test('a materialized view follows its push source; pull queries read it', async (t) => {
  const engine = await open(t);
  const results = await engine.execute(SETUP);
  t.equal(results[3]!.tag, 'CREATE MATERIALIZED VIEW');
  await engine.execute("INSERT INTO clicks VALUES (1, '/a'), (1, '/b'), (2, '/a')");
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM per_user ORDER BY name'), [['ann', 2], ['bob', 1]]);
  await engine.execute("INSERT INTO clicks VALUES (2, '/c'), (2, '/d')");
  await engine.drain();
  t.same(await rows(engine, 'SELECT * FROM per_user ORDER BY name'), [['ann', 2], ['bob', 3]]);
  const [queries] = await engine.execute('SHOW QUERIES');
  t.same(queries!.rows.map((r) => [r[0], r[1], r[2], r[5], r[6]]), [['per_user', 'materialized view', 'running', 2, null]]);
  const progress = await rows(engine, 'SHOW PROGRESS per_user');
  t.ok(progress.length >= 1);
  t.match(JSON.parse(String(progress[progress.length - 1]![1])), { name: 'per_user', batchId: Number });
  t.same(engine.queries().map((q) => q.name), ['per_user']);
});

t.test('DROP of a source with a view over it needs CASCADE, which stops the query', async (t) => {
  const engine = await open(t);
  await engine.execute(SETUP);
  await t.rejects(engine.execute('DROP SOURCE clicks'), { code: 'DEPENDENT_OBJECTS', message: /materialized view "per_user"/ });
  await t.rejects(engine.execute('DROP TABLE users'), { code: 'DEPENDENT_OBJECTS' });
  await t.rejects(engine.execute('INSERT INTO per_user VALUES (1)'), { code: 'WRONG_OBJECT_TYPE' });
  const [dropped] = await engine.execute('DROP SOURCE clicks CASCADE');
  t.match(dropped!.notices, [/drop cascades to materialized view "per_user"/]);
  t.same(engine.queries(), []);
  await t.rejects(engine.execute('SELECT * FROM per_user'), { code: 'UNDEFINED_TABLE' });
  t.same(engine.catalog.list().map((o) => o.name), ['users']);
});

t.test('queries resume after a restart, without re-inserting data', async (t) => {
  const dataDir = t.testdir();
  const first = await Engine.open({ dataDir });
  await first.execute(SETUP);
  await first.execute("INSERT INTO clicks VALUES (1, '/a')");
  await first.drain();
  await first.close();
  const second = await open(t, dataDir);
  t.same(second.warnings, []);
  await second.execute("INSERT INTO clicks VALUES (1, '/b')");
  await second.drain();
  t.same(await rows(second, 'SELECT * FROM per_user'), [['ann', 2]]);
});

t.test('PAUSE stops batches until RESUME, across a restart too', async (t) => {
  const dataDir = t.testdir();
  const first = await Engine.open({ dataDir });
  await first.execute(SETUP);
  await first.execute('ALTER MATERIALIZED VIEW per_user PAUSE');
  await first.execute("INSERT INTO clicks VALUES (1, '/a')");
  await first.drain();
  t.same(await rows(first, 'SELECT * FROM per_user'), []);
  await first.close();
  const second = await open(t, dataDir);
  t.same(second.queries().map((q) => q.status), ['stopped']);
  await second.execute('ALTER MATERIALIZED VIEW per_user RESUME');
  await second.drain();
  t.same(await rows(second, 'SELECT * FROM per_user'), [['ann', 1]]);
  await second.execute('ALTER MATERIALIZED VIEW per_user RESET'); // recomputed from the start (test/checkpoint/recovery.test.ts)
  await second.drain();
  t.same(await rows(second, 'SELECT * FROM per_user'), [['ann', 1]]);
  await t.rejects(second.execute('ALTER SINK per_user PAUSE'), { code: 'WRONG_OBJECT_TYPE' });
});

t.test('EXPLAIN shows each stage; nothing is created', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (k BIGINT, v BIGINT)');
  const text = async (sql: string) => (await rows(engine, sql)).map((r) => r[0]).join('\n');
  t.match(await text('EXPLAIN LOGICAL CREATE MATERIALIZED VIEW m AS SELECT k, sum(v) AS total FROM s GROUP BY k'), /Aggregate/);
  t.match(await text('EXPLAIN CREATE MATERIALIZED VIEW m AS SELECT k, sum(v) AS total FROM s GROUP BY k'), /output modes allowed/);
  t.match(await text('EXPLAIN AST CREATE MATERIALIZED VIEW m AS SELECT k FROM s'), /"kind": "create_materialized_view"/);
  t.notOk(engine.catalog.get('m'));
});

t.test('sinks: created with a connector, listed, validated', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (k BIGINT, v BIGINT)');
  const [created] = await engine.execute("CREATE SINK out AS SELECT k, v FROM s WHERE v > 1 WITH (connector = 'blackhole')");
  t.equal(created!.tag, 'CREATE SINK');
  await engine.execute('INSERT INTO s VALUES (1, 2), (2, 0)');
  await engine.drain();
  const sinks = await rows(engine, 'SHOW SINKS');
  t.same(sinks.map((r) => r.slice(0, 3)), [['out', 'running', 'blackhole']]);
  await t.rejects(engine.execute("CREATE SINK bad AS SELECT k FROM s WITH (connector = 'blackhole', colour = 'red')"), { code: 'INVALID_PARAMETER', message: /colour/ });
  await t.rejects(engine.execute('CREATE SINK bad FROM s'), { code: 'INVALID_PARAMETER', message: /needs a connector/ });
  await t.rejects(engine.execute('SELECT * FROM out'), { code: 'WRONG_OBJECT_TYPE' });
  await engine.execute('DROP SINK out');
  t.same(engine.queries(), []);
});
