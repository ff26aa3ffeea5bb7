/** Messages whose bytes do not match their fields get an error and the session stays usable. */
import t from 'tap';
import { frame, RawClient, serialize, startServer } from './helpers.js';

t.test('a Query without its terminating NUL gets an error and ReadyForQuery', async (t) => {
  const { port } = await startServer(t, '');
  const raw = await RawClient.connect(port);
  const from = raw.messages.length;
  raw.send(frame('Q', 4 + 8, Buffer.from('SELECT 1')));
  const answer = await raw.until('readyForQuery', from, 5000);
  t.same(answer.map((m) => m.name), ['error', 'readyForQuery']);
  t.equal(answer[0]!.code, '08P01');
  t.match(answer[0]!.message, /malformed protocol message: a string is not terminated/);
  const next = raw.messages.length;
  raw.send(serialize.query('SELECT 2 AS x'));
  t.ok((await raw.until('readyForQuery', next)).some((m) => m.name === 'dataRow'), 'the next query runs');
  raw.close();
});

t.test('a binary BIGINT parameter of 2 bytes is refused, not read past its end', async (t) => {
  const { port } = await startServer(t, '');
  const raw = await RawClient.connect(port);
  const from = raw.messages.length;
  raw.send(
    serialize.parse({ text: 'SELECT $1 AS x', types: [20] }),
    serialize.bind({ values: [Buffer.from([0, 7])] }),
    serialize.execute({}),
    serialize.sync(),
  );
  const answer = await raw.until('readyForQuery', from, 5000);
  const error = answer.find((m) => m.name === 'error');
  t.equal(error?.code, '22P03');
  t.match(error?.message, /incorrect binary data format in bind parameter 1: 2 bytes for a 8-byte type/);
  const next = raw.messages.length;
  const eight = Buffer.alloc(8);
  eight.writeBigInt64BE(7n);
  raw.send(serialize.parse({ text: 'SELECT $1 AS x', types: [20] }), serialize.bind({ values: [eight] }), serialize.execute({}), serialize.sync());
  const ok = await raw.until('readyForQuery', next, 5000);
  t.same(ok.filter((m) => m.name === 'dataRow').map((m) => (m.fields as string[])[0]), ['7'], 'a well-formed one is read');
  raw.close();
});

t.test('a message with a length below 4 ends the connection with a protocol violation', async (t) => {
  const { port } = await startServer(t, '');
  const raw = await RawClient.connect(port);
  const from = raw.messages.length;
  raw.send(frame('Q', 2));
  const answer = await raw.until('error', from, 5000);
  t.equal(answer[answer.length - 1]!.code, '08P01');
  await new Promise<void>((resolve) => (raw.socket.destroyed ? resolve() : raw.socket.once('close', () => resolve())));
  t.pass('closed');
});

t.test('a message of an unknown type, NUL included, gets an error naming it printably', async (t) => {
  const { port } = await startServer(t, '');
  const raw = await RawClient.connect(port);
  const from = raw.messages.length;
  raw.send(frame('\0', 4), serialize.sync());
  const answer = await raw.until('readyForQuery', from, 5000);
  t.equal(answer[0]!.code, '08P01');
  t.equal(answer[0]!.message, 'unexpected message type \\x00');
  raw.close();
});
