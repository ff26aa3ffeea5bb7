import * as fs from 'node:fs';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';

async function open(t: Test, dataDir = t.testdir()): Promise<Engine> {
  const engine = await Engine.open({ dataDir });
  t.teardown(() => engine.close());
  return engine;
}

/** The rows of the last statement of a script. */
async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => [...r]);
}

t.test('tables: DuckDB statements as written, with PostgreSQL command tags', async (t) => {
  const engine = await open(t);
  const results = await engine.execute(`
    CREATE TABLE stations (id INT PRIMARY KEY, name VARCHAR, capacity INT);
    INSERT INTO stations VALUES (1, 'North', 10), (2, 'South', 20);
    UPDATE stations SET capacity = capacity + 1 WHERE id = 2;
    DELETE FROM stations WHERE id = 1;
    SELECT * FROM stations;
  `);
  t.same(results.map((r) => r.tag), ['CREATE TABLE', 'INSERT 0 2', 'UPDATE 1', 'DELETE 1', 'SELECT 1']);
  t.same(results[4]!.columns, [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'capacity', type: 'INTEGER' },
  ]);
  t.same(results[4]!.rows, [[2, 'South', 21]]);
  await engine.execute('CREATE TABLE big AS SELECT range AS n FROM range(5)');
  t.same(await rows(engine, 'SELECT count(*) AS c FROM big'), [[5]]);
  t.same(await rows(engine, 'SHOW TABLES'), [
    ['stations', 'id INTEGER, name VARCHAR, capacity INTEGER'],
    ['big', 'n BIGINT'],
  ]);
});

t.test('errors are EddyErrors with codes and SQLSTATEs', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE TABLE t (x INT)');
  await t.rejects(engine.execute('CREATE TABLE t (y INT)'), { code: 'DUPLICATE_OBJECT', sqlstate: '42710' });
  await t.rejects(engine.execute('SELECT * FROM nope'), { code: 'UNDEFINED_TABLE', message: /nope/ });
  await t.rejects(engine.execute('SELECT y FROM t'), { code: 'UNDEFINED_COLUMN' });
  await t.rejects(engine.execute('INSERT INTO nope VALUES (1)'), { code: 'UNDEFINED_TABLE' });
  // PostgreSQL: invalid input syntax for type integer, 22P02.
  await t.rejects(engine.execute("INSERT INTO t VALUES ('abc')"), { code: 'INVALID_TEXT_REPRESENTATION', sqlstate: '22P02' });
  await t.rejects(engine.execute('SELEC 1'), { code: 'SYNTAX_ERROR' });
  await t.rejects(engine.execute('SHOW CREATE nope'), { code: 'UNDEFINED_TABLE' });
  await t.rejects(engine.execute('DROP VIEW t'), { code: 'WRONG_OBJECT_TYPE', message: /is a table/ });
  const dropped = await engine.execute('DROP TABLE IF EXISTS nope');
  t.match(dropped[0]!.notices, [/does not exist, skipping/]);
});

t.test('IF NOT EXISTS skips with a notice', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE TABLE t (x INT)');
  const [result] = await engine.execute('CREATE TABLE IF NOT EXISTS t (x INT)');
  t.match(result!.notices, [/table "t" already exists, skipping/]);
});

t.test('views: stored, readable by pull queries, and dependencies block DROP', async (t) => {
  const engine = await open(t);
  await engine.execute(`
    CREATE TABLE t (x INT);
    INSERT INTO t VALUES (1), (2), (3);
    CREATE VIEW big_x AS SELECT x FROM t WHERE x > 1;
  `);
  t.same(await rows(engine, 'SELECT x FROM big_x ORDER BY x'), [[2], [3]]);
  t.same(await rows(engine, 'SHOW VIEWS'), [['big_x', 'x INTEGER', 'SELECT x FROM t WHERE x > 1']]);
  await t.rejects(engine.execute('DROP TABLE t'), { code: 'DEPENDENT_OBJECTS', message: /view "big_x"/ });
  const [dropped] = await engine.execute('DROP TABLE t CASCADE');
  t.match(dropped!.notices, [/drop cascades to view "big_x"/]);
  t.same(engine.catalog.list(), []);
  await t.rejects(engine.execute('SELECT * FROM big_x'), { code: 'UNDEFINED_TABLE' });
});

