/** Real psql against the wire server's limits: statements too complex or too large are errors psql shows, and the session goes on. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import t from 'tap';
import { startServer } from '../server/pgwire/helpers.js';
import { skip } from '../support/skip.js';

const PSQL = '/usr/bin/psql';
if (!fs.existsSync(PSQL)) {
  skip(t, 'psql is not installed (apt-get install postgresql-client)');
  process.exit(0);
}

function psql(port: number, input: string): Promise<{ out: string; err: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      PSQL,
      ['-X', '-At', '-v', 'VERBOSITY=verbose', '-h', '127.0.0.1', '-p', String(port), '-U', 'tester', '-d', 'eddy', '-f', '-'],
      { timeout: 60_000, maxBuffer: 16 << 20, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
      (_error, out, err) => resolve({ out, err }),
    );
    child.stdin!.end(input);
  });
}

t.test('5,000 nested parentheses and a 20,000-term OR chain: ERROR 54001, then the next statement runs', async (t) => {
  const { port } = await startServer(t, 'CREATE TABLE t (a BIGINT)');
  const chain = Array.from({ length: 20_000 }, (_, i) => `a = ${i}`).join(' OR ');
  const { out, err } = await psql(port, `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)};\nSELECT * FROM t WHERE ${chain};\nSELECT 42;\n`);
  const errors = err.split('\n').filter((line) => line.includes('ERROR:'));
  t.equal(errors.length, 2, err.slice(0, 500));
  for (const line of errors) t.match(line, /ERROR:\s+54001: statement too complex/);
  t.match(err, /parentheses nested more than 1000 deep/);
  t.match(err, /expressions nested more than 1000 deep/);
  t.equal(out.trim(), '42');
});

t.test('a statement over the message limit: ERROR 54000, then the next statement runs', async (t) => {
  const { port } = await startServer(t, '', { limits: { maxMessageBytes: 100_000 } });
  const { out, err } = await psql(port, `SELECT length('${'x'.repeat(200_000)}');\nSELECT 43;\n`);
  t.match(err, /ERROR:\s+54000: statement of 2000\d\d bytes exceeds the limit of 100000 bytes/);
  t.match(err, /HINT:\s+split it into smaller statements/);
  t.equal(out.trim(), '43');
});
