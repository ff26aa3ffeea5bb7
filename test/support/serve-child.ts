/**
 * `eddy serve` in a child process, from the built CLI (dist/, as npm test builds it): for tests that
 * need a real server process to measure (its memory), starve (a heap limit), kill, or watch survive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** Why such a test cannot run (no build), or false. */
export function builtCliMissing(): string | false {
  return existsSync(CLI) ? false : 'run `npm run build` first: this test runs dist/ in a child process';
}

export interface ServeChild {
  readonly pid: number;
  readonly pgPort: number;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** What it wrote to stderr (a crash's stack). */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Peak resident memory so far (VmHWM), in bytes; null where /proc is missing. */
  peakRss(): number | null;
  /** Resolves with the exit code (or signal) once it exited. */
  readonly exited: Promise<number | string>;
  stop(): Promise<number | string>;
  kill(): Promise<number | string>;
}

export interface ServeChildOptions {
  readonly args?: readonly string[];
  /** node flags, e.g. --max-old-space-size=128 */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export async function startServeChild(dataDir: string, options: ServeChildOptions = {}): Promise<ServeChild> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'serve', '--data-dir', dataDir, '--pg-port', '0', '--http-port', '0', ...(options.args ?? [])], {
    env: { ...process.env, EDDY_FAULT: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let gone = false;
  void exited.then(() => (gone = true));
  const until = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!/Press Ctrl-C/.test(out)) {
    if (gone || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`eddy serve did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const http = /listening on (http:\/\/\S+)/.exec(out);
  const pg = /psql -h \S+ -p (\d+)/.exec(out);
  if (!http || !pg) throw new Error(`cannot read the ports from: ${out}`);
  const pid = child.pid!;
  return {
    pid,
    pgPort: Number(pg[1]),
    httpUrl: http[1]!,
    child,
    output: () => out,
    stderr: () => err,
    alive: () => !gone,
    peakRss: () => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kb === undefined ? null : Number(kb) * 1024;
      } catch {
        return null;
      }
    },
    exited,
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (!gone) child.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * A server on a fresh data directory (with an --init script when given), stopped and removed when the
 * test ends; its status line quiet.
 */
export async function serveChild(t: { teardown(fn: () => unknown): void }, flags: readonly string[] = [], init = ''): Promise<ServeChild> {
  const dir = mkdtempSync(join(tmpdir(), 'eddy-serve-child-'));
  const args = [...flags];
  if (init) {
    writeFileSync(join(dir, 'init.sql'), init);
    args.push('--init', join(dir, 'init.sql'));
  }
  const server = await startServeChild(join(dir, 'data'), { args, env: { EDDY_STATUS_INTERVAL_MS: '3600000' } });
  t.teardown(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return server;
}
