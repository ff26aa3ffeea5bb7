/**
 * One websocket client on /v1/ws: its subscriptions (several per socket, each with an id) and the
 * bound on what the server holds for it. Protocol (docs/SQL.md, "HTTP and websockets"):
 *   -> {"type":"subscribe","name":"hot","id":"h1","snapshot":true,"from_batch":N}
 *   <- {"type":"subscribed","id","name","batch":S,"snapshot_rows":n}
 *   <- {"type":"snapshot"|"change","id","name","batch":N,"op":"insert"|"delete","row":{...}}
 *   -> {"type":"unsubscribe","id":"h1"}   <- {"type":"unsubscribed","id"}
 *   <- {"type":"error","code":"...","message":"...","id"?}
 */
import type { WebSocket } from 'ws';
import { ResumeUnavailable, type Change, type ChangeSink, type Engine } from '../../engine/index.js';
import { asEddyError } from '../../util/errors.js';
import { jsonRow, stringifyJson } from '../http/json-values.js';
import { BoundedOutbox } from './bounded-outbox.js';

export interface SessionLimits {
  /** Bytes of single messages waiting for a client beyond which it is told it is too slow and dropped. */
  readonly maxBufferedBytes: number;
  /** Snapshots and change batches waiting for a client beyond which it is dropped. */
  readonly maxPendingBatches: number;
  readonly maxSubscriptions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxBufferedBytes: 4 * 1024 * 1024, maxPendingBatches: 64, maxSubscriptions: 64 };

interface SubscribeMessage {
  readonly name: string;
  readonly id: string;
  readonly snapshot: boolean;
  readonly fromBatch: number | undefined;
}

/** Why a message cannot be read, or null and the subscribe request it holds. */
function readSubscribe(m: Record<string, unknown>): string | SubscribeMessage {
  if (typeof m.name !== 'string' || m.name === '') return '"name" must be a non-empty string';
  if (m.id !== undefined && (typeof m.id !== 'string' || m.id === '')) return '"id" must be a non-empty string';
  if (m.snapshot !== undefined && typeof m.snapshot !== 'boolean') return '"snapshot" must be true or false';
  if (m.from_batch !== undefined && !(Number.isSafeInteger(m.from_batch) && (m.from_batch as number) >= 0)) return '"from_batch" must be a batch number (an integer >= 0)';
  return { name: m.name, id: (m.id as string | undefined) ?? m.name, snapshot: (m.snapshot as boolean | undefined) ?? true, fromBatch: m.from_batch as number | undefined };
}

function* changeMessages(changes: readonly Change[], head: Record<string, unknown>): Generator<string> {
  for (const c of changes) yield stringifyJson({ ...head, op: c.op, row: jsonRow(c.row) });
}

export class ClientSession {
  private readonly subscriptions = new Map<string, () => void>();
  /** Ids whose subscribe is still being set up (so a duplicate id is refused at once). */
  private readonly pending = new Set<string>();
  private dropped = false;
  private readonly outbox: BoundedOutbox;

