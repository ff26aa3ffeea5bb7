/**
 * The wire server's limits, each against a real server and real sockets: packet sizes before and
 * after authentication, the authentication timeout, max connections.
 */
import t from 'tap';
import { formatVerifier, parseUsers, scramVerifier } from '../../../src/server/pgwire/index.js';
import { connect, eventually, frame, serialize, startServer, WireSocket } from './helpers.js';

const MiB = 1024 * 1024;

t.test('a startup packet over 10,000 bytes is refused as soon as its length arrives', async (t) => {
  const { port } = await startServer(t, '');
  const socket = await WireSocket.open(port);
  // 60 MiB announced, a few bytes sent: the old server waited for (and buffered) all of it.
  socket.write(frame(null, 60 * MiB, Buffer.alloc(1000)));
  const error = await socket.error(5000);
  t.equal(error.code, '08P01');
  t.equal(error.severity, 'FATAL');
  t.match(error.message, /invalid length of startup packet: 62914560 bytes \(at most 10000\)/);
  await socket.ended;

  const sized = await WireSocket.open(port);
  sized.write(frame(null, 10_001));
  t.match((await sized.error(5000)).message, /at most 10000/, 'the limit is PostgreSQL\'s MAX_STARTUP_PACKET_LENGTH');
  t.same((await (await connect(t, port)).query('SELECT 1 AS x')).rows, [{ x: 1 }], 'other clients are served');
});

t.test('before authentication a password message is small; a large one ends the connection', async (t) => {
  const users = parseUsers(`ann:${formatVerifier(scramVerifier('pw'))}`);
  const { port } = await startServer(t, '', { users });
  const socket = await WireSocket.open(port);
  socket.write(serialize.startup({ user: 'ann', database: 'eddy' }));
  await eventually(() => socket.messages.some((m) => m.name === 'authenticationSASL'), 5000);
  socket.write(frame('p', 60 * MiB, Buffer.alloc(1000)));
  const error = await socket.error(5000);
  t.equal(error.code, '08P01');
  t.match(error.message, /invalid length 62914560 of an authentication message \(at most 65535 bytes\)/);
  await socket.ended;
});

t.test('a client that does not authenticate within the timeout is disconnected', async (t) => {
  const users = parseUsers('ann:pw');
  const { port } = await startServer(t, '', { users, limits: { authTimeoutMs: 300 } });
  const silent = await WireSocket.open(port);
  const stalled = await WireSocket.open(port);
  stalled.write(serialize.startup({ user: 'ann', database: 'eddy' }));
  for (const socket of [silent, stalled]) {
    const error = await socket.error(5000);
    t.equal(error.code, '57014');
    t.match(error.message, /canceling authentication due to timeout/);
    await socket.ended;
  }
  const client = await connect(t, port, { user: 'ann', password: 'pw' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.same((await client.query('SELECT 1 AS x')).rows, [{ x: 1 }], 'an authenticated session outlives the timeout');
});

t.test('past max connections a client gets 53300; a freed slot is taken again', async (t) => {
  const { port } = await startServer(t, '', { limits: { maxConnections: 2 } });
  const first = await connect(t, port);
  await connect(t, port);
  await t.rejects(connect(t, port), { code: '53300', message: /sorry, too many clients already/ });
  await first.end();
  await eventually(async () => connect(t, port).then(() => true, () => false), 5000);
  t.pass('a slot freed by a closed session is given to the next client');
});

t.test('sockets that never start count too: past twice max connections they are refused at once', async (t) => {
  const { port } = await startServer(t, '', { limits: { maxConnections: 2 } });
  const idle = await Promise.all([1, 2, 3, 4].map(() => WireSocket.open(port)));
  const refused = await WireSocket.open(port);
  t.equal((await refused.error(5000)).code, '53300');
  await refused.ended;
  for (const socket of idle) socket.destroy();
  await eventually(async () => connect(t, port).then(() => true, () => false), 5000);
  t.pass('once the idle sockets are gone, clients connect');
});

t.test('after authentication a statement over the message limit is a 54000 error and the session goes on', async (t) => {
  const { port } = await startServer(t, '', { limits: { maxMessageBytes: 64 * 1024 } });
  const client = await connect(t, port);
  const big = `SELECT '${'x'.repeat(300 * 1024)}' AS s`;
  await t.rejects(client.query(big), { code: '54000', message: /statement of 307\d+ bytes exceeds the limit of 65536 bytes/ });
  t.same((await client.query('SELECT 1 AS x')).rows, [{ x: 1 }], 'the simple-query session continues');
  await t.rejects(client.query('SELECT $1::VARCHAR AS s', ['y'.repeat(300 * 1024)]), { code: '54000' }, 'a Bind message counts too');
  t.same((await client.query('SELECT $1::INTEGER AS x', [2])).rows, [{ x: 2 }], 'the extended-protocol session continues after Sync');
  const fits = `SELECT '${'x'.repeat(60 * 1024)}' AS s`;
  t.equal((await client.query(fits)).rows[0].s.length, 60 * 1024, 'a statement under the limit runs');
});
