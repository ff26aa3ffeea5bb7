/** A test engine with a running wire server, and a raw protocol client for what drivers do not expose. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type * as PgProtocol from 'pg-protocol';
import pg from 'pg';

// pg-protocol's ESM build cannot be loaded by tap's TypeScript loader; its CommonJS build can.
const { parse, serialize } = createRequire(import.meta.url)('pg-protocol') as typeof PgProtocol;
import { Engine } from '../../../src/engine/index.js';
import { PgServer, type PgServerOptions } from '../../../src/server/pgwire/index.js';

export interface Running {
  readonly engine: Engine;
  readonly server: PgServer;
  readonly port: number;
  readonly dir: string;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startServer(t: Teardown, setup: string, options: Partial<PgServerOptions> = {}): Promise<Running> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eddy-pgwire-'));
  const engine = await Engine.open({ dataDir: dir });
  if (setup) await engine.execute(setup);
  const server = await PgServer.start(engine, { port: 0, ...options });
  t.teardown(async () => {
    await server.close();
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { engine, server, port: server.port, dir };
}

export async function connect(t: Teardown, port: number, config: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'tester', database: 'eddy', ...config });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.end().catch(() => undefined));
  return client;
}

/** Waits until `check` returns true (polling), or fails after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RawMessage {
  readonly name: string;
  readonly [key: string]: unknown;
}

/** A protocol-level client: sends pg-protocol's serialized messages, records every backend message. */
export class RawClient {
  readonly messages: RawMessage[] = [];
  pid = 0;
  secret = 0;

  private constructor(readonly socket: net.Socket) {}

  static async connect(port: number, user = 'raw'): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    void parse(socket, (m) => {
      const message = m as unknown as RawMessage & { processID?: number; secretKey?: number };
      if (message.name === 'backendKeyData') {
        client.pid = message.processID!;
        client.secret = message.secretKey!;
      }
      client.messages.push(message);
    });
    socket.write(serialize.startup({ user, database: 'eddy' }));
    await client.until('readyForQuery');
    return client;
  }

  send(...buffers: Buffer[]): void {
    for (const b of buffers) this.socket.write(b);
  }

  /** Waits for the n-th (counting from `from`) message with this name; returns the messages since `from`. */
  async until(name: string, from = 0, ms = 10_000): Promise<RawMessage[]> {
    await eventually(() => this.messages.slice(from).some((m) => m.name === name), ms);
    const end = this.messages.findIndex((m, i) => i >= from && m.name === name);
    return this.messages.slice(from, end + 1);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A socket that has sent nothing yet, for what happens before and during the startup phase: it
 * records backend messages and whether the server closed it.
 */
export class WireSocket {
  readonly messages: RawMessage[] = [];
  closed = false;
  readonly ended: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => undefined);
    this.ended = new Promise((resolve) => socket.once('close', () => {
      this.closed = true;
      resolve();
    }));
    void parse(socket, (m) => this.messages.push(m as unknown as RawMessage));
  }

  static async open(port: number): Promise<WireSocket> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new WireSocket(socket);
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The first ErrorResponse, once it arrived (or fails after `ms`). */
  async error(ms = 10_000): Promise<RawMessage & { code?: string; message?: string; severity?: string }> {
    await eventually(() => this.messages.some((m) => m.name === 'error'), ms);
    return this.messages.find((m) => m.name === 'error')!;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A frame header: a type byte (or none, for startup packets) and a length that may lie about the body. */
export function frame(type: string | null, length: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(type === null ? 4 : 5);
  if (type === null) header.writeInt32BE(length, 0);
  else {
    header.write(type, 0, 'latin1');
    header.writeInt32BE(length, 1);
  }
  return Buffer.concat([header, body]);
}

export { serialize };