  constructor(
    private readonly socket: WebSocket,
    private readonly engine: Engine,
    private readonly limits: SessionLimits,
  ) {
    this.outbox = new BoundedOutbox(
      (text, flushed) => socket.send(text, flushed),
      { maxQueuedBytes: limits.maxBufferedBytes, maxLazyRuns: limits.maxPendingBatches },
      (why) => this.dropSlowConsumer(why),
      () => this.dispose(),
    );
    socket.on('message', (data, isBinary) => this.onMessage(isBinary ? null : data.toString()));
    socket.on('close', () => this.dispose());
    socket.on('error', () => this.dispose());
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  private onMessage(text: string | null): void {
    let message: unknown;
    try {
      message = text === null ? null : JSON.parse(text);
    } catch {
      message = null;
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      this.send({ type: 'error', code: 'bad_message', message: 'messages must be JSON objects with a "type"' });
      return;
    }
    const m = message as Record<string, unknown>;
    switch (m.type) {
      case 'subscribe': {
        const request = readSubscribe(m);
        if (typeof request === 'string') this.send({ type: 'error', code: 'bad_message', message: `subscribe: ${request}`, id: m.id ?? m.name ?? null });
        else void this.subscribe(request);
        return;
      }
      case 'unsubscribe': {
        const id = typeof m.id === 'string' ? m.id : typeof m.name === 'string' ? m.name : '';
        const unsubscribe = this.subscriptions.get(id);
        if (!unsubscribe) {
          this.send({ type: 'error', code: 'unknown_subscription', message: `no subscription with id "${id}"`, id });
          return;
        }
        unsubscribe();
        this.subscriptions.delete(id);
        this.send({ type: 'unsubscribed', id });
        return;
      }
      case 'ping':
        this.send({ type: 'pong' });
        return;
      default:
        this.send({ type: 'error', code: 'bad_message', message: `unknown message type ${JSON.stringify(m.type)}; expected subscribe, unsubscribe or ping` });
    }
  }

  private async subscribe(request: SubscribeMessage): Promise<void> {
    const { id, name } = request;
    if (this.subscriptions.has(id) || this.pending.has(id)) {
      this.send({ type: 'error', code: 'duplicate_id', message: `a subscription with id "${id}" exists on this socket; give each an "id"`, id });
      return;
    }
    if (this.subscriptions.size + this.pending.size >= this.limits.maxSubscriptions) {
      this.send({ type: 'error', code: 'too_many_subscriptions', message: `at most ${this.limits.maxSubscriptions} subscriptions per socket`, id });
      return;
    }
    this.pending.add(id);
    const sink: ChangeSink = {
      ready: (snapshot, batch, replay) => {
        this.send({ type: 'subscribed', id, name, batch, snapshot_rows: snapshot?.length ?? 0 });
        if (snapshot && snapshot.length > 0) this.sendLazy(snapshot.map((row) => ({ op: 'insert' as const, row })), { type: 'snapshot', id, name, batch });
        for (const b of replay) sink.changes(b);
      },
      changes: (b) => {
        this.sendLazy(b.changes, { type: 'change', id, name, batch: b.batch });
      },
      end: (reason) => {
        this.subscriptions.delete(id);
        this.send({ type: 'error', code: 'subscription_ended', sqlstate: reason.sqlstate, message: `subscription "${id}" ended: ${reason.message}`, hint: reason.hint ?? null, id });
      },
    };
    try {
      const unsubscribe = await this.engine.subscribe(name, { snapshot: request.snapshot, fromBatch: request.fromBatch }, sink);
      if (this.dropped) unsubscribe();
      else this.subscriptions.set(id, unsubscribe);
    } catch (e) {
      const error = asEddyError(e);
      const code = e instanceof ResumeUnavailable ? 'resume_unavailable' : error.code.toLowerCase();
      this.send({ type: 'error', code, sqlstate: error.sqlstate, message: error.message, hint: error.hint ?? null, id });
    } finally {
      this.pending.delete(id);
    }
  }

  /** Queues one message; false when the client is gone or was dropped as too slow. */
  private send(message: Record<string, unknown>): boolean {
    if (this.dropped) return false;
    if (this.socket.readyState !== this.socket.OPEN) {
      this.dispose();
      return false;
    }
    return this.outbox.push(stringifyJson(message));
  }

  /** Queues one message per change, rendered as the socket drains. */
  private sendLazy(changes: readonly Change[], head: Record<string, unknown>): void {
    if (this.dropped) return;
    this.outbox.pushLazy(changeMessages(changes, head));
  }

  private dropSlowConsumer(why: string): void {
    this.dispose();
    const message = `the client reads too slowly: ${why}; resubscribe (from_batch resumes if the server still holds the batches)`;
    this.socket.send(stringifyJson({ type: 'error', code: 'slow_consumer', message }));
    this.socket.close(1008, 'slow consumer');
    // a client that does not read will not answer the close frame either
    setTimeout(() => this.socket.terminate(), 5000).unref();
  }

  /** Stops every subscription; the socket holds nothing more for this client. */
  dispose(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.outbox.close();
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
  }
}
