/**
 * Fuzzes `eddy serve` (a child process) with random and mutated frontend messages: startup packets,
 * every message type, lying lengths, cut bodies, bad counts, random bytes, oversized messages.
 * Each connection must end as the framing model says (closed, waiting for promised bytes, or its
 * probe query answered), no error may be an internal one (XX000), the process must not exit, and a
 * normal client must still work. Replay a failure with EDDY_FUZZ_SEED=<seed> (and EDDY_FUZZ_CASES).
 */
import * as net from 'node:net';
import pg from 'pg';
import t from 'tap';
import { serveChild } from '../support/serve-child.js';
import { expectationOf, int, mutatedMessage, pick, query, randomBytes, rngOf, startup, startupPacket, sync, typed, validMessage, type Expectation, type Rng } from '../support/wire-fuzz-messages.js';

const SEED = Number(process.env.EDDY_FUZZ_SEED ?? 14_006);
const CASES = Number(process.env.EDDY_FUZZ_CASES ?? 2400);
const PARALLEL = 16;
const MAX_MESSAGE = 64 * 1024;
const LIMITS = { startup: 10_000, large: MAX_MESSAGE, small: 10_000 };
const AUTH_TIMEOUT_S = 2;
const SASL_CASES = 240;

interface Case {
  readonly index: number;
  readonly stream: Buffer;
  readonly expect: Expectation;
  readonly marker: string;
  /** Where to cut the stream into separate writes. */
  readonly cuts: readonly number[];
  /** Kept open until the authentication timeout must have closed it. */
  readonly patient: boolean;
}

function makeCase(index: number, rng: Rng): Case {
  const parts: Buffer[] = [];
  if (rng() < 0.08) {
    // A client that stops in the middle of its startup: only the authentication timeout ends it.
    if (rng() < 0.5) parts.push(startupPacket(rng));
    const real = startup();
    parts.push(real.subarray(0, int(rng, real.length)));
    const stream = Buffer.concat(parts);
    const expect = expectationOf(stream, [], LIMITS);
    return { index, stream, expect, marker: `probe-${index}`, cuts: [], patient: expect === 'wait-auth' && index % 8 === 0 };
  }
  if (rng() < 0.25) for (let i = 0, n = 1 + int(rng, 3); i < n; i++) parts.push(startupPacket(rng));
  else parts.push(startup());
  for (let i = 0, n = int(rng, 9); i < n; i++) parts.push(rng() < 0.5 ? validMessage(rng) : mutatedMessage(rng, MAX_MESSAGE));
  const marker = `probe-${index}`;
  const tail: number[] = [];
  for (const message of [sync(), query('ROLLBACK'), query(`SELECT '${marker}' AS probe`)]) {
    tail.push(parts.reduce((n, p) => n + p.length, 0));
    parts.push(message);
  }
  const stream = Buffer.concat(parts);
  const cuts = Array.from({ length: int(rng, 4) }, () => int(rng, stream.length)).sort((a, b) => a - b);
  const expect = expectationOf(stream, tail, LIMITS);
  return { index, stream, expect, marker, cuts, patient: expect === 'wait-auth' && index % 8 === 0 };
}

interface Outcome {
  readonly closed: boolean;
  readonly answered: boolean;
  readonly sqlstates: readonly string[];
}

/** Reads backend messages as they come: the one-byte answers to SSL/GSS requests, then typed messages. */
function runCase(port: number, c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let authenticated = false;
    let sawProbe = false;
    let answered = false;
    const sqlstates: string[] = [];
    let quiet: NodeJS.Timeout | undefined;
    const waitMs = c.patient ? (AUTH_TIMEOUT_S + 5) * 1000 : c.expect === 'answer' || c.expect === 'close' ? 15_000 : 300;
    const finish = (closed: boolean): void => {
      clearTimeout(quiet);
      socket.destroy();
      resolve({ closed, answered, sqlstates });
    };
    const arm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(false), waitMs);
    };
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!authenticated && buffer[0] === 0x4e /* N */) {
          buffer = buffer.subarray(1);
          continue;
        }
        if (buffer.length < 5) break;
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) break;
        const type = String.fromCharCode(buffer[0]!);
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === 'R') authenticated = true;
        if (type === 'E') sqlstates.push(errorField(body, 'C'));
        if (type === 'D' && body.includes(Buffer.from(c.marker))) sawProbe = true;
        if (type === 'Z' && sawProbe) answered = true;
      }
      if (answered) finish(false);
    });
    socket.on('connect', async () => {
      arm();
      let from = 0;
      for (const cut of [...c.cuts, c.stream.length]) {
        if (socket.destroyed) return;
        socket.write(c.stream.subarray(from, cut));
        from = cut;
        await new Promise((r) => setImmediate(r));
      }
      arm();
    });
  });
}



