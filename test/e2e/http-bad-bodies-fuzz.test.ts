/**
 * Fuzzes `eddy serve`'s HTTP API (a child process) with bad requests: random and malformed JSON,
 * wrong content types, bodies over the size limit and nested past the depth limit, bad NDJSON for
 * POST /v1/sources/:name/rows, odd names and query strings. Every answer must be below 500, every
 * 4xx an EddyError JSON body, and the server must keep serving. Replay with EDDY_FUZZ_SEED=<seed>.
 */
import * as net from 'node:net';
import t from 'tap';
import { serveChild } from '../support/serve-child.js';
import { int, pick, randomBytes, rngOf, type Rng } from '../support/wire-fuzz-messages.js';

const SEED = Number(process.env.EDDY_FUZZ_SEED ?? 14_011);
const CASES = Number(process.env.EDDY_FUZZ_CASES ?? 1500);
const PARALLEL = 8;
const BODY_LIMIT = 64 * 1024;
const ROWS_LIMIT = 128 * 1024;

interface Request {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | null;
  readonly body: Buffer;
}

const SQL = [
  'SELECT 1', 'SELEC 1', 'SELECT * FROM nope', "INSERT INTO s VALUES (1, 'x', NULL)", "INSERT INTO s VALUES ('a')", 'SELECT * FROM s LIMIT 2',
  'SHOW QUERIES', `SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`, `SELECT * FROM t WHERE ${Array.from({ length: 1500 }, (_, i) => `a = ${i}`).join(' OR ')}`,
  "SELECT 'unterminated", 'SELECT 1 --\r; SELECT 2', '', ';', 'DROP TABLE nope', 'SELECT $1', "SELECT 1e400::DOUBLE", 'SUBSCRIBE nope',
];

function randomText(rng: Rng, max: number): string {
  return Array.from({ length: int(rng, max) }, () => (rng() < 0.9 ? String.fromCharCode(32 + int(rng, 95)) : String.fromCodePoint(1 + int(rng, 0x2ffff)))).join('');
}

function randomJson(rng: Rng, depth = 0): unknown {
  const kind = depth > 4 ? int(rng, 5) : int(rng, 7);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, [0, -1, 1.5, 1e308, 2 ** 53 + 1, -0, 123456789012345]);
    case 3:
      return randomText(rng, 12);
    case 4:
      return pick(rng, ['', '1', 'x'.repeat(300), '2024-01-01 00:00:00', '[1,2]', '{"a":1}']);
    case 5:
      return Array.from({ length: int(rng, 4) }, () => randomJson(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: int(rng, 4) }, () => [pick(rng, ['a', 'b', 'c', 'sql', 'x', '__proto__', 'constructor', randomText(rng, 6)]), randomJson(rng, depth + 1)]));
  }
}

const deep = (n: number): string => (int(rngOf(n), 2) === 0 ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n));

/** A body that is broken in one way, or a valid one with strange content. */
function body(rng: Rng, row: boolean): string {
  switch (int(rng, 10)) {
    case 0:
      return JSON.stringify(randomJson(rng));
    case 1:
      return JSON.stringify(row ? Array.from({ length: int(rng, 4) }, () => randomJson(rng)) : { sql: pick(rng, SQL) }).slice(0, -1 - int(rng, 4));
    case 2:
      return deep(pick(rng, [65, 100, 1000, 100_000]));
    case 3:
      return 'x'.repeat((row ? ROWS_LIMIT : BODY_LIMIT) + 1 + int(rng, 1000));
    case 4:
      return randomBytes(rng, 200).toString('latin1');
    case 5:
      return row
        ? Array.from({ length: 1 + int(rng, 4) }, () => (rng() < 0.3 ? randomText(rng, 20) : JSON.stringify({ a: randomJson(rng), b: randomJson(rng), c: randomJson(rng) }))).join(pick(rng, ['\n', '\r\n', '\n\n', ' ']))
        : JSON.stringify({ sql: pick(rng, SQL), extra: randomJson(rng) });
    case 6:
      return row ? JSON.stringify([{ a: randomJson(rng), zz: 1 }]) : JSON.stringify({ sql: randomJson(rng) });
    case 7:
      return '';
    case 8:
      return row ? JSON.stringify([{ a: 1, b: deep(40), c: [deep(30)] }]) : JSON.stringify({ sql: randomText(rng, 200) });
    default:
      return row ? JSON.stringify([{ a: int(rng, 100), b: 'ok', c: 1.5 }]) : JSON.stringify({ sql: pick(rng, SQL) });
  }
}

