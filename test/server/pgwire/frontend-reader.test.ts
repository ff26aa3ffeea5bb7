/** Framing client bytes into messages: limits checked on the header, bodies over the limit dropped as they stream. */
import t from 'tap';
import { FrontendReader } from '../../../src/server/pgwire/frontend-reader.js';

function frame(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const limit = (): number => 1000;

t.test('a message split over many chunks comes out whole', async (t) => {
  const reader = new FrontendReader();
  const body = Buffer.alloc(999 - 4, 7);
  const bytes = frame('Q', body);
  for (let i = 0; i < bytes.length; i += 7) {
    t.equal(reader.next(limit), null);
    reader.push(bytes.subarray(i, i + 7));
  }
  const message = reader.next(limit);
  t.equal(message?.type, 'Q');
  t.same(message?.body, body);
  t.equal(reader.buffered, 0);
});

t.test('an oversized message whose header arrives alone is dropped as the rest streams in', async (t) => {
  const reader = new FrontendReader();
  const big = frame('Q', Buffer.alloc(5000, 1));
  reader.push(big.subarray(0, 5));
  const oversized = reader.next(limit);
  t.same({ type: oversized?.type, oversized: oversized?.oversized, body: oversized?.body.length }, { type: 'Q', oversized: 5004, body: 0 });
  for (let i = 5; i < big.length; i += 333) reader.push(big.subarray(i, i + 333));
  t.equal(reader.buffered, 0, 'nothing of it is kept');
  reader.push(frame('S', Buffer.alloc(0)));
  t.equal(reader.next(limit)?.type, 'S', 'the next message is framed where the dropped one ended');
});

t.test('lengths below 4 are refused, and so is a startup packet over its limit', async (t) => {
  const reader = new FrontendReader();
  reader.push(Buffer.from([0x51, 0, 0, 0, 3]));
  t.throws(() => reader.next(limit), { code: 'PROTOCOL_VIOLATION', message: /invalid message length 3 in a 'Q' message/ });
  const startup = new FrontendReader();
  startup.push(Buffer.from([0, 0, 0x27, 0x11]));
  t.throws(() => startup.nextUntyped(10_000), { message: /invalid length of startup packet: 10001 bytes \(at most 10000\)/ });
});
