/** `eddy serve` run in this process as a user starts it (the CLI's main), on free ports, until the test ends. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Test } from 'tap';
import { main } from '../../src/cli/main.js';

export interface ServedInProcess {
  readonly pgPort: number;
  readonly httpUrl: string;
  readonly dir: string;
  /** Whether `eddy serve` returned (it must not, until stopped). */
  exited(): boolean;
  /** Everything it printed. */
  output(): string;
}

export async function serveInProcess(t: Pick<Test, 'teardown'>, args: readonly string[] = []): Promise<ServedInProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-serve-'));
  const stop = new AbortController();
  let out = '';
  let exited = false;
  const done = main(['serve', '--data-dir', path.join(dir, 'data'), '--pg-port', '0', '--http-port', '0', ...args], { out: (s) => void (out += s), err: (s) => void (out += s) }, stop.signal).then((code) => {
    exited = true;
    return code;
  });
  t.teardown(async () => {
    stop.abort();
    await done;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 200 && !/Press Ctrl-C/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const http = /listening on (http:\/\/\S+)/.exec(out);
  const pg = /psql -h \S+ -p (\d+)/.exec(out);
  if (!http || !pg) throw new Error(`eddy serve did not start: ${out}`);
  return { pgPort: Number(pg[1]), httpUrl: http[1]!, dir, exited: () => exited, output: () => out };
}