const NAMES = ['s', 'm', 'nope', '..', '%2e%2e', '%00', 'a%2Fb', '%E2%98%83', 'x'.repeat(300), '%zz', "o'neil", '%22q%22'];
const CONTENT_TYPES = ['application/json', 'application/json', 'application/x-ndjson', 'application/jsonl', 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/octet-stream', null];
const QUERIES = ['', '?snapshot=maybe', '?snapshot=false&from_batch=-1', '?from_batch=abc', '?from_batch=1e99', '?x=1', '?token=', '?%zz=1', '?snapshot=true&snapshot=false', `?${'a=1&'.repeat(500)}`, '?from_batch=9007199254740993'];

function request(rng: Rng): Request {
  switch (int(rng, 6)) {
    case 0:
    case 1:
      return { method: 'POST', path: `/v1/sql${pick(rng, ['', '', '?x=1', '?%zz'])}`, contentType: pick(rng, CONTENT_TYPES), body: Buffer.from(body(rng, false)) };
    case 2:
    case 3:
      return { method: 'POST', path: `/v1/sources/${pick(rng, NAMES)}/rows`, contentType: pick(rng, CONTENT_TYPES), body: Buffer.from(body(rng, true)) };
    case 4:
      return { method: 'GET', path: `/v1/subscribe/${pick(rng, NAMES)}${pick(rng, QUERIES)}`, contentType: null, body: Buffer.alloc(0) };
    default:
      return {
        method: pick(rng, ['GET', 'DELETE', 'PUT', 'PATCH', 'POST']),
        path: pick(rng, [`/v1/queries/${pick(rng, NAMES)}`, '/v1/queries', `/v1/queries${pick(rng, QUERIES)}`, '/healthz?x', '/metrics?%zz', '/openapi.json?a=b', '/v1/nothing', '/v1/sql']),
        contentType: rng() < 0.5 ? null : pick(rng, CONTENT_TYPES),
        body: rng() < 0.5 ? Buffer.alloc(0) : Buffer.from(body(rng, false)),
      };
  }
}

interface Response {
  readonly status: number;
  readonly body: string;
}

/** One request over a raw socket (so that odd paths and content types go out as written); a stream is cut after its first bytes. */
function send(port: number, r: Request): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in 20 s to ${r.method} ${r.path.slice(0, 80)}`));
    }, 20_000);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const split = text.indexOf('\r\n\r\n');
      const chunked = /transfer-encoding: chunked/i.test(text.slice(0, split));
      const raw = split < 0 ? '' : text.slice(split + 4);
      resolve({ status, body: chunked ? raw.replace(/^[0-9a-f]+\r\n/, '').replace(/\r\n0\r\n\r\n$/, '').replace(/\r\n[0-9a-f]+\r\n/g, '') : raw });
    };
    socket.on('error', () => done());
    socket.on('end', () => done());
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      // A subscription streams until the client leaves: its status line and first lines are enough.
      if (/^HTTP\/1\.1 200/.test(data.toString('latin1', 0, 12)) && r.path.startsWith('/v1/subscribe/') && data.includes('\n{')) done();
    });
    socket.on('connect', () => {
      const headers = [`${r.method} ${r.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
      if (r.contentType !== null) headers.push(`Content-Type: ${r.contentType}`);
      if (r.body.length > 0 || r.method === 'POST') headers.push(`Content-Length: ${r.body.length}`);
      socket.write(Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), r.body]));
    });
  });
}

/** Why the answer is not a clean one, or null. */
function problem(response: Response): string | null {
  if (response.status === 0) return 'no HTTP status';
  if (response.status >= 500) return `status ${response.status}: ${response.body.slice(0, 300)}`;
  if (response.status < 400) return null;
  try {
    const error = (JSON.parse(response.body) as { error?: { code?: unknown; sqlstate?: unknown; message?: unknown } }).error;
    if (typeof error?.code !== 'string' || typeof error.sqlstate !== 'string' || !/^[0-9A-Z]{5}$/.test(error.sqlstate) || typeof error.message !== 'string') return `status ${response.status} without an error body: ${response.body.slice(0, 300)}`;
    return null;
  } catch {
    return `status ${response.status} with a body that is not JSON: ${response.body.slice(0, 300)}`;
  }
}

t.test(`${CASES} bad HTTP requests (seed ${SEED}): clean 4xx errors, never a 500, and the server keeps serving`, async (t) => {
  const server = await serveChild(t, ['--http-max-body-bytes', String(BODY_LIMIT), '--http-max-rows-body-bytes', String(ROWS_LIMIT)],
    "CREATE SOURCE s (a BIGINT, b VARCHAR, c DOUBLE); CREATE TABLE t (a BIGINT); CREATE MATERIALIZED VIEW m AS SELECT a, count(*) AS n FROM s GROUP BY a; INSERT INTO s VALUES (1, 'x', 1.5);");
  const port = Number(new URL(server.httpUrl).port);
  const rng = rngOf(SEED);
  const requests = Array.from({ length: CASES }, () => request(rng));
  const failures: string[] = [];
  const statuses: Record<number, number> = {};
  const codes = new Set<string>();
  let next = 0;
  const started = Date.now();
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next < requests.length && failures.length < 5) {
      const index = next++;
      const r = requests[index]!;
      const response = await send(port, r).catch((e: Error) => ({ status: 0, body: e.message }));
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status >= 400) codes.add(/"code":"(\w+)"/.exec(response.body)?.[1] ?? '?');
      const why = problem(response);
      if (why) failures.push(`case ${index} (seed ${SEED}) ${r.method} ${r.path.slice(0, 100)} [${r.contentType}] ${r.body.subarray(0, 120).toString('latin1')}: ${why}`);
      if (!server.alive()) failures.push(`the server exited at case ${index} (seed ${SEED}): ${server.stderr().slice(-2000)}`);
    }
  }));
  t.comment(`seed ${SEED}: statuses ${JSON.stringify(statuses)} in ${((Date.now() - started) / 1000).toFixed(1)} s; error codes: ${[...codes].sort().join(' ')}`);
  t.same(failures, [], `seed ${SEED}`);
  t.ok(server.alive(), 'the server process is running');
  const health = await fetch(`${server.httpUrl}/healthz`);
  t.equal(health.status, 200, 'it keeps serving');
  const answer = await fetch(`${server.httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM t' }) });
  t.equal(answer.status, 200);
  t.ok(Object.keys(statuses).some((s) => s.startsWith('2')) && Object.keys(statuses).some((s) => s.startsWith('4')), 'both accepted and refused requests were made');
});
