import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import t from 'tap';
import { formatVerifier, parseUsers, scramVerifier } from '../../../src/server/pgwire/index.js';
import { connect, startServer } from './helpers.js';
import { skip } from '../../support/skip.js';

t.test('users file: plain passwords and PostgreSQL SCRAM verifiers', async (t) => {
  const verifier = formatVerifier(scramVerifier('s3cret', Buffer.alloc(16, 7)));
  const users = parseUsers(`# comment\nann:pw\n\nbob:${verifier}\n`);
  t.same([...users.keys()], ['ann', 'bob']);
  t.equal(formatVerifier(users.get('bob')!), verifier);
  t.throws(() => parseUsers('no-colon'), { message: /line 1: expected name:password/ });
});

t.test('SCRAM-SHA-256: the right password connects, a wrong one or an unknown user is refused', async (t) => {
  const users = parseUsers(`ann:pw\nbob:${formatVerifier(scramVerifier('s3cret'))}`);
  const { port } = await startServer(t, '', { users });
  const ann = await connect(t, port, { user: 'ann', password: 'pw' });
  t.same((await ann.query('SELECT 1 AS x')).rows, [{ x: 1 }]);
  const bob = await connect(t, port, { user: 'bob', password: 's3cret' });
  t.same((await bob.query('SELECT 2 AS x')).rows, [{ x: 2 }]);
  await t.rejects(connect(t, port, { user: 'ann', password: 'wrong' }), { code: '28P01', message: /password authentication failed for user "ann"/ });
  await t.rejects(connect(t, port, { user: 'eve', password: 'pw' }), { code: '28P01' });
});

t.test('TLS when a certificate is configured; refused (N) otherwise', async (t) => {
  const { port: plainPort } = await startServer(t, '');
  await t.rejects(connect(t, plainPort, { ssl: { rejectUnauthorized: false } }), /does not support SSL/);

  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'eddy-tls-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  const made = await new Promise<boolean>((resolve) =>
    execFile('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyFile, '-out', certFile], (e) => resolve(!e)),
  );
  if (!made) return skip(t, 'openssl is not available to make a test certificate');
  const users = parseUsers('ann:pw');
  const { port } = await startServer(t, '', { tls: { certFile, keyFile }, users });
  const client = await connect(t, port, { user: 'ann', password: 'pw', ssl: { rejectUnauthorized: false } });
  t.same((await client.query('SELECT 3 AS x')).rows, [{ x: 3 }]);
  const viaPsql = await new Promise<string>((resolve) =>
    execFile(
      'psql',
      ['-X', '-At', '-c', 'SELECT 4', `host=127.0.0.1 port=${port} user=ann dbname=eddy sslmode=require`],
      { env: { ...process.env, PGPASSWORD: 'pw' }, timeout: 20_000 },
      (e, out, err) => resolve(e ? `failed: ${err}` : out),
    ),
  );
  if (!viaPsql.startsWith('failed: ') || !/ENOENT/.test(viaPsql)) t.equal(viaPsql.trim(), '4', 'psql connects with sslmode=require and SCRAM');
});