/** Whether the connection ended as the framing model says a correct server ends it. */
function asExpected(c: Case, got: 'answered' | 'closed' | 'waited'): boolean {
  switch (c.expect) {
    case 'answer':
      return got === 'answered';
    case 'close':
      return got === 'closed';
    case 'wait-auth':
      return c.patient ? got === 'closed' : got !== 'answered';
    case 'wait':
      return got !== 'answered';
    case 'maybe':
      return got !== 'closed';
  }
}

function errorField(body: Buffer, field: string): string {
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const end = body.indexOf(0, at + 1);
    if (body[at] === field.charCodeAt(0)) return body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return '';
}

/** Runs `fn` over the items, PARALLEL at a time. */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function normalClientWorks(port: number): Promise<boolean> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'normal', database: 'eddy', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query('SELECT 41 + 1 AS x')).rows[0]?.x === 42;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

t.test(`${CASES} fuzzed frontend streams (seed ${SEED}): no crash, no hang, no internal error`, async (t) => {
  const server = await serveChild(t, ['--pg-max-message-bytes', String(MAX_MESSAGE), '--pg-auth-timeout', String(AUTH_TIMEOUT_S), '--pg-max-connections', '64'], 'CREATE TABLE t (a INTEGER);');
  const rng = rngOf(SEED);
  const cases = Array.from({ length: CASES }, (_, i) => makeCase(i, rng));
  const counts: Record<string, number> = {};
  const sqlstates = new Set<string>();
  const failures: string[] = [];
  const started = Date.now();
  await inParallel(cases, async (c) => {
    if (failures.length >= 5) return;
    const outcome = await runCase(server.pgPort, c);
    outcome.sqlstates.forEach((s) => sqlstates.add(s));
    const got = outcome.answered ? 'answered' : outcome.closed ? 'closed' : 'waited';
    counts[`${c.expect}->${got}`] = (counts[`${c.expect}->${got}`] ?? 0) + 1;
    const internal = outcome.sqlstates.filter((s) => s.startsWith('XX'));
    if (!asExpected(c, got) || internal.length > 0) failures.push(`case ${c.index} (seed ${SEED}): expected ${c.expect}, got ${got}, sqlstates ${outcome.sqlstates.join(',')}; stream ${c.stream.subarray(0, 120).toString('hex')}`);
    if (!server.alive()) failures.push(`the server exited at case ${c.index} (seed ${SEED}): ${server.stderr().slice(-2000)}`);
  });
  t.comment(`seed ${SEED}: ${JSON.stringify(counts)} in ${((Date.now() - started) / 1000).toFixed(1)} s; SQLSTATEs seen: ${[...sqlstates].sort().join(' ')}`);
  t.same(failures, [], `seed ${SEED}`);
  t.ok(server.alive(), `the server process is running (seed ${SEED})`);
  t.ok(await normalClientWorks(server.pgPort), `a normal client still works (seed ${SEED})`);
  t.ok((counts['answer->answered'] ?? 0) > CASES / 4, 'most sessions reach their probe');
  for (const kind of ['close', 'wait-auth', 'wait', 'answer']) t.ok(Object.keys(counts).some((k) => k.startsWith(`${kind}->`)), `streams that must ${kind} are exercised`);
});

