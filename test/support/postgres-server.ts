/**
 * A private PostgreSQL 15 server for a test: a fresh cluster in a temporary directory (initdb), with
 * wal_level = logical for CDC, listening on 127.0.0.1 at a free port, stopped and removed when the
 * test ends. PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user
 * that Debian's package creates.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Test } from 'tap';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** A connection as the superuser, closed with the server. */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** CREATE SOURCE options that reach this server (connector, hostname, port, user, password, database). */
  sourceOptions(table: string): string;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort() : [];
  const v = versions.includes('15') ? '15' : versions.at(-1);
  if (v === undefined) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (Debian package "postgresql"; .ci/run installs it)');
  return join(root, v, 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPostgres(t: Pick<Test, 'teardown'>): Promise<PostgresServer> {
  const bin = binDir();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'eddy-pg-'));
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]): string => {
    const full = join(bin, cmd);
    return asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      : execFileSync(full, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };
  if (asRoot) {
    const pw = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(pw), Number(gid));
  }
  chmodSync(dir, 0o700);
  const password = 'eddy-test';
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password);
  if (asRoot) chownSync(pwfile, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), 0);
  run('initdb', ['-D', data, '-U', 'eddy', '--pwfile', pwfile, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  const settings = [
    `-c port=${port}`, "-c listen_addresses=127.0.0.1", `-c unix_socket_directories=${dir}`,
    '-c wal_level=logical', '-c max_replication_slots=20', '-c max_wal_senders=20', '-c fsync=off',
    '-c synchronous_commit=off', '-c full_page_writes=off', '-c logical_decoding_work_mem=64kB',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-o', settings, '-w', '-t', '60', 'start']);
  let stopped = false;
  const stopServer = (): void => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'eddy', password, database: 'postgres' });
  try {
    await admin.connect();
  } catch (e) {
    stopServer();
    throw e;
  }
  admin.on('error', () => undefined);
  const server: PostgresServer = {
    host: '127.0.0.1',
    port,
    user: 'eddy',
    password,
    database: 'postgres',
    query: (sql, params) => admin.query(sql, params),
    sourceOptions: (table) =>
      `connector = 'postgres-cdc', hostname = '127.0.0.1', port = ${port}, username = 'eddy', password = '${password}', database.name = 'postgres', table.name = '${table}'`,
    async stop() {
      await admin.end().catch(() => undefined);
      stopServer();
    },
  };
  t.teardown(() => server.stop());
  return server;
}
