/**
 * `eddy serve` in a child process (src/cli/main.ts under the test runner's TypeScript loader), on a
 * fresh data directory and free ports, for tests that must see whether the server process survives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeChild {
  readonly pgPort: number;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** Whatever the server wrote to stderr (a crash's stack). */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function serveChild(t: Teardown, flags: readonly string[] = [], init = ''): Promise<ServeChild> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-serve-child-'));
  const args = ['--import', '@tapjs/typescript/import', path.join(ROOT, 'src/cli/main.ts'), 'serve', '--data-dir', path.join(dir, 'data'), '--pg-port', '0', '--http-port', '0'];
  if (init) {
    fs.writeFileSync(path.join(dir, 'init.sql'), init);
    args.push('--init', path.join(dir, 'init.sql'));
  }
  const child = spawn(process.execPath, [...args, ...flags], { cwd: ROOT, env: { ...process.env, EDDY_STATUS_INTERVAL_MS: '3600000' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => void (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const until = Date.now() + 60_000;
  while (!/Press Ctrl-C to stop/.test(out)) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`eddy serve did not start: ${out}\n${err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pgPort = Number(/listening on [\d.]+:(\d+)/.exec(out)![1]);
  const httpUrl = /HTTP and websockets listening on (http:\/\/\S+)/.exec(out)![1]!;
  return { pgPort, httpUrl, child, stderr: () => err, alive: () => child.exitCode === null && child.signalCode === null };
}
