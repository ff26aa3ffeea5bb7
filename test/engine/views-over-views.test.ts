/**
 * A materialized view read by another query is read as its changelog: not inlined, its plan and state
 * not repeated; the upstream logs its changes only while read, and cannot be reset under its readers.
 */
import t from 'tap';
import { Engine } from '../../src/engine/index.js';
import { queryDirName } from '../../src/checkpoint/query-dir.js';

async function rows(engine: Engine, sql: string): Promise<unknown[][]> {
  const results = await engine.execute(sql);
  return results[results.length - 1]!.rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

async function explain(engine: Engine, sql: string): Promise<string> {
  const [plan] = await engine.execute(`EXPLAIN ${sql}`);
  return plan!.rows.map((r) => r[0]).join('\n');
}

t.test("the issue's session: hist over per_user reads per_user's changes instead of recomputing its aggregate", async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE clicks (user_id BIGINT, url VARCHAR);
    CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS n FROM clicks GROUP BY user_id;
    INSERT INTO clicks VALUES (1, '/a'), (1, '/b'), (2, '/c'); FLUSH;
    CREATE MATERIALIZED VIEW hist AS SELECT n, count(*) AS users FROM per_user GROUP BY n`);
  const plan = await explain(engine, 'CREATE MATERIALIZED VIEW hist2 AS SELECT n, count(*) AS users FROM per_user GROUP BY n');
  t.match(plan, /SourceScan per_user -> retracting/);
  t.equal(plan.match(/Aggregate/g)?.length, 1, "only hist2's own aggregate: per_user's is not repeated");
  t.same(await rows(engine, 'FLUSH; SELECT * FROM hist ORDER BY n'), [[1, 1], [2, 1]], 'starts from per_user as it is');
  await engine.execute("INSERT INTO clicks VALUES (2, '/a'), (3, '/b'), (1, '/c')");
  t.same(await rows(engine, 'FLUSH; SELECT * FROM hist ORDER BY n'), [[1, 1], [2, 1], [3, 1]]);
  await t.rejects(engine.execute('ALTER MATERIALIZED VIEW per_user RESET'), { code: 'OBJECT_IN_USE', message: /"hist" reads its changes/ });
  await t.rejects(engine.execute('DROP MATERIALIZED VIEW per_user'), /depend/);
});

t.test('the upstream logs changes only while a query reads them', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE s (k INT);
    CREATE MATERIALIZED VIEW per_k AS SELECT k, count(*) AS n FROM s GROUP BY k;
    INSERT INTO s VALUES (1), (2); FLUSH`);
  const log = `SELECT count(*) FROM "q_${queryDirName('per_k')}".main.__changes`;
  t.same(await rows(engine, log), [[0]], 'not read: nothing logged');
  await engine.execute('CREATE MATERIALIZED VIEW total AS SELECT sum(n) AS n FROM per_k; INSERT INTO s VALUES (1), (3); FLUSH');
  t.ok(Number((await rows(engine, log))[0]![0]) > 0, 'read: its changes are logged');
  t.same(await rows(engine, 'SELECT * FROM total'), [[4]]);
  await engine.execute('DROP MATERIALIZED VIEW total; INSERT INTO s VALUES (4); FLUSH');
  t.same(await rows(engine, log), [[0]], 'no reader left: emptied at the next batch');
});

t.test('a view whose output only appends is inlined, keeping its sources\' watermarks for windows downstream', async (t) => {
  const engine = await Engine.open({ dataDir: t.testdir() });
  t.teardown(() => engine.close());
  await engine.execute(`CREATE SOURCE ev (k INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND);
    CREATE MATERIALIZED VIEW recent AS SELECT k, ts FROM ev WHERE k > 0`);
  const plan = await explain(engine, "CREATE SINK w AS SELECT window_start, count(*) AS n FROM TUMBLE(recent, ts, INTERVAL '1' MINUTE) GROUP BY window_start WITH (connector = 'blackhole', output_mode = 'append')");
  t.match(plan, /SourceScan ev/);
  t.match(plan, /emit on window close/);
});
