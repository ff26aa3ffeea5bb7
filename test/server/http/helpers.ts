import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine, type SubscriptionLimits } from '../../../src/engine/index.js';
import { startHttpServer, type HttpLimits, type HttpServer } from '../../../src/server/http/server.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestServer {
  readonly engine: Engine;
  readonly server: HttpServer;
  readonly url: string;
  readonly wsUrl: string;
  readonly dataDir: string;
}

/** An engine on a fresh data directory and an HTTP server on a free port, both closed after the test. */
export async function startTestServer(t: Teardown, options: { tokens?: string[]; limits?: Partial<HttpLimits & SubscriptionLimits> } = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-http-'));
  // the ring of recent changes kept for resuming subscribers is the engine's; the rest the server's
  const { ringBatches, ringRows, lingerMs, ...httpLimits } = options.limits ?? {};
  const subscriptions = Object.fromEntries(Object.entries({ ringBatches, ringRows, lingerMs }).filter(([, v]) => v !== undefined));
  const engine = await Engine.open({ dataDir, subscriptions });
  const server = await startHttpServer(engine, { port: 0, tokens: options.tokens ?? [], limits: httpLimits });
  t.teardown(async () => {
    await server.close();
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return { engine, server, url: server.url, wsUrl: `${server.url.replace(/^http/, 'ws')}/v1/ws`, dataDir };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** POST /v1/sql; fails the test's expectations loudly by returning the whole answer. */
export async function sql(url: string, text: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return postJson(`${url}/v1/sql`, { sql: text }, headers);
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

/** Reads NDJSON lines from a streaming response until `enough` holds, the stream ends or 10 s pass. */
export async function readNdjson(res: Response, enough: (lines: any[]) => boolean): Promise<any[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const lines: any[] = [];
  let buffered = '';
  const deadline = Date.now() + 10_000;
  while (!enough(lines) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
    }
  }
  return lines;
}
