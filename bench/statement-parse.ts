/**
 * What a large statement costs everyone else: the parse time per MB (the envelope grammar, then
 * node-sql-parser for query bodies), and, over the PostgreSQL wire, how long the server's event loop
 * stops while one client's big statement arrives, is parsed and runs, seen by a timer in the server
 * process that ticks every 5 ms, and by a second session that runs a one-row INSERT every 10 ms.
 *
 *   npm run build && node dist/bench/statement-parse.js [megabytes=1,4]
 *
 * Two statement shapes: a multi-row INSERT ... VALUES (the envelope grammar only; its body goes to
 * DuckDB as text) and a SELECT with a long IN list (a pull query, also parsed by node-sql-parser).
 * The big statement is sent from a child process, so that building and sending it does not count.
 * The one-row INSERTs also wait while DuckDB runs the big statement (the engine runs statements one
 * at a time): their maximum is the parse's blocking only where it exceeds DuckDB's run time.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Engine } from '../src/engine/index.js';
import { engineTuningFromEnv } from '../src/cli/tuning-env.js';
import { PgServer } from '../src/server/pgwire/index.js';

const sizes = (process.argv[2] ?? '1,4').split(',').map(Number);

function insertOf(bytes: number): string {
  const rows: string[] = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    const row = `(${i}, 'name-${i}', ${i * 1.5})`;
    rows.push(row);
    n += row.length + 2;
  }
  return `INSERT INTO big VALUES ${rows.join(', ')}`;
}

function selectOf(bytes: number): string {
  const values: string[] = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    values.push(String(1_000_000 + i));
    n += 9;
  }
  return `SELECT count(*) AS n FROM big WHERE a IN (${values.join(',')})`;
}

/** The child process builds the same statement from the generator's source. */
const SHAPES = { 'INSERT VALUES': insertOf, 'SELECT IN list': selectOf } as const;

function sendFromChild(port: number, make: (bytes: number) => string, bytes: number): Promise<number> {
  const code = `import pg from 'pg';
    const sql = (${make.toString()})(${bytes});
    const c = new pg.Client({ host: '127.0.0.1', port: ${port}, user: 'bench', database: 'eddy' });
    await c.connect();
    const t0 = performance.now();
    await c.query(sql);
    console.log(performance.now() - t0);
    await c.end();`;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd(), maxBuffer: 1 << 20 }, (e, out) => (e ? reject(e) : resolve(Number(out)))),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'eddy-bench-parse-'));
const engine = await Engine.open({ ...engineTuningFromEnv(), dataDir: dir });
const server = await PgServer.start(engine, { port: 0, limits: { maxMessageBytes: 256 * 1024 * 1024 } } as Parameters<typeof PgServer.start>[1]);
try {
  await engine.execute('CREATE TABLE big (a BIGINT, b VARCHAR, c DOUBLE); CREATE TABLE small (a INTEGER)');
  const other = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bench', database: 'eddy' });
  await other.connect();
  for (const [shape, make] of Object.entries(SHAPES)) {
    engine.parse(make(256 * 1024)); // JIT warm-up
    for (const mb of sizes) {
      const sql = make(mb * 1024 * 1024);
      const t0 = performance.now();
      engine.parse(sql);
      const parseMs = performance.now() - t0;

      let maxGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 5);
      let running = true;
      const latencies: number[] = [];
      const smallLoop = (async () => {
        while (running) {
          const s0 = performance.now();
          await other.query('INSERT INTO small VALUES (1)');
          latencies.push(performance.now() - s0);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      const wireMs = await sendFromChild(server.port, make, mb * 1024 * 1024);
      running = false;
      await smallLoop;
      clearInterval(ticker);
      latencies.sort((a, b) => a - b);
      console.log(
        `${shape} ${mb} MB: parse ${(parseMs / mb).toFixed(0)} ms/MB; over the wire ${wireMs.toFixed(0)} ms, ` +
          `server event loop blocked at most ${maxGap.toFixed(0)} ms; other session: ${latencies.length} one-row INSERTs, ` +
          `median ${(latencies[latencies.length >> 1] ?? 0).toFixed(1)} ms, max ${(latencies[latencies.length - 1] ?? 0).toFixed(0)} ms`,
      );
    }
  }
  await other.end();
} finally {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}
