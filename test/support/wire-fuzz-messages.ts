/**
 * Frontend byte streams for the wire fuzzer: valid PostgreSQL messages, mutations of them (lengths
 * that lie, cut bodies, flipped bytes, wrong counts, random types), and a model of how the server
 * frames a stream, which says what a correct server must do with it: close the connection, wait for
 * bytes it was promised, or answer the probe query every stream ends with.
 */

export type Rng = () => number;

/** mulberry32: a small deterministic generator, so a failing seed replays exactly. */
export function rngOf(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (rng: Rng, n: number): number => Math.floor(rng() * n);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[int(rng, items.length)]!;

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n << 16 >> 16);
  return b;
};
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return b;
};
const cstring = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]);

export function typed(type: string, body: Buffer, declared = body.length + 4): Buffer {
  return Buffer.concat([Buffer.from([type.charCodeAt(0) & 0xff]), int32(declared), body]);
}

export function untyped(code: number, body: Buffer, declared = body.length + 8): Buffer {
  return Buffer.concat([int32(declared), int32(code), body]);
}

export const startup = (params: Record<string, string> = { user: 'fuzz', database: 'eddy' }): Buffer =>
  untyped(PROTOCOL_3, Buffer.concat([...Object.entries(params).flatMap(([k, v]) => [cstring(k), cstring(v)]), Buffer.alloc(1)]));
export const query = (sql: string): Buffer => typed('Q', cstring(sql));
export const sync = (): Buffer => typed('S', Buffer.alloc(0));

/** Statements that finish quickly; none starts a subscription that would hold the session. */
const SQL = [
  'SELECT 1', 'SELECT $1', 'SELECT $1::INTEGER + $2', 'INSERT INTO t VALUES ($1)', 'INSERT INTO t VALUES (1)', 'SELECT * FROM t LIMIT 3',
  'SHOW SOURCES', 'BEGIN', 'COMMIT', 'ROLLBACK', "SET application_name = 'fuzz'", 'SHOW application_name', 'SELEC 1', '', ';', ' ; ; ',
  'SELECT 1; SELECT 2', 'SELECT * FROM nope', "SELECT '", '"', '$$', 'SELECT (((1)))', 'CLOSE ALL', 'DISCARD ALL', 'FETCH 1 c',
  "SELECT relname FROM pg_catalog.pg_class", 'COPY (SELECT 1 AS x) TO STDOUT', "SELECT 'a' || $1", 'SELECT 1 --\r; SELECT 2', 'SELECT 1e400',
  "SELECT E'\\x", 'SELECT $99', 'SELECT $0', 'VALUES (1), (2)', `SELECT ${'('.repeat(1200)}1`,
];

function randomText(rng: Rng, max: number): string {
  const n = int(rng, max);
  let s = '';
  for (let i = 0; i < n; i++) s += rng() < 0.9 ? String.fromCharCode(32 + int(rng, 95)) : String.fromCodePoint(int(rng, 0x2ffff) + 1);
  return s;
}

export function randomBytes(rng: Rng, max: number): Buffer {
  return Buffer.from(Array.from({ length: int(rng, max) }, () => int(rng, 256)));
}

const name = (rng: Rng): string => pick(rng, ['', '', 's1', 'p1', 'nope', randomText(rng, 8)]);
const sqlOf = (rng: Rng): string => (rng() < 0.85 ? pick(rng, SQL) : randomText(rng, 60));

