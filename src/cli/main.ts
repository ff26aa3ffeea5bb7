#!/usr/bin/env node
/**
 * The `eddy` command (DESIGN.md §5): `eddy run FILE.sql`, `eddy serve`, `eddy --help`, `eddy --version`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processIo, type CliIo } from './io.js';
import { parseFormat, runScript } from './run.js';
import { bench } from './bench.js';
import { serve } from './serve.js';
import { engineTuningFromEnv, type EngineTuning } from './tuning-env.js';

const HELP = `eddy: a SQL-first streaming database

Usage:
  eddy run FILE.sql [--data-dir D] [--format table|json|csv]
      Executes the statements of FILE.sql in order. Before each SELECT and SHOW, and before exiting,
      every continuous query processes all data available at that moment. Without --data-dir a fresh
      temporary data directory is used and removed afterwards.
  eddy serve [--data-dir D] [--pg-port 5433] [--http-port 8080] [--http-host 127.0.0.1] [--init FILE.sql]
             [--token T]... [--file-root DIR]...
      Keeps the queries of data directory D (default ./eddy-data) running. --init runs FILE.sql
      only when D is empty; later starts resume what D holds. --http-port 0 picks a free port.
      --token (or EDDY_TOKENS=t1,t2) requires "Authorization: Bearer T" on HTTP and websockets;
      --file-root confines the paths of file sources and sinks to the given directories.
      --pg-port 0 picks a free port. --pg-users FILE (lines name:password) requires SCRAM-SHA-256
      passwords from psql clients; --pg-tls-cert CERT.pem --pg-tls-key KEY.pem offers them TLS.
      Limits (defaults as PostgreSQL's): --pg-max-connections 100, --pg-auth-timeout 60 (seconds from
      connecting to being authenticated), --pg-max-startup-packet-bytes 10000,
      --pg-max-auth-message-bytes 65535, --pg-max-message-bytes 16777216 (a statement's size);
      HTTP: --http-max-body-bytes 1048576, --http-max-rows-body-bytes 67108864 (rows pushed to a
      source), --http-max-json-depth 64 (nesting of a JSON body).
  eddy bench nexmark [--queries q0,q5] [--events N] [--json FILE]
      Runs the Nexmark benchmark: Eddy streaming against DuckDB's one-shot batch (eddy bench --help).
  eddy --help | --version
`;

/** Runs the CLI with the given arguments (without `node main.js`); returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo, stop?: AbortSignal): Promise<number> {
  if (argv[0] === 'bench') return bench(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'data-dir': { type: 'string' },
        format: { type: 'string' },
        'pg-port': { type: 'string' },
        'http-port': { type: 'string' },
        'pg-users': { type: 'string' },
        'pg-tls-cert': { type: 'string' },
        'pg-tls-key': { type: 'string' },
        'http-host': { type: 'string' },
        token: { type: 'string', multiple: true },
        'file-root': { type: 'string', multiple: true },
        init: { type: 'string' },
        ...Object.fromEntries(LIMIT_FLAGS.map((f) => [f.flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    io.err(`ERROR: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    io.out(`eddy ${version()}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    (command === undefined && !values.help ? io.err : io.out)(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  let tuning: EngineTuning;
  try {
    tuning = engineTuningFromEnv();
  } catch (e) {
    io.err(`ERROR: ${(e as Error).message}\n`);
    return 2;
  }
  if (command === 'run') {
    if (rest.length !== 1) {
      io.err(`ERROR: eddy run takes one FILE.sql\n${HELP}`);
      return 2;
    }
    let format;
    try {
      format = parseFormat(values.format);
    } catch (e) {
      io.err(`ERROR: ${(e as Error).message}\n`);
      return 2;
    }
    return runScript({ file: rest[0]!, dataDir: values['data-dir'], format, tuning }, io);
  }
  if (command === 'serve') {
    const pgPort = port(values['pg-port'], 5433, '--pg-port', io, true);
    const httpPort = port(values['http-port'], 8080, '--http-port', io, true);
    if (pgPort === null || httpPort === null) return 2;
    const limits = limitOptions(values as Record<string, unknown>, io);
    if (limits === null) return 2;
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    stop?.addEventListener('abort', onSignal, { once: true });
    try {
      const statusIntervalMs = Number(process.env.EDDY_STATUS_INTERVAL_MS ?? 5000);
      const tokens = [...(values.token ?? []), ...(process.env.EDDY_TOKENS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')];
      const options = { dataDir: values['data-dir'] ?? 'eddy-data', pgPort, httpPort, pgUsersFile: values['pg-users'], pgTlsCert: values['pg-tls-cert'], pgTlsKey: values['pg-tls-key'], httpHost: values['http-host'], tokens, fileRoots: values['file-root'] ?? [], init: values.init, statusIntervalMs, tuning, ...limits };
      return await serve(options, io, controller.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  io.err(`ERROR: unknown command '${command}'\n${HELP}`);
  return 2;
}

/** `eddy serve` flags for the servers' limits: the option each sets, and its unit. */
const LIMIT_FLAGS = [
  { flag: 'pg-max-connections', server: 'pg', option: 'maxConnections', scale: 1 },
  { flag: 'pg-auth-timeout', server: 'pg', option: 'authTimeoutMs', scale: 1000 },
  { flag: 'pg-max-startup-packet-bytes', server: 'pg', option: 'maxStartupPacketBytes', scale: 1 },
  { flag: 'pg-max-auth-message-bytes', server: 'pg', option: 'maxAuthMessageBytes', scale: 1 },
  { flag: 'pg-max-message-bytes', server: 'pg', option: 'maxMessageBytes', scale: 1 },
  { flag: 'http-max-body-bytes', server: 'http', option: 'bodyLimitBytes', scale: 1 },
  { flag: 'http-max-rows-body-bytes', server: 'http', option: 'rowsBodyLimitBytes', scale: 1 },
  { flag: 'http-max-json-depth', server: 'http', option: 'maxJsonDepth', scale: 1 },
] as const;

function limitOptions(values: Record<string, unknown>, io: CliIo): { pgLimits: Record<string, number>; httpLimits: Record<string, number> } | null {
  const pgLimits: Record<string, number> = {};
  const httpLimits: Record<string, number> = {};
  for (const { flag, server, option, scale } of LIMIT_FLAGS) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    const n = Number(value);
    // Seconds may be fractional (a short authentication timeout); counts and sizes are whole numbers.
    if (!Number.isFinite(n) || n <= 0 || (scale === 1 && !Number.isInteger(n))) {
      io.err(`ERROR: --${flag} must be a positive ${scale === 1 ? 'whole number' : 'number of seconds'}, not '${value}'\n`);
      return null;
    }
    (server === 'pg' ? pgLimits : httpLimits)[option] = Math.round(n * scale);
  }
  return { pgLimits, httpLimits };
}

function port(value: string | undefined, fallback: number, flag: string, io: CliIo, allowZero = false): number | null {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (Number.isInteger(n) && (n > 0 || (allowZero && n === 0)) && n < 65536) return n;
  io.err(`ERROR: ${flag} must be a port number, not '${value}'\n`);
  return null;
}

/** The version in package.json, found by walking up from this file (src/cli or dist/src/cli). */
function version(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
    dir = path.dirname(dir);
  }
  return 'unknown';
}

const invokedDirectly = process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`ERROR: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}
