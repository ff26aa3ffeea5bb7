/**
 * Names that look like paths, sent as a user would send them over HTTP: the queries run, nothing
 * outside the data directory is touched, and what cannot be a name is refused with its SQLSTATE and
 * the statement's position.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { postJson, sql, startTestServer } from './helpers.js';

t.test('CREATE MATERIALIZED VIEW "../../victim" and ".." over HTTP stay inside the data directory', async (t) => {
  const { url, engine, dataDir } = await startTestServer(t);
  // queries/../../<victim> is the data directory's sibling <victim>: a sentinel of this test's own
  const victim = fs.mkdtempSync(path.join(path.dirname(dataDir), 'eddy-victim-'));
  t.teardown(() => fs.rmSync(victim, { recursive: true, force: true }));
  fs.writeFileSync(path.join(victim, 'keep.txt'), 'sentinel');
  const escape = `../../${path.basename(victim)}`;

  const created = await sql(url, `CREATE SOURCE src (x INTEGER);
    CREATE MATERIALIZED VIEW "${escape}" AS SELECT count(*) AS n FROM src;
    CREATE MATERIALIZED VIEW ".." AS SELECT count(*) AS n FROM src;
    CREATE MATERIALIZED VIEW "a/b" AS SELECT count(*) AS n FROM src;`);
  t.equal(created.status, 200, JSON.stringify(created.body.error));
  t.same((await postJson(`${url}/v1/sources/src/rows`, [{ x: 1 }, { x: 2 }])).status, 200);
  await engine.drain();
  const counts = await sql(url, `SELECT (SELECT n FROM "${escape}"), (SELECT n FROM ".."), (SELECT n FROM "a/b")`);
  t.same(counts.body.results[0].rows, [[2, 2, 2]]);
  t.same(fs.readdirSync(victim), ['keep.txt'], 'the sentinel next to the data directory is untouched');
  t.ok(fs.existsSync(path.join(dataDir, 'eddy.duckdb')) && fs.existsSync(path.join(dataDir, 'catalog', 'ddl.log')), 'the data directory is whole');

  const dropped = await sql(url, `DROP MATERIALIZED VIEW "${escape}"; DROP MATERIALIZED VIEW ".."`);
  t.equal(dropped.status, 200, JSON.stringify(dropped.body.error));
  t.same(fs.readdirSync(victim), ['keep.txt'], 'DROP did not reach it either');
  t.ok(fs.existsSync(path.join(dataDir, 'eddy.duckdb')));
  t.same(engine.catalog.list().map((o) => o.name), ['src', 'a/b']);
});

t.test('a name with NUL, or longer than 63 bytes, is refused with its SQLSTATE and position', async (t) => {
  const { url, engine } = await startTestServer(t);
  const nul = await sql(url, 'CREATE SOURCE ok (x INTEGER);\nCREATE MATERIALIZED VIEW "a\u0000b" AS SELECT count(*) AS n FROM ok');
  t.equal(nul.status, 400);
  t.match(nul.body.error, { code: 'INVALID_NAME', sqlstate: '42602', message: /materialized view name "a\\u0000b" contains the control character U\+0000/, position: { line: 2, column: 1 } });
  const long = await sql(url, `CREATE SINK "${'s'.repeat(1000)}" FROM ok WITH (connector = 'blackhole')`);
  t.equal(long.status, 400);
  t.match(long.body.error, { code: 'NAME_TOO_LONG', sqlstate: '42622', message: /is 1000 bytes long; a name has at most 63 bytes/, position: { line: 1, column: 1 } });
  t.same(engine.catalog.list().map((o) => o.name), ['ok'], 'neither was created');
});