/** One well-formed frontend message of any type the server knows (and a few it does not). */
export function validMessage(rng: Rng): Buffer {
  switch (int(rng, 13)) {
    case 0:
      return query(sqlOf(rng));
    case 1: {
      const types = Array.from({ length: int(rng, 3) }, () => pick(rng, [0, 20, 23, 25, 16, 701, 1043, 17]));
      return typed('P', Buffer.concat([cstring(name(rng)), cstring(sqlOf(rng)), int16(types.length), ...types.map(int32)]));
    }
    case 2: {
      const values = Array.from({ length: int(rng, 3) }, () => (rng() < 0.2 ? null : rng() < 0.5 ? Buffer.from(String(int(rng, 1000))) : randomBytes(rng, 9)));
      const formats = Array.from({ length: pick(rng, [0, 1, values.length]) }, () => int(rng, 2));
      return typed('B', Buffer.concat([
        cstring(name(rng)), cstring(name(rng)), int16(formats.length), ...formats.map(int16), int16(values.length),
        ...values.flatMap((v) => (v === null ? [int32(-1)] : [int32(v.length), v])), int16(int(rng, 2)), ...(rng() < 0.5 ? [int16(int(rng, 2))] : []),
      ]));
    }
    case 3:
      return typed('D', Buffer.concat([Buffer.from(pick(rng, ['S', 'P', 'X'])), cstring(name(rng))]));
    case 4:
      return typed('E', Buffer.concat([cstring(name(rng)), int32(pick(rng, [0, 1, 2, -1, 100]))]));
    case 5:
      return sync();
    case 6:
      return typed('H', Buffer.alloc(0));
    case 7:
      return typed('C', Buffer.concat([Buffer.from(pick(rng, ['S', 'P', 'Q'])), cstring(name(rng))]));
    case 8:
      return typed('d', randomBytes(rng, 40));
    case 9:
      return typed(pick(rng, ['c', 'f']), rng() < 0.5 ? Buffer.alloc(0) : cstring(randomText(rng, 20)));
    case 10:
      return typed('F', Buffer.concat([int32(int(rng, 5000)), int16(0), int16(0), int16(0)]));
    case 11:
      return typed('p', cstring(randomText(rng, 20)));
    default:
      return rng() < 0.05 ? typed('X', Buffer.alloc(0)) : query(sqlOf(rng));
  }
}

/** A message broken in one way: the length lies, the body is cut or flipped, the type is random. */
export function mutatedMessage(rng: Rng, maxMessageBytes: number): Buffer {
  const message = validMessage(rng);
  const body = message.subarray(5);
  switch (int(rng, 7)) {
    case 0:
      return typed(String.fromCharCode(message[0]!), body, body.length + 4 + pick(rng, [-4, -3, -1, 1, 2, 7, 100]));
    case 1:
      return typed(String.fromCharCode(message[0]!), body, pick(rng, [0, 1, 3, -1, -100, 0x7fffffff, 0x40000000, int(rng, 2 ** 31)]));
    case 2:
      return message.subarray(0, 5 + int(rng, body.length + 1));
    case 3: {
      const flipped = Buffer.from(message);
      for (let i = 0; i < 1 + int(rng, 3) && flipped.length > 5; i++) flipped[5 + int(rng, flipped.length - 5)] = int(rng, 256);
      return flipped;
    }
    case 4:
      return typed(String.fromCharCode(int(rng, 256)), randomBytes(rng, 30));
    case 5:
      // Counts that promise more than the body holds.
      return typed(pick(rng, ['P', 'B']), Buffer.concat([cstring(''), cstring(pick(rng, ['', 'SELECT $1'])), int16(pick(rng, [-1, 5, 0x7fff])), int32(int(rng, 100))]));
    default:
      // Over the limit, sent whole: the server drops it as it streams in and answers with an error.
      return typed(pick(rng, ['Q', 'B', 'D', 'S']), Buffer.alloc(maxMessageBytes + int(rng, 4096), 0x20));
  }
}

