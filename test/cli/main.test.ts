import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs the CLI in-process, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s) };
  const code = await main(args, io);
  return { code, out, err };
}

function script(t: Test, sql: string): string {
  const dir = t.testdir({ 'script.sql': sql });
  return path.join(dir, 'script.sql');
}

t.test('--version and --help', async (t) => {
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
  t.same(await cli(['--version']), { code: 0, out: `eddy ${version}\n`, err: '' });
  const help = await cli(['--help']);
  t.equal(help.code, 0);
  t.match(help.out, /eddy run FILE\.sql/);
  t.match(help.out, /eddy serve/);
  t.equal((await cli([])).code, 2);
  t.match((await cli(['frobnicate'])).err, /unknown command 'frobnicate'/);
  t.match((await cli(['run', 'x.sql', '--format', 'xml'])).err, /--format must be table, json or csv/);
});

t.test('run prints SELECT results as a table', async (t) => {
  const file = script(t, `
    CREATE TABLE t (id INT, name VARCHAR);
    INSERT INTO t VALUES (1, 'one'), (2, 'two');
    SELECT * FROM t ORDER BY id;
  `);
  const result = await cli(['run', file]);
  t.equal(result.err, '');
  t.equal(result.code, 0);
  t.equal(result.out, [' id | name', '----+------', '  1 | one', '  2 | two', '(2 rows)', '', ''].join('\n'));
});

t.test('run prints json and csv', async (t) => {
  const file = script(t, "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y' ORDER BY a;");
  t.equal((await cli(['run', file, '--format', 'json'])).out, '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n');
  t.equal((await cli(['run', file, '--format', 'csv'])).out, 'a,b\n1,x\n2,y\n');
});

t.test('run stops at the first error: ERROR with SQLSTATE on stderr, exit 1', async (t) => {
  const file = script(t, 'CREATE TABLE t (x INT);\nSELECT * FROM t;\nSELECT * FROM missing;\nSELECT 1 AS never;\n');
  const result = await cli(['run', file]);
  t.equal(result.code, 1);
  t.match(result.out, /\(0 rows\)/);
  t.notMatch(result.out, /never/);
  t.match(result.err, /^ERROR: .*missing.*\[SQLSTATE 42P01\]/);
  const missing = await cli(['run', '/nonexistent/file.sql']);
  t.equal(missing.code, 1);
  t.match(missing.err, /^ERROR: cannot read/);
});

t.test('run keeps a given data directory; a second run sees the first', async (t) => {
  const dir = t.testdir({ 'first.sql': 'CREATE TABLE t (x INT); INSERT INTO t VALUES (42);', 'second.sql': 'SELECT x FROM t;' });
  const dataDir = path.join(dir, 'data');
  t.equal((await cli(['run', path.join(dir, 'first.sql'), '--data-dir', dataDir])).code, 0);
  const second = await cli(['run', path.join(dir, 'second.sql'), '--data-dir', dataDir, '--format', 'csv']);
  t.equal(second.out, 'x\n42\n');
});

t.test('the main.ts entry point runs as a process', async (t) => {
  const file = script(t, "SELECT 'hi' AS greeting;\nSELECT * FROM nope;\n");
  const child = spawnSync(process.execPath, ['--import', '@tapjs/typescript/import', path.join(root, 'src/cli/main.ts'), 'run', file, '--format', 'csv'], {
    cwd: root,
    encoding: 'utf8',
  });
  t.equal(child.status, 1, child.stderr);
  t.equal(child.stdout, 'greeting\nhi\n');
  t.match(child.stderr, /ERROR: .*nope.*\[SQLSTATE 42P01\]/);
});

t.test('serve runs --init only on an empty data directory and stops when told', async (t) => {
  const dir = t.testdir({
    'init.sql': "CREATE SOURCE s (k BIGINT); CREATE MATERIALIZED VIEW m AS SELECT k, count(*) AS n FROM s GROUP BY k; INSERT INTO s VALUES (7);",
  });
  const dataDir = path.join(dir, 'data');
  process.env.EDDY_STATUS_INTERVAL_MS = '100';
  t.teardown(() => void delete process.env.EDDY_STATUS_INTERVAL_MS);
  // Serves until its output shows `until`, or for at most `ms` (a loaded machine starts slowly).
  const serveFor = async (until: RegExp, ms: number) => {
    let out = '';
    let err = '';
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), ms);
    const io = { out: (s: string) => void ((out += s), until.test(out) && stop.abort()), err: (s: string) => void (err += s) };
    const code = await main(['serve', '--data-dir', dataDir, '--http-port', '0', '--pg-port', '0', '--init', path.join(dir, 'init.sql')], io, stop.signal);
    clearTimeout(timer);
    return { code, out, err };
  };
  const first = await serveFor(/m: running, batch \d+, 1 rows in \| k, n: \(7, 1\)/, 30_000);
  t.equal(first.code, 0, first.err);
  t.match(first.out, /Running .*init\.sql/);
  t.match(first.out, /HTTP and websockets listening on http:\/\/127\.0\.0\.1:\d+\n/);
  t.match(first.out, /m: running, batch \d+, 1 rows in \| k, n: \(7, 1\)/);
  const second = await serveFor(/serving .* with 1 continuous query/, 30_000);
  t.equal(second.code, 0, second.err);
  t.match(second.out, /is not empty: resuming what it holds/);
  t.match(second.out, /serving .* with 1 continuous query/);
});
