/**
 * One client connection: the startup phase (SSLRequest, GSSENCRequest, CancelRequest, the startup
 * packet, SCRAM-SHA-256 or trust), then a Session for every later message. Until it is authenticated
 * a connection is held to the small packets and the deadline of its WireLimits; once admitted it
 * takes one of the server's max_connections slots until it closes.
 */
import * as crypto from 'node:crypto';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { asEddyError, EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import * as out from './backend-messages.js';
import { BodyReader, FrontendReader, type FrontendMessage } from './frontend-reader.js';
import { ScramExchange } from './scram.js';
import { Session, type SessionOutput } from './session.js';
import { SessionParameters } from './session-parameters.js';
import { StatementExecutor, type ExecutorConfig } from './statement-executor.js';
import type { UserVerifiers } from './users.js';
import { messageType, oversizedMessage, sessionMessageLimit, type WireLimits } from './wire-limits.js';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** What every connection shares with the server. */
export interface ConnectionContext extends ExecutorConfig {
  readonly users: UserVerifiers | null;
  readonly tls: tls.SecureContext | null;
  readonly socketBuffer: number;
  readonly limits: WireLimits;
  /** Takes a session slot for a connection that sent its startup packet; false when all are taken. */
  admit(): boolean;
  /** Gives an admitted connection's slot back. */
  release(): void;
  register(pid: number, secret: number, session: Session): void;
  unregister(pid: number): void;
  cancel(pid: number, secret: number): void;
  nextPid(): number;
}

type Phase = 'startup' | 'sasl-initial' | 'sasl-final' | 'ready' | 'closed';

export class Connection {
  private readonly reader = new FrontendReader();
  private phase: Phase = 'startup';
  private busy = false;
  private session: Session | null = null;
  private scram: ScramExchange | null = null;
  private user = '';
  private startupParams = new Map<string, string>();
  private pid = 0;
  private admitted = false;
  private authTimer: NodeJS.Timeout | null;
  private readonly onData = (chunk: Buffer): void => {
    this.reader.push(chunk);
    // While a statement runs, a client may send on; past a message's worth of unread bytes the
    // socket stops being read, so that TCP holds the rest rather than this process.
    if (this.reader.buffered > this.highWater()) this.socket.pause();
    void this.pump();
  };

  constructor(private socket: net.Socket | tls.TLSSocket, private readonly ctx: ConnectionContext) {
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    this.authTimer = setTimeout(() => this.fatal(new EddyError('QUERY_CANCELED', 'canceling authentication due to timeout', {
      hint: `a client has ${ctx.limits.authTimeoutMs / 1000} s from connecting to being authenticated (eddy serve --pg-auth-timeout)`,
    })), ctx.limits.authTimeoutMs);
    this.authTimer.unref();
  }

  close(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.endSession();
    this.socket.destroy();
  }

  private endSession(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    this.session?.close();
    if (this.pid) this.ctx.unregister(this.pid);
    this.pid = 0;
    if (this.admitted) this.ctx.release();
    this.admitted = false;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.phase !== 'closed') {
        if (this.phase === 'startup') {
          const body = this.reader.nextUntyped(this.ctx.limits.maxStartupPacketBytes);
          if (!body) break;
          this.startup(body);
        } else {
          const message = this.reader.next((type) => this.messageLimit(type));
          if (!message) break;
          await this.message(message);
        }
        if (this.socket.isPaused() && this.reader.buffered <= this.highWater()) this.socket.resume();
      }
    } catch (e) {
      this.fatal(e);
    } finally {
      this.busy = false;
    }
  }

  private startup(body: Buffer): void {
    const r = new BodyReader(body);
    const code = r.int32();
    if (code === SSL_REQUEST) {
      if (!this.ctx.tls) return void this.socket.write('N');
      this.socket.write('S');
      this.upgrade(this.ctx.tls);
      return;
    }
    if (code === GSSENC_REQUEST) return void this.socket.write('N');
    if (code === CANCEL_REQUEST) {
      this.ctx.cancel(r.int32(), r.int32());
      this.close();
      return;
    }
    if (code !== PROTOCOL_3) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', `unsupported frontend protocol ${code >> 16}.${code & 0xffff}: Eddy speaks protocol 3.0`);
    }
    while (r.remaining > 1) {
      const name = r.cstring();
      this.startupParams.set(name, r.cstring());
    }
    this.user = this.startupParams.get('user') ?? '';
    if (this.user === '') throw new EddyError('PROTOCOL_VIOLATION', 'no PostgreSQL user name specified in startup packet');
    if (!this.ctx.admit()) {
      throw new EddyError('TOO_MANY_CONNECTIONS', 'sorry, too many clients already', {
        hint: `the server takes at most ${this.ctx.limits.maxConnections} sessions (eddy serve --pg-max-connections)`,
      });
    }
    this.admitted = true;
    if (this.ctx.users) {
      this.scram = new ScramExchange(this.user, this.ctx.users.get(this.user) ?? null);
      this.socket.write(out.authenticationSasl(['SCRAM-SHA-256']));
      this.phase = 'sasl-initial';
    } else this.ready();
  }

  /** Continues the connection over TLS (after answering 'S' to SSLRequest). */
  private upgrade(context: tls.SecureContext): void {
    this.socket.removeListener('data', this.onData);
    const secure = new tls.TLSSocket(this.socket, { isServer: true, secureContext: context });
    secure.on('data', this.onData);
    secure.on('error', () => this.close());
    secure.on('close', () => this.close());
    this.socket = secure;
  }

  private highWater(): number {
    return this.phase === 'ready' ? this.ctx.limits.maxMessageBytes : this.ctx.limits.maxAuthMessageBytes;
  }

  /** Before authentication only password messages, and small ones, are expected. */
  private messageLimit(type: string): number {
    return this.phase === 'ready' ? sessionMessageLimit(this.ctx.limits, type) : this.ctx.limits.maxAuthMessageBytes;
  }

  private async message(message: FrontendMessage): Promise<void> {
    if (this.phase === 'ready') {
      if (message.oversized !== undefined) return this.session!.reject(message.type, oversizedMessage(this.ctx.limits, message.type, message.oversized));
      return this.session!.handle(message);
    }
    if (message.oversized !== undefined) {
      throw new EddyError('PROTOCOL_VIOLATION', `invalid length ${message.oversized} of an authentication message (at most ${this.ctx.limits.maxAuthMessageBytes} bytes)`);
    }
    if (message.type !== 'p') throw new EddyError('PROTOCOL_VIOLATION', `expected a password message, got a ${messageType(message.type)} message`);
    const r = new BodyReader(message.body);
    if (this.phase === 'sasl-initial') {
      const mechanism = r.cstring();
      if (mechanism !== 'SCRAM-SHA-256') throw new EddyError('PROTOCOL_VIOLATION', `unsupported SASL mechanism ${mechanism}: use SCRAM-SHA-256`);
      const length = r.int32();
      const serverFirst = this.scram!.start(r.bytes(Math.max(0, length)).toString('utf8'));
      this.socket.write(out.authenticationSaslContinue(serverFirst));
      this.phase = 'sasl-final';
      return;
    }
    const serverFinal = this.scram!.finish(r.rest().toString('utf8'));
    this.socket.write(out.authenticationSaslFinal(serverFinal));
    this.ready();
  }

  private ready(): void {
    const parameters = new SessionParameters(this.user);
    parameters.applyStartup(this.startupParams);
    const executor = new StatementExecutor(this.ctx, parameters, (name, value) => this.socket.write(out.parameterStatus(name, value)), (notice) => this.socket.write(out.noticeResponse(notice)));
    const socket = (): net.Socket => this.socket;
    const output: SessionOutput = {
      send: (m) => void socket().write(m),
      buffered: () => socket().writableLength,
      drained: () =>
        new Promise((resolve) => {
          const s = socket();
          if (s.writableLength === 0 || s.destroyed) return resolve();
          const done = (): void => {
            s.removeListener('drain', done);
            s.removeListener('close', done);
            resolve();
          };
          s.once('drain', done);
          s.once('close', done);
        }),
      end: () => this.close(),
    };
    this.session = new Session(executor, output, { socketBuffer: this.ctx.socketBuffer });
    this.pid = this.ctx.nextPid();
    const secret = crypto.randomInt(1, 0x7fffffff);
    this.ctx.register(this.pid, secret, this.session);
    this.socket.write(out.authenticationOk());
    for (const [name, value] of parameters.reported()) this.socket.write(out.parameterStatus(name, value));
    this.socket.write(out.backendKeyData(this.pid, secret));
    this.socket.write(out.readyForQuery('I'));
    this.phase = 'ready';
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  /** An error before or outside a session ends the connection, as PostgreSQL's FATAL does. */
  private fatal(e: unknown): void {
    const error = asEddyError(e, 'PROTOCOL_VIOLATION');
    if (this.phase !== 'closed') {
      log.debug({ err: error.message }, 'pgwire connection closed on error');
      this.phase = 'closed';
      this.endSession();
      // A client that never reads must not keep the socket open: it is destroyed once the error is out.
      const socket = this.socket;
      socket.end(out.errorResponse(error, undefined, 'E', 'FATAL'), () => socket.destroy());
      setTimeout(() => socket.destroy(), 1000).unref();
    }
  }
}