/** A packet of the startup phase: real, refused or broken. */
export function startupPacket(rng: Rng): Buffer {
  switch (int(rng, 10)) {
    case 0:
      return untyped(SSL_REQUEST, Buffer.alloc(0));
    case 1:
      return untyped(GSSENC_REQUEST, Buffer.alloc(0));
    case 2:
      return untyped(CANCEL_REQUEST, Buffer.concat([int32(1000 + int(rng, 50)), int32(int(rng, 2 ** 31))]));
    case 3:
      return untyped(pick(rng, [0, 1, 131072, 196609, -1]), Buffer.concat([cstring('user'), cstring('x'), Buffer.alloc(1)]));
    case 4:
      return startup(rng() < 0.5 ? { database: 'eddy' } : { user: '' });
    case 5:
      return untyped(PROTOCOL_3, Buffer.from('user\0fuzz'));
    case 6: {
      const real = startup();
      return Buffer.concat([int32(pick(rng, [0, 4, 7, 10_001, 60 * 1024 * 1024, -1, real.length + 3])), real.subarray(4)]);
    }
    case 7:
      return randomBytes(rng, 24);
    case 8:
      return startup({ user: randomText(rng, 20) || 'u', database: randomText(rng, 20), application_name: randomText(rng, 30), options: '-c x=1' });
    default:
      return startup();
  }
}

export type Expectation = 'close' | 'wait-auth' | 'wait' | 'answer' | 'maybe';

export interface FrameLimits {
  readonly startup: number;
  /** Query, Parse, Bind, CopyData, FunctionCall. */
  readonly large: number;
  /** Every other message type. */
  readonly small: number;
}

const LARGE_TYPES = new Set(['Q', 'P', 'B', 'd', 'F']);

/**
 * What the server must do with `stream`, framed as it frames bytes: 'close' (a packet it refuses
 * or Terminate), 'wait-auth' (the stream ends before a session started: the authentication timeout
 * closes it), 'wait' (a session's stream ends inside a message it was promised), 'answer' (the
 * Sync, ROLLBACK and probe query at the `tail` offsets arrive as whole messages of a session), or
 * 'maybe' (the probe arrives whole but the Sync or ROLLBACK before it were swallowed by a message
 * that lied about its length: whether the probe runs depends on the session's state).
 */
export function expectationOf(stream: Buffer, tail: readonly number[], limits: FrameLimits): Expectation {
  const maxStartupBytes = limits.startup;
  let at = 0;
  for (;;) {
    if (stream.length - at < 4) return 'wait-auth';
    const length = stream.readInt32BE(at);
    if (length < 8 || length > maxStartupBytes) return 'close';
    if (stream.length - at < length) return 'wait-auth';
    const code = stream.readInt32BE(at + 4);
    const body = stream.subarray(at + 8, at + length);
    at += length;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) continue;
    if (code !== PROTOCOL_3 || !startupAccepted(body)) return 'close';
    break;
  }
  const starts = new Set<number>();
  while (at < stream.length) {
    if (stream.length - at < 5) return 'wait';
    const length = stream.readInt32BE(at + 1);
    if (length < 4 || length > 0x3fffffff) return 'close';
    const type = String.fromCharCode(stream[at]!);
    // Over its limit a message is dropped unread, whatever its type says (an oversized Terminate too).
    const oversized = length > (LARGE_TYPES.has(type) ? limits.large : Math.min(limits.small, limits.large));
    if (!oversized && type === 'X') return 'close';
    if (stream.length - at < length + 1) return 'wait';
    starts.add(at);
    at += length + 1;
  }
  const probe = tail[tail.length - 1];
  if (probe === undefined || !starts.has(probe)) return 'wait';
  return tail.every((offset) => starts.has(offset)) ? 'answer' : 'maybe';
}

/** Whether the server takes these startup parameters: NUL-terminated pairs with a non-empty user. */
function startupAccepted(body: Buffer): boolean {
  const params = new Map<string, string>();
  let at = 0;
  while (body.length - at > 1) {
    const keyEnd = body.indexOf(0, at);
    if (keyEnd < 0) return false;
    const valueEnd = body.indexOf(0, keyEnd + 1);
    if (valueEnd < 0) return false;
    params.set(body.toString('utf8', at, keyEnd), body.toString('utf8', keyEnd + 1, valueEnd));
    at = valueEnd + 1;
  }
  return (params.get('user') ?? '') !== '';
}
