/** Real psql in a child process against the wire server: \d family, a scripted session, COPY SUBSCRIBE with Ctrl-C. */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import t from 'tap';
import { startServer } from '../server/pgwire/helpers.js';
import { skip } from '../support/skip.js';

const PSQL = '/usr/bin/psql';
if (!fs.existsSync(PSQL)) {
  skip(t, 'psql is not installed (apt-get install postgresql-client)');
  process.exit(0);
}

const SETUP = `
CREATE SOURCE clicks (user_id BIGINT, url VARCHAR, ts TIMESTAMP);
CREATE TABLE owners (id INTEGER, name VARCHAR, amount DECIMAL(10,2));
CREATE VIEW recent AS SELECT user_id, url FROM clicks;
CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS clicks FROM clicks GROUP BY user_id;
`;

function psql(port: number, args: string[], input?: string): Promise<{ out: string; err: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(PSQL, ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'eddy', ...args], { timeout: 20_000, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } }, (error, out, err) =>
      resolve({ out, err, code: error ? Number((error as { code?: number }).code ?? 1) : 0 }),
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

t.test('\\d, \\dt, \\dv, \\dm and \\d name answer from the catalog', async (t) => {
  const { port } = await startServer(t, SETUP);
  const all = await psql(port, ['-c', '\\d']);
  t.equal(all.code, 0, all.err);
  t.match(all.out, /clicks\s+\| table/);
  t.match(all.out, /owners\s+\| table/);
  t.match(all.out, /recent\s+\| view/);
  t.match(all.out, /per_user\s+\| materialized view/);
  t.notMatch((await psql(port, ['-c', '\\dt'])).out, /per_user|recent/);
  t.match((await psql(port, ['-c', '\\dv'])).out, /recent\s+\| view/);
  t.match((await psql(port, ['-c', '\\dm'])).out, /per_user\s+\| materialized view/);
  const owners = await psql(port, ['-c', '\\d owners']);
  t.match(owners.out, /Table "public\.owners"/);
  t.match(owners.out, /amount\s+\| numeric\(10,2\)/);
  const mv = await psql(port, ['-c', '\\d+ per_user']);
  t.match(mv.out, /Materialized view "public\.per_user"/);
  t.match(mv.out, /View definition:\s+SELECT user_id, count\(\*\) AS clicks/);
  t.match((await psql(port, ['-c', '\\d nothing'])).err, /Did not find any relation named "nothing"/);
});

t.test('statements that only mention catalog words are not catalog queries', async (t) => {
  const { port } = await startServer(t, 'CREATE SOURCE clicks (id BIGINT, url VARCHAR); CREATE TABLE docs (id INTEGER, format_type VARCHAR);');
  const insert = await psql(port, ['-c', "INSERT INTO clicks VALUES (1, '/docs/pg_settings')"]);
  t.equal(insert.code, 0, insert.err);
  t.match(insert.out, /INSERT 0 1/);
  await psql(port, ['-c', "INSERT INTO docs VALUES (7, 'information_schema')"]);
  const select = await psql(port, ['-c', 'SELECT id, format_type FROM docs']);
  t.equal(select.code, 0, select.err);
  t.match(select.out, /7 \| information_schema/);
  const described = await psql(port, ['-c', '\\d docs']);
  t.match(described.out, /format_type \| text/, 'psql\'s own catalog queries still reach the catalog');
});

t.test('a scripted interactive session: inserts, queries, cursors, errors with a caret', async (t) => {
  const { port } = await startServer(t, SETUP);
  const script = [
    "INSERT INTO clicks VALUES (1, '/a', TIMESTAMP '2024-01-01 10:00:00'), (1, '/b', NULL);",
    "INSERT INTO owners VALUES (1, 'ann', 2.50);",
    'SELECT name, amount FROM owners;',
    'SELECT nam FROM owners;',
    'BEGIN;',
    'DECLARE c CURSOR FOR SUBSCRIBE per_user;',
    'FETCH ALL c;',
    'COMMIT;',
    '\\q',
  ].join('\n');
  const { out, err } = await psql(port, [], script);
  t.match(out, /ann\s+\|\s+2\.50/);
  t.match(out, /insert \|\s+1 \|\s+2/);
  t.match(err, /ERROR:\s+.*nam/);
  t.match(out, /COMMIT/);
});

t.test('COPY (SUBSCRIBE ...) TO STDOUT streams until Ctrl-C, which ends it cleanly', async (t) => {
  const { port, engine } = await startServer(t, SETUP);
  await engine.execute("INSERT INTO clicks VALUES (5, '/x', NULL)");
  await engine.drain();
  const child = spawn(PSQL, ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'eddy', '-c', 'COPY (SUBSCRIBE per_user) TO STDOUT']);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise((r) => setTimeout(r, 1000));
  await engine.execute("INSERT INTO clicks VALUES (6, '/y', NULL)");
  await engine.drain();
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
  const code = await exited;
  t.match(out, /\tinsert\t5\t1\n/);
  t.match(out, /\tinsert\t6\t1\n/);
  t.match(err, /canceling statement due to user request/);
  t.equal(code, 1);
  const after = await psql(port, ['-c', 'SELECT count(*) FROM per_user']);
  t.match(after.out, /\b2\b/, 'the server still answers after the cancel');
});

t.test('FLUSH returns once the views have processed every row inserted before it (read your writes)', async (t) => {
  const { port } = await startServer(t, SETUP);
  // one session, no wait between the statements: the SELECT after FLUSH must see all 200 rows
  const script = `${Array.from({ length: 200 }, (_, i) => `INSERT INTO clicks VALUES (${i % 4}, '/p', NULL);`).join('\n')}
FLUSH;
SELECT sum(clicks) AS total FROM per_user;
`;
  const run = await psql(port, ['-t', '-A', '-v', 'ON_ERROR_STOP=1'], script);
  t.equal(run.code, 0, run.err);
  t.match(run.out, /^FLUSH\n/m, 'psql prints the FLUSH tag');
  t.match(run.out, /^200$/m, 'the view holds every row inserted before FLUSH');
});
