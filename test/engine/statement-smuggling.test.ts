/**
 * A client's text reaches DuckDB as exactly the statements Eddy read in it: a comment or a quote that
 * ends where DuckDB says it ends, never a second statement DuckDB runs unseen. After every attempt,
 * Eddy's catalog and DuckDB's agree, and no file was written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t, { type Test } from 'tap';
import { Engine } from '../../src/engine/index.js';

async function open(t: Test): Promise<{ engine: Engine; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-smuggle-'));
  const engine = await Engine.open({ dataDir: path.join(dir, 'data'), fileRoots: [path.join(dir, 'root')] });
  t.teardown(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await engine.execute(`CREATE TABLE victim (x INT); INSERT INTO victim VALUES (1);
    CREATE SOURCE clicks (user_id BIGINT, ts TIMESTAMP)`);
  return { engine, dir };
}

/** The tables DuckDB has in the main database, and those Eddy's catalog lists as tables. */
async function tables(engine: Engine): Promise<{ duck: string[]; eddy: string[] }> {
  const [result] = await engine.execute(`SELECT table_name FROM duckdb_tables() WHERE database_name = 'eddy' AND schema_name = 'main' AND table_name NOT LIKE '\\_\\_%' ESCAPE '\\' AND table_name NOT LIKE 'eddy\\_%' ESCAPE '\\' ORDER BY 1`);
  const duck = result!.rows.map((r) => String(r[0]));
  const eddy = engine.catalog.list().filter((o) => o.kind === 'table').map((o) => o.name).sort();
  return { duck, eddy };
}

const ATTEMPTS: readonly string[] = [
  // the forms: a -- comment that DuckDB ends at \r, which Eddy once read to \n
  "SELECT 1 --\r; DROP TABLE victim; COPY (SELECT 'x' AS x) TO 'escaped.txt'; SELECT 2\n+ 0",
  'INSERT INTO victim VALUES (2) --\r; DELETE FROM victim',
  'INSERT INTO clicks VALUES (1, NULL) --\r; DROP TABLE victim',
  'INSERT INTO clicks SELECT 1, NULL --\r; DROP TABLE victim',
  'CREATE TABLE t2 (a INT DEFAULT 1 --\r); DROP TABLE victim; --\n)',
  'UPDATE victim SET x = 3 --\r; DROP TABLE victim',
  "CREATE SOURCE w (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts --\r), 1); DROP TABLE victim; --\n)",
  'CREATE VIEW v AS SELECT x FROM victim --\r; DROP TABLE victim',
  // DuckDB reads a string only up to a NUL: what follows one would be Eddy's alone
  'SELECT 1 AS a\u0000; DROP TABLE victim',
  "INSERT INTO victim VALUES (5) -- \u0000\n; DELETE FROM victim",
  // quotes: an escape string, a dollar quote with a non-ASCII tag, a name holding $
  "SELECT E'\\'; DROP TABLE victim; --'",
  'SELECT $é$ ; DROP TABLE victim; $é$',
  // statements that are not Eddy's: DuckDB never sees them
  "COPY victim TO 'escaped.txt'",
  "EXPORT DATABASE 'escaped'",
  "ATTACH 'escaped.duckdb' AS e",
  'INSTALL httpfs',
  'LOAD parquet',
  'SET threads = 1',
  "PRAGMA enable_profiling = 'json'",
  'CALL checkpoint()',
  'CHECKPOINT',
  'DETACH eddy',
  'USE memory',
  // qualified names a statement of Eddy's would have read as something else
  'DELETE FROM victim.main WHERE true',
  "SELECT * FROM query('DROP TABLE victim')",
];

t.test('no attempt runs a statement Eddy did not read; catalogs agree; no file is written', async (t) => {
  const { engine, dir } = await open(t);
  const cwd = process.cwd();
  for (const sql of ATTEMPTS) {
    await engine.execute(sql).catch((e: { sqlstate?: string }) => t.not(e.sqlstate, 'XX000', `${JSON.stringify(sql)} fails with a proper SQLSTATE`));
    const { duck, eddy } = await tables(engine);
    t.same(duck, eddy, `after ${JSON.stringify(sql)}: DuckDB's tables are Eddy's`);
    for (const where of [cwd, dir, path.join(dir, 'data')]) {
      for (const name of ['escaped.txt', 'escaped', 'escaped.duckdb']) t.notOk(fs.existsSync(path.join(where, name)), `no ${name} in ${where}`);
    }
  }
});

t.test('a NUL anywhere but in a quoted name is a syntax error at its position', async (t) => {
  const { engine } = await open(t);
  await t.rejects(engine.execute('SELECT 1 AS a\u0000; DROP TABLE victim'), { sqlstate: '42601', message: /line 1, column 14: SQL text cannot contain a NUL/ });
  t.ok(engine.catalog.get('victim'), 'nothing ran');
});

t.test('what Eddy reads in such text runs as Eddy read it: the DROP after \\r is a DROP of its own', async (t) => {
  const { engine } = await open(t);
  // PostgreSQL (and DuckDB) end the comment at \r: the script holds a SELECT and a DROP, both Eddy's
  const results = await engine.execute('SELECT 1 AS one --\r; DROP TABLE victim');
  t.same(results[0]!.rows, [[1]]);
  t.equal(results[1]!.tag, 'DROP TABLE');
  t.notOk(engine.catalog.get('victim'));
  t.same(await tables(engine), { duck: [], eddy: [] });
});

t.test('a watermark expression is checked when created as the one expression the event-time scan runs', async (t) => {
  const { engine } = await open(t);
  await t.rejects(engine.execute('CREATE SOURCE w (a INT, ts TIMESTAMP, WATERMARK FOR ts AS a)'), { message: /source "w": WATERMARK FOR ts AS a failed/ });
  await t.rejects(engine.execute('CREATE SOURCE w (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts FROM victim)'), { code: 'SYNTAX_ERROR', message: /./ });
  // a trailing comment ends with the expression, there and in every batch's scan
  await engine.execute("CREATE SOURCE w (a INT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND -- a comment ends here\n)");
  await engine.execute("CREATE MATERIALIZED VIEW n AS SELECT count(*) AS n FROM w; INSERT INTO w VALUES (1, TIMESTAMP '2026-01-01 00:00:00')");
  await engine.drain();
  t.same((await engine.execute('SELECT n FROM n'))[0]!.rows, [[1]]);
});
