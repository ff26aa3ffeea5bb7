/**
 * NOT NULL on push sources across restarts: recorded in the DDL log and enforced after a restart;
 * a data directory whose log was written before NOT NULL was recorded still opens, says so, and
 * keeps taking what it took.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { Engine } from '../../src/engine/index.js';

t.test('a NOT NULL column refuses NULL over INSERT before and after a restart', async (t) => {
  const dataDir = t.testdir();
  let engine = await Engine.open({ dataDir });
  await engine.execute(`CREATE SOURCE s (id BIGINT NOT NULL, v VARCHAR); INSERT INTO s VALUES (1, 'a')`);
  await t.rejects(engine.execute(`INSERT INTO s VALUES (NULL, 'b')`), { code: 'BAD_INPUT_ROW', message: 'source "s": row 1, column "id": null value in a NOT NULL column' });
  await engine.close();
  const log = fs.readFileSync(path.join(dataDir, 'catalog', 'ddl.log'), 'utf8');
  t.match(log, /"columns":\[\{"name":"id","type":"BIGINT","notNull":true\},\{"name":"v","type":"VARCHAR"\}\]/, 'the log records it');
  engine = await Engine.open({ dataDir });
  t.teardown(() => engine.close());
  t.same(engine.warnings, []);
  await t.rejects(engine.execute(`INSERT INTO s (v) SELECT 'c'`), { code: 'BAD_INPUT_ROW', message: /row 1, column "id": null value in a NOT NULL column/ });
  await t.rejects(engine.appendRows('s', [{ v: 'd' }]), { code: 'BAD_INPUT_ROW', message: /row index 0, column "id": null value in a NOT NULL column/ });
  const [rows] = await engine.execute('SELECT id, v FROM s');
  t.same(rows!.rows, [[1, 'a']]);
});

t.test('a DDL log written before NOT NULL was recorded opens; its columns stay nullable, with a warning', async (t) => {
  const dataDir = t.testdir();
  fs.mkdirSync(path.join(dataDir, 'catalog'));
  // a line as Eddy wrote it until NOT NULL was recorded (columns with name and type only)
  const sql = 'CREATE SOURCE old_src (id BIGINT NOT NULL, v VARCHAR)';
  const object = { kind: 'source', name: 'old_src', sql, columns: [{ name: 'id', type: 'BIGINT' }, { name: 'v', type: 'VARCHAR' }], watermark: null, connector: 'push', options: {} };
  fs.writeFileSync(path.join(dataDir, 'catalog', 'ddl.log'), `${JSON.stringify({ op: 'create', sql, object, dependsOn: [], at: '2026-12-03T12:05:53.935Z' })}\n`);
  let engine = await Engine.open({ dataDir });
  t.match(engine.warnings, [/source "old_src" was created by an earlier Eddy that did not check NOT NULL: "id" still takes NULL; DROP and CREATE the source again/]);
  t.same(await engine.execute(`INSERT INTO old_src VALUES (NULL, 'as before')`).then((r) => r.map((x) => x.tag)), ['INSERT 0 1']);
  await engine.execute(`CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM old_src`);
  await engine.drain();
  const [count] = await engine.execute('SELECT n FROM n');
  t.same(count!.rows, [[1]], 'queries read it as before');
  await engine.execute(`DROP SOURCE old_src CASCADE; ${sql}`);
  await t.rejects(engine.execute(`INSERT INTO old_src VALUES (NULL, 'now refused')`), { code: 'BAD_INPUT_ROW' });
  await engine.close();
  engine = await Engine.open({ dataDir });
  t.teardown(() => engine.close());
  t.same(engine.warnings, [], 'the re-created source is recorded with NOT NULL');
});
