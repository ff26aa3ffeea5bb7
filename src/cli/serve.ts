/**
 * `eddy serve`: opens the data directory, runs --init on an empty one, then keeps every query running
 * and prints a one-line status per query every few seconds until SIGINT or SIGTERM.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quoteIdent } from '../duck/index.js';
import { Engine } from '../engine/index.js';
import { PgServer, readUsersFile, type WireLimits } from '../server/pgwire/index.js';
import { startHttpServer, type HttpLimits, type HttpServer } from '../server/http/server.js';
import { asEddyError } from '../util/errors.js';
import { log } from '../util/log.js';
import type { CliIo } from './io.js';
import { executeScript } from './run.js';
import type { EngineTuning } from './tuning-env.js';

export interface ServeOptions {
  readonly dataDir: string;
  readonly pgPort: number;
  /** A users file (name:password lines): SCRAM-SHA-256 for psql clients; none means any user connects. */
  readonly pgUsersFile?: string | undefined;
  /** PEM certificate and key: psql clients may then connect over TLS. */
  readonly pgTlsCert?: string | undefined;
  readonly pgTlsKey?: string | undefined;
  /** 0 picks a free port (tests); the address is printed. */
  readonly httpPort: number;
  /** The interface the HTTP server listens on (default 127.0.0.1). */
  readonly httpHost?: string | undefined;
  /** Bearer tokens for HTTP and websockets; none configured means no authentication. */
  readonly tokens?: readonly string[];
  /**
   * File sources, sinks and DuckDB's file functions may only use paths under these directories; none
   * (the default for a server, whose clients come over the network) allows no file at all.
   */
  readonly fileRoots?: readonly string[];
  readonly init: string | undefined;
  readonly statusIntervalMs: number;
  /** PostgreSQL wire limits (connections, packet sizes, authentication timeout); defaults for the rest. */
  readonly pgLimits?: Partial<WireLimits>;
  /** HTTP body sizes and JSON depth; defaults for the rest. */
  readonly httpLimits?: Partial<HttpLimits>;
  /** The engine's knobs (EDDY_* variables, tuning-env.ts); defaults when absent. */
  readonly tuning?: EngineTuning;
}

/** Runs until `stop` is aborted; returns the exit code. */
export async function serve(options: ServeOptions, io: CliIo, stop: AbortSignal): Promise<number> {
  const dataDir = path.resolve(options.dataDir);
  const empty = isEmptyDirectory(dataDir);
  let engine: Engine | undefined;
  let pg: PgServer | undefined;
  let http: HttpServer | undefined;
  // A server's clients outlive any one of their statements: a promise rejected in some background
  // path (a bug) is reported, and the server keeps serving instead of exiting.
  const unhandled = (reason: unknown): void => {
    log.error({ err: reason instanceof Error ? reason.stack : String(reason) }, 'unhandled rejection');
    io.err(`ERROR: internal: ${asEddyError(reason).message} (the server goes on)\n`);
  };
  process.on('unhandledRejection', unhandled);
  try {
    engine = await Engine.open({ ...options.tuning, dataDir, fileRoots: options.fileRoots ?? [] });
    for (const warning of engine.warnings) io.err(`WARNING: ${warning}\n`);
    if (options.init !== undefined) {
      if (empty) {
        io.out(`Running ${options.init} on the new data directory ${dataDir}\n`);
        await executeScript(engine, fs.readFileSync(options.init, 'utf8'), 'table', io, { drainBeforeReads: false });
      } else io.out(`Data directory ${dataDir} is not empty: resuming what it holds, ${options.init} not run\n`);
    }
    http = await startHttpServer(engine, { host: options.httpHost ?? '127.0.0.1', port: options.httpPort, tokens: options.tokens ?? [], limits: options.httpLimits ?? {} });
    io.out(`HTTP and websockets listening on ${http.url}${(options.tokens ?? []).length > 0 ? ' (bearer tokens required)' : ''}\n`);
    pg = await PgServer.start(engine, {
      port: options.pgPort,
      users: options.pgUsersFile ? readUsersFile(options.pgUsersFile) : null,
      tls: options.pgTlsCert && options.pgTlsKey ? { certFile: options.pgTlsCert, keyFile: options.pgTlsKey } : null,
      limits: options.pgLimits ?? {},
    });
    io.out(`PostgreSQL clients: psql -h ${pg.host} -p ${pg.port}${options.pgUsersFile ? ' -U <user>' : ''} (listening on ${pg.host}:${pg.port}${options.pgTlsCert ? ', TLS available' : ''})\n`);
    io.out(
      `Eddy is serving ${dataDir} with ${engine.queries().length} continuous ${engine.queries().length === 1 ? 'query' : 'queries'}.\n` +
        'Press Ctrl-C to stop.\n',
    );
    await reportUntil(engine, options.statusIntervalMs, io, stop);
    io.out('Stopping: queries keep their state and resume on the next start.\n');
    return 0;
  } catch (e) {
    io.err(`ERROR: ${asEddyError(e).describe()}\n`);
    return 1;
  } finally {
    process.off('unhandledRejection', unhandled);
    await http?.close().catch(() => undefined);
    await pg?.close().catch(() => undefined);
    await engine?.close().catch(() => undefined);
  }
}

async function reportUntil(engine: Engine, intervalMs: number, io: CliIo, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    await sleep(intervalMs, stop);
    if (stop.aborted) return;
    // a status line is never worth the server: whatever goes wrong here is reported and the loop goes on
    try {
      for (const line of await statusLines(engine)) io.out(`${line}\n`);
    } catch (e) {
      io.err(`WARNING: status line: ${asEddyError(e).message}\n`);
    }
  }
}

/**
 * One line per query: status, last batch, rows read and the first rows of a materialized view. A
 * query dropped while the lines are made (by any client) is left out.
 */
export async function statusLines(engine: Engine): Promise<string[]> {
  const time = new Date().toISOString().slice(11, 19);
  const lines: string[] = [];
  for (const q of engine.queries()) {
    let line: string;
    try {
      const rowsIn = engine.progress(q.name).reduce((sum, p) => sum + p.numInputRows, 0);
      line = `[${time}] ${q.name}: ${q.status}, batch ${q.lastBatch ?? '-'}, ${rowsIn} rows in`;
    } catch {
      continue;
    }
    if (q.error) line += `, error: ${q.error}`;
    else if (q.kind === 'materialized_view') line += ` | ${await sampleRows(engine, q.name)}`;
    lines.push(line);
  }
  return lines;
}

async function sampleRows(engine: Engine, name: string): Promise<string> {
  try {
    const [result] = await engine.execute(`SELECT * FROM ${quoteIdent(name)} LIMIT 3`);
    if (!result || result.rows.length === 0) return '(no rows yet)';
    const header = result.columns.map((c) => c.name).join(', ');
    return `${header}: ${result.rows.map((r) => `(${r.map((v) => (v === null ? 'NULL' : String(v))).join(', ')})`).join(' ')}`;
  } catch (e) {
    return `(cannot read: ${(e as Error).message})`;
  }
}

function isEmptyDirectory(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
