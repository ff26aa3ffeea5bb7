/** NDJSON and websocket subscribers resume after a server restart from a view's retained history. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import t from 'tap';
import { Engine } from '../../../src/engine/index.js';
import { startHttpServer } from '../../../src/server/http/server.js';
import { TestWsClient } from '../ws/ws-client.js';
import { readNdjson } from './helpers.js';

async function ndjsonLines(url: string, enough: (lines: any[]) => boolean): Promise<any[]> {
  const abort = new AbortController();
  const lines = await readNdjson(await fetch(url, { signal: abort.signal }), enough);
  abort.abort();
  return lines;
}

t.test('from_batch after a restart replays the retained batches over NDJSON and websockets', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-subscribe-restart-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const before = await Engine.open({ dataDir });
  await before.execute("CREATE SOURCE s (k VARCHAR); CREATE MATERIALIZED VIEW c WITH (retention_batches = 50) AS SELECT k, count(*) AS n FROM s GROUP BY k");
  for (const k of ['a', 'b', 'a']) {
    await before.execute(`INSERT INTO s VALUES ('${k}')`);
    await before.drain();
  }
  await before.close();

  const engine = await Engine.open({ dataDir });
  const server = await startHttpServer(engine, { port: 0, tokens: [] });
  t.teardown(async () => {
    await server.close();
    await engine.close();
  });
  const lines = await ndjsonLines(`${server.url}/v1/subscribe/c?from_batch=1`, (l) => l.filter((x) => x.type === 'change').length >= 3);
  t.same(lines.filter((l) => l.type === 'change').map((l) => `${l.batch} ${l.op} ${l.row.k} ${l.row.n}`), ['1 insert b 1', '2 delete a 1', '2 insert a 2'], 'NDJSON: batches 1 and 2 from before the restart');

  const ws = await TestWsClient.connect(`${server.url.replace(/^http/, 'ws')}/v1/ws`);
  t.teardown(() => ws.socket.close());
  ws.send({ type: 'subscribe', name: 'c', id: 'r', from_batch: 2 });
  await ws.until((m) => m.filter((x) => x.id === 'r' && x.type === 'change').length >= 2);
  await engine.execute("INSERT INTO s VALUES ('z')");
  await engine.drain();
  await ws.until((m) => m.filter((x) => x.id === 'r' && x.type === 'change').length >= 3);
  t.same(ws.messages.filter((x) => x.id === 'r' && x.type === 'change').map((x) => `${x.batch} ${x.op} ${x.row.k}`), ['2 delete a', '2 insert a', '3 insert z'], 'websocket: batch 2, then live');
  await engine.execute("CREATE MATERIALIZED VIEW tiny WITH (retention_batches = 1) AS SELECT k FROM s; INSERT INTO s VALUES ('y')");
  await engine.drain();
  ws.send({ type: 'subscribe', name: 'tiny', id: 'gone', from_batch: 0 });
  await ws.until((m) => m.some((x) => x.id === 'gone' && x.type === 'error'));
  t.match(ws.messages.find((x) => x.id === 'gone' && x.type === 'error'), { code: 'resume_unavailable' }, 'older than the retention: take a snapshot');
});