t.test('push sources: INSERT appends rows that pull queries see', async (t) => {
  const engine = await open(t);
  const results = await engine.execute(`
    CREATE SOURCE clicks (user_id BIGINT, url VARCHAR);
    INSERT INTO clicks VALUES (1, '/a'), (2, '/b');
    INSERT INTO clicks SELECT 3, '/c';
  `);
  t.same(results.map((r) => r.tag), ['CREATE SOURCE', 'INSERT 0 2', 'INSERT 0 1']);
  t.same(await rows(engine, 'SELECT user_id, url FROM clicks ORDER BY user_id'), [[1, '/a'], [2, '/b'], [3, '/c']]);
  t.same((await rows(engine, 'SHOW SOURCES')).map((r) => r.slice(0, 3)), [['clicks', 'push', 'user_id BIGINT, url VARCHAR']]);
  await t.rejects(engine.execute('UPDATE clicks SET url = 1'), { code: 'WRONG_OBJECT_TYPE', message: /append-only/ });
  await t.rejects(engine.execute('CREATE TABLE clicks (x INT)'), { code: 'DUPLICATE_OBJECT', message: /source "clicks"/ });
  await engine.execute('DROP SOURCE clicks');
  t.same(await rows(engine, 'SHOW SOURCES'), []);
});

t.test('sources with a connector cannot be inserted into or pulled from', async (t) => {
  const engine = await open(t);
  await engine.execute("CREATE SOURCE bid WITH (connector = 'nexmark', table = 'bid', events_per_second = 10)");
  await t.rejects(engine.execute("INSERT INTO bid VALUES (1, 1, 1, 'c', 'u', now(), '')"), { code: 'WRONG_OBJECT_TYPE', message: /nexmark/ });
  await t.rejects(engine.execute('SELECT * FROM bid'), { code: 'FEATURE_NOT_SUPPORTED', message: /unbounded/ });
  await t.rejects(engine.execute("CREATE SOURCE b2 WITH (connector = 'nexmark', table = 'bid', bogus = 1)"), { code: 'INVALID_PARAMETER', message: /bogus/ });
});

t.test('EXPLAIN AST and SHOW CREATE', async (t) => {
  const engine = await open(t);
  const [plan] = await engine.execute('EXPLAIN AST SELECT 1 AS one');
  t.same(plan!.columns, [{ name: 'QUERY PLAN', type: 'VARCHAR' }]);
  t.match(plan!.rows.map((r) => r[0]).join('\n'), /"kind": "select"/);
  await engine.execute('CREATE TABLE t (x INT)');
  t.same(await rows(engine, 'SHOW CREATE TABLE t'), [['t', 'table', 'CREATE TABLE t (x INT)']]);
});

t.test('the catalog survives a restart; data is not inserted twice', async (t) => {
  const dataDir = t.testdir();
  const first = await Engine.open({ dataDir });
  await first.execute(`
    CREATE TABLE t (x INT);
    INSERT INTO t VALUES (1), (2);
    CREATE VIEW v AS SELECT x * 10 AS y FROM t;
    CREATE SOURCE clicks (user_id BIGINT);
    INSERT INTO clicks VALUES (7);
    CREATE TABLE gone (x INT);
    DROP TABLE gone;
  `);
  await first.close();
  t.ok(fs.existsSync(path.join(dataDir, 'catalog', 'ddl.log')));
  const second = await open(t, dataDir);
  t.same(second.warnings, []);
  t.same(second.catalog.list().map((o) => `${o.kind}:${o.name}`), ['table:t', 'view:v', 'source:clicks']);
  t.same(await rows(second, 'SELECT y FROM v ORDER BY y'), [[10], [20]]);
  t.same(await rows(second, 'SELECT * FROM clicks'), [[7]]);
  await t.rejects(second.execute('DROP TABLE t'), { code: 'DEPENDENT_OBJECTS' });
});

t.test('a torn last line of the DDL log is ignored with a warning', async (t) => {
  const dataDir = t.testdir();
  const first = await Engine.open({ dataDir });
  await first.execute('CREATE TABLE t (x INT)');
  await first.close();
  fs.appendFileSync(path.join(dataDir, 'catalog', 'ddl.log'), '{"op":"create","sql":"CREATE TA');
  const second = await open(t, dataDir);
  t.match(second.warnings, [/torn last line/]);
  t.same(second.catalog.list().map((o) => o.name), ['t']);
});

t.test('materialized view options are validated', async (t) => {
  const engine = await open(t);
  await engine.execute('CREATE SOURCE s (x BIGINT)');
  await t.rejects(engine.execute("CREATE MATERIALIZED VIEW m AS SELECT x FROM s WITH (colour = 'red')"), { code: 'INVALID_PARAMETER', message: /unknown option colour/ });
  await t.rejects(engine.execute("CREATE MATERIALIZED VIEW m AS SELECT x FROM s WITH (trigger = 'sometimes')"), { code: 'INVALID_PARAMETER', message: /trigger/ });
  await t.rejects(engine.execute('CREATE MATERIALIZED VIEW m AS SELECT x FROM s WITH (max_rows_per_batch = 0)'), { code: 'INVALID_PARAMETER' });
  t.notOk(engine.catalog.get('m'));
});
