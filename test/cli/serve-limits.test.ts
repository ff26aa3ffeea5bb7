/** `eddy serve`'s limit flags: checked before anything starts, and passed to the servers. */
import * as net from 'node:net';
import t from 'tap';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

async function cli(args: string[], stop?: AbortSignal, onOut?: (s: string) => void): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (s) => void ((out += s), onOut?.(s)), err: (s) => void (err += s) };
  const code = await main(args, io, stop);
  return { code, out, err };
}

t.test('a limit that is not a positive number is refused with the flag named', async (t) => {
  for (const [flag, value, wanted] of [
    ['--pg-max-connections', '0', /--pg-max-connections must be a positive whole number, not '0'/],
    ['--pg-max-message-bytes', '1.5', /--pg-max-message-bytes must be a positive whole number/],
    ['--pg-auth-timeout', 'soon', /--pg-auth-timeout must be a positive number of seconds, not 'soon'/],
    ['--http-max-json-depth', '-3', /--http-max-json-depth must be a positive whole number/],
  ] as const) {
    const result = await cli(['serve', '--data-dir', t.testdir(), `${flag}=${value}`]);
    t.equal(result.code, 2, flag);
    t.match(result.err, wanted);
  }
});

t.test('the limits reach the servers: an authentication timeout of 0.3 s ends a silent client', async (t) => {
  const dir = t.testdir();
  const stop = new AbortController();
  let port = 0;
  const served = cli(['serve', '--data-dir', dir, '--pg-port', '0', '--http-port', '0', '--pg-auth-timeout', '0.3'], stop.signal, (s) => {
    const m = /listening on [\d.]+:(\d+)/.exec(s);
    if (m) port = Number(m[1]);
  });
  while (port === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  const socket = net.connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  await new Promise((resolve) => socket.once('close', resolve));
  t.match(Buffer.concat(received).toString('latin1'), /C57014\0Mcanceling authentication due to timeout/);
  stop.abort();
  t.equal((await served).code, 0);
});
