/**
 * Pull-query results from a real server (`eddy serve` in a child process): a 20M-row SELECT over the
 * PostgreSQL wire and over HTTP (time, rows/s and the server's peak RSS, against DuckDB reading the
 * same rows in-process), a 3,000-column SELECT (the time a wide result takes to describe and send),
 * and how soon a cancel stops a query that would run for minutes.
 *
 *   npm run build && node dist/bench/pull-results.js [rows=20000000]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { CountingPgClient } from './support/counting-pg-client.js';

const rows = Number(process.argv[2] ?? 20_000_000);
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-pull-'));
const child = spawn(process.execPath, [CLI, 'serve', '--data-dir', join(dir, 'data'), '--pg-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', (d: Buffer) => (out += d.toString()));
child.stderr.on('data', (d: Buffer) => (out += d.toString()));
const peakRssMb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
try {
  for (let i = 0; i < 400 && !/Press Ctrl-C/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const pgPort = Number(/psql -h \S+ -p (\d+)/.exec(out)?.[1]);
  const httpUrl = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  if (!pgPort || !httpUrl) throw new Error(`eddy serve did not start: ${out}`);
  const query = `SELECT range AS a, range * 2 AS b FROM range(${rows})`;
  const idle = peakRssMb();

  const duck = await DuckDBInstance.create(':memory:');
  const conn = await duck.connect();
  let t0 = performance.now();
  const result = await conn.stream(query);
  let counted = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) counted += chunk.getRows().length;
  const duckS = (performance.now() - t0) / 1000;
  duck.closeSync();

  const pg = await CountingPgClient.connect(pgPort);
  t0 = performance.now();
  const wire = await pg.query(query);
  const wireS = (performance.now() - t0) / 1000;
  const afterWire = peakRssMb();

  t0 = performance.now();
  const res = await fetch(`${httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: query }) });
  let bytes = 0;
  for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
  const httpS = (performance.now() - t0) / 1000;
  const afterHttp = peakRssMb();

  const wide = `SELECT ${Array.from({ length: 3000 }, (_, i) => `${i} AS c${i}`).join(', ')}`;
  t0 = performance.now();
  await pg.query(wide);
  const widePgMs = performance.now() - t0;
  t0 = performance.now();
  await (await fetch(`${httpUrl}/v1/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: wide }) })).text();
  const wideHttpMs = performance.now() - t0;

  // a cancel: the backend key comes in the startup answer, which CountingPgClient does not keep, so
  // the query runs on a second connection whose key this process reads itself
  const cancelMs = await timeCancel(pgPort);
  pg.close();

  console.log(`rows: ${rows} (two BIGINT columns); server RSS idle ${idle.toFixed(0)} MB`);
  console.log(`DuckDB in-process, streamed: ${duckS.toFixed(2)} s (${(counted / duckS / 1e6).toFixed(2)} M rows/s)`);
  console.log(`pg wire: ${wire.rows} rows in ${wireS.toFixed(2)} s (${(wire.rows / wireS / 1e6).toFixed(2)} M rows/s, ${(wireS / duckS).toFixed(1)}x DuckDB), server peak RSS ${afterWire.toFixed(0)} MB`);
  console.log(`HTTP JSON: ${(bytes / 1e6).toFixed(0)} MB in ${httpS.toFixed(2)} s (${(rows / httpS / 1e6).toFixed(2)} M rows/s), server peak RSS ${afterHttp.toFixed(0)} MB`);
  console.log(`3,000-column SELECT: pg wire ${widePgMs.toFixed(0)} ms, HTTP ${wideHttpMs.toFixed(0)} ms`);
  console.log(`cancel of a query that would run for minutes: error after ${cancelMs.toFixed(0)} ms`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

/** Starts an endless query, sends a CancelRequest, and measures until its error arrives. */
async function timeCancel(port: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  let buffer = Buffer.alloc(0);
  let key: { pid: number; secret: number } | null = null;
  let errored: (() => void) | null = null;
  let ready: (() => void) | null = null;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 5 && buffer.length >= buffer.readInt32BE(1) + 1) {
      const type = String.fromCharCode(buffer[0]!);
      const body = buffer.subarray(5, buffer.readInt32BE(1) + 1);
      buffer = buffer.subarray(buffer.readInt32BE(1) + 1);
      if (type === 'K') key = { pid: body.readInt32BE(0), secret: body.readInt32BE(4) };
      if (type === 'Z') ready?.();
      if (type === 'E') errored?.();
    }
  });
  const params = Buffer.from('user\0bench\0database\0eddy\0\0');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  await new Promise<void>((r) => {
    ready = r;
    socket.write(Buffer.concat([startup, params]));
  });
  const text = Buffer.from('SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3\0');
  const q = Buffer.alloc(5);
  q.write('Q', 0);
  q.writeInt32BE(4 + text.length, 1);
  const failed = new Promise<void>((r) => (errored = r));
  socket.write(Buffer.concat([q, text]));
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  const cancel = net.connect(port, '127.0.0.1');
  await new Promise((r) => cancel.once('connect', r));
  const request = Buffer.alloc(16);
  request.writeInt32BE(16, 0);
  request.writeInt32BE(80877102, 4);
  request.writeInt32BE(key!.pid, 8);
  request.writeInt32BE(key!.secret, 12);
  cancel.end(request);
  await failed;
  const ms = performance.now() - t0;
  socket.destroy();
  return ms;
}
