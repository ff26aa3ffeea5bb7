/**
 * The PostgreSQL wire server (`eddy serve --pg-port`): psql, node-postgres, psycopg2, pgjdbc and
 * anything else that speaks protocol 3.0 reach the engine through it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Engine } from '../../engine/index.js';
import { EddyError } from '../../util/errors.js';
import { CatalogEmulation } from './catalog-emulation.js';
import { Connection, type ConnectionContext } from './connection.js';
import * as out from './backend-messages.js';
import type { Session } from './session.js';
import type { UserVerifiers } from './users.js';
import { wireLimits, type WireLimits } from './wire-limits.js';

export interface PgServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  /** Users and their SCRAM verifiers; null or absent: any user connects without a password (trust). */
  readonly users?: UserVerifiers | null;
  /** PEM certificate and key files; when given, SSLRequest is answered 'S' and the session runs over TLS. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string } | null;
  /** Rows a subscription may hold for a client that reads slowly before it is ended (default 10000). */
  readonly subscriberLimit?: number;
  /** Bytes waiting in a socket before streaming pauses for the client (default 1 MiB). */
  readonly socketBuffer?: number;
  /** Connection, packet-size and authentication-time limits (DEFAULT_WIRE_LIMITS for what is left out). */
  readonly limits?: Partial<WireLimits>;
}

export class PgServer {
  private readonly connections = new Set<Connection>();

  private constructor(private readonly server: net.Server, private readonly catalog: CatalogEmulation) {}

  static async start(engine: Engine, options: PgServerOptions): Promise<PgServer> {
    const catalog = await CatalogEmulation.open(engine.catalog);
    const sessions = new Map<number, { secret: number; session: Session }>();
    const limits = wireLimits(options.limits);
    let admitted = 0;
    let pid = 1000;
    const ctx: ConnectionContext = {
      limits,
      admit: () => {
        if (admitted >= limits.maxConnections) return false;
        admitted++;
        return true;
      },
      release: () => {
        admitted--;
      },
      engine,
      catalog,
      subscriberLimit: options.subscriberLimit ?? 10_000,
      socketBuffer: options.socketBuffer ?? 1024 * 1024,
      users: options.users ?? null,
      tls: options.tls ? secureContext(options.tls) : null,
      register: (id, secret, session) => sessions.set(id, { secret, session }),
      unregister: (id) => sessions.delete(id),
      cancel: (id, secret) => {
        const entry = sessions.get(id);
        if (entry && entry.secret === secret) entry.session.cancel();
      },
      nextPid: () => ++pid,
    };
    let server: PgServer | undefined;
    const netServer = net.createServer((socket) => {
      // Sockets that have not sent a startup packet take no slot, but they are bounded too: past
      // twice max_connections open sockets a new one is refused at once, as PostgreSQL's postmaster does.
      if ((server?.connections.size ?? 0) >= 2 * limits.maxConnections) return refuse(socket, limits);
      const connection = new Connection(socket, ctx);
      server?.connections.add(connection);
      socket.on('close', () => server?.connections.delete(connection));
    });
    server = new PgServer(netServer, catalog);
    await new Promise<void>((resolve, reject) => {
      netServer.once('error', (e) => {
        catalog.close();
        reject(new EddyError('IO_ERROR', `cannot listen for PostgreSQL clients on port ${options.port}: ${e.message}`, { cause: e }));
      });
      netServer.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
    });
    return server;
  }

  /** The port it listens on (the one picked when 0 was asked for). */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as net.AddressInfo).address;
  }

  /** Stops listening, ends every session (their subscriptions end) and frees the catalog emulation. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.catalog.close();
  }
}

function refuse(socket: net.Socket, limits: WireLimits): void {
  const error = new EddyError('TOO_MANY_CONNECTIONS', 'sorry, too many clients already', {
    hint: `the server takes at most ${limits.maxConnections} sessions (eddy serve --pg-max-connections)`,
  });
  socket.on('error', () => undefined);
  socket.end(out.errorResponse(error, undefined, 'E', 'FATAL'), () => socket.destroy());
  setTimeout(() => socket.destroy(), 1000).unref();
}

function secureContext(files: { certFile: string; keyFile: string }): tls.SecureContext {
  try {
    return tls.createSecureContext({ cert: fs.readFileSync(files.certFile), key: fs.readFileSync(files.keyFile) });
  } catch (e) {
    throw new EddyError('IO_ERROR', `cannot load the TLS certificate ${files.certFile} and key ${files.keyFile}: ${(e as Error).message}`, { cause: e });
  }
}