t.test(`${SASL_CASES} fuzzed SCRAM exchanges (seed ${SEED}): refused or timed out, never a session`, async (t) => {
  const dir = t.testdir({ users: 'ann:s3cret\n' });
  const server = await serveChild(t, ['--pg-users', `${dir}/users`, '--pg-auth-timeout', String(AUTH_TIMEOUT_S)]);
  const rng = rngOf(SEED + 1);
  const counts: Record<string, number> = {};
  const failures: string[] = [];
  const cases = Array.from({ length: SASL_CASES }, (_, index): Case => {
    const parts = [startup({ user: pick(rng, ['ann', 'eve', 'ann']), database: 'eddy' })];
    for (let i = 0, n = 1 + int(rng, 3); i < n; i++) parts.push(saslMessage(rng));
    const marker = `probe-${index}`;
    parts.push(query(`SELECT '${marker}'`));
    return { index, stream: Buffer.concat(parts), expect: 'wait-auth', marker, cuts: [], patient: false };
  });
  await inParallel(cases, async (c) => {
    const outcome = await runCase(server.pgPort, c);
    const got = outcome.answered ? 'answered' : outcome.closed ? 'closed' : 'waited';
    counts[got] = (counts[got] ?? 0) + 1;
    if (got === 'answered' || outcome.sqlstates.some((s) => s.startsWith('XX'))) failures.push(`case ${c.index} (seed ${SEED}): ${got} ${outcome.sqlstates.join(',')} ${c.stream.toString('hex').slice(0, 200)}`);
  });
  t.comment(`SCRAM, seed ${SEED}: ${JSON.stringify(counts)}`);
  t.same(failures, []);
  t.ok(server.alive(), 'the server process is running');
  const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'ann', password: 's3cret', database: 'eddy' });
  await client.connect();
  t.same((await client.query('SELECT 1 AS x')).rows, [{ x: 1 }], 'a client with the password still connects');
  await client.end();
});

/** A password message as a SCRAM client would send it, or broken: wrong mechanism, lying lengths, random proof. */
function saslMessage(rng: Rng): Buffer {
  const text = (s: string): Buffer => Buffer.from(s, 'utf8');
  const cstr = (s: string): Buffer => Buffer.concat([text(s), Buffer.alloc(1)]);
  const len = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const first = `n,,n=,r=${'x'.repeat(int(rng, 30))}`;
  switch (int(rng, 6)) {
    case 0:
      return typed('p', Buffer.concat([cstr('SCRAM-SHA-256'), len(first.length), text(first)]));
    case 1:
      return typed('p', Buffer.concat([cstr(pick(rng, ['PLAIN', 'SCRAM-SHA-256-PLUS', ''])), len(4), text('abcd')]));
    case 2:
      return typed('p', Buffer.concat([cstr('SCRAM-SHA-256'), len(pick(rng, [-5, 1 << 30, 1000])), text(first)]));
    case 3:
      return typed('p', text(`c=biws,r=${'y'.repeat(int(rng, 40))},p=${Buffer.from(randomBytes(rng, 32)).toString('base64')}`));
    case 4:
      return typed(pick(rng, ['p', 'Q', 'X', 'S']), randomBytes(rng, 40));
    default:
      return typed('p', randomBytes(rng, 60), int(rng, 70_000));
  }
}

// Two quick checks the fuzzer relies on, so that a model error shows as such.
t.test('the framing model', async (t) => {
  const tail = (parts: Buffer[]): number[] => [parts.slice(0, -1).reduce((n, p) => n + p.length, 0)];
  const answered = [startup(), query('SELECT 1')];
  t.equal(expectationOf(Buffer.concat(answered), tail(answered), LIMITS), 'answer');
  const cut = Buffer.concat(answered).subarray(0, -2);
  t.equal(expectationOf(cut, tail(answered), LIMITS), 'wait');
  t.equal(expectationOf(Buffer.from([0, 0, 0, 3]), [], LIMITS), 'close');
  const rng = rngOf(1);
  t.ok(['close', 'wait-auth', 'wait'].includes(expectationOf(pick(rng, [startupPacket(rng)]), [], LIMITS)));
});
