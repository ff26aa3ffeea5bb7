/**
 * psql's SUBSCRIBE over the engine's one subscription mechanism (src/engine/subscriptions.ts): the
 * snapshot (or the changes after a resume point) and then every committed change, as rows
 * `[batch, op, ...columns]` in a bounded queue. The engine hands changes over from its batch loop and
 * must never wait for a client, so when a client falls `limit` rows behind, the feed ends with
 * SUBSCRIBER_TOO_SLOW instead of growing without bound; when the query goes away, with its reason.
 */
import type { Column } from '../../catalog/types.js';
import type { ChangeBatch, Engine } from '../../engine/index.js';
import type { ResultColumn } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';

export interface FeedOptions {
  readonly snapshot: boolean;
  /** Resume after a batch the client saw: its changes from this batch on (the server keeps recent ones). */
  readonly fromBatch?: number | undefined;
  /** Most rows held for the client before the subscription is ended. */
  readonly limit: number;
}

export class SubscriptionFeed {
  private queue: unknown[][] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Why the feed ended (too slow, closed, the query gone); null while it runs. */
  error: EddyError | null = null;

  private constructor(readonly name: string, readonly columns: readonly ResultColumn[], private readonly limit: number) {}

  static async open(engine: Engine, name: string, options: FeedOptions): Promise<SubscriptionFeed> {
    const object = engine.catalog.get(name);
    const columns: ResultColumn[] = [
      { name: 'batch', type: 'BIGINT' },
      { name: 'op', type: 'VARCHAR' },
      ...(object && 'columns' in object ? object.columns : ([] as Column[])).map((c) => ({ name: c.name, type: c.type })),
    ];
    const feed = new SubscriptionFeed(name, columns, options.limit);
    const names = columns.slice(2).map((c) => c.name);
    const push = (change: ChangeBatch): void => {
      if (feed.error) return;
      for (const c of change.changes) feed.queue.push([change.batch, c.op, ...names.map((n) => c.row[n] ?? null)]);
    };
    feed.unsubscribe = await engine.subscribe(name, { snapshot: options.snapshot, fromBatch: options.fromBatch }, {
      ready: (snapshot, batch, replay) => {
        for (const row of snapshot ?? []) feed.queue.push([batch, 'insert', ...names.map((n) => row[n] ?? null)]);
        for (const change of replay) push(change);
        feed.checkBound();
      },
      changes: (change) => {
        push(change);
        feed.checkBound();
        feed.notify();
      },
      // dropped, reset or shut down: the rows queued so far go out, then the error
      end: (reason) => {
        feed.unsubscribe = null;
        feed.error ??= reason;
        feed.notify();
      },
    });
    // too slow already with the snapshot, before the subscription was handed over
    if (feed.error) {
      feed.unsubscribe();
      feed.unsubscribe = null;
    }
    return feed;
  }

  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Up to `max` queued rows, oldest first. */
  take(max = Infinity): unknown[][] {
    const end = Math.min(this.queue.length, this.head + max);
    const rows = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return rows;
  }

  /**
   * Resolves when rows are queued, the feed ended, the signal aborted or the timeout passed
   * (null: no timeout); never rejects.
   */
  wait(signal: AbortSignal, timeoutMs: number | null = null): Promise<void> {
    if (this.pending > 0 || this.error || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = timeoutMs === null ? null : setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
      function done(): void {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.error ??= new EddyError('OBJECT_IN_USE', `subscription to "${this.name}" was closed`);
    this.queue = [];
    this.head = 0;
    this.notify();
  }

  private checkBound(): void {
    if (this.pending <= this.limit) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.queue = [];
    this.head = 0;
    this.error = new EddyError('SUBSCRIBER_TOO_SLOW', `subscription to "${this.name}" ended: the client fell more than ${this.limit} rows behind`, {
      hint: 'read the changes faster (FETCH more rows at a time), or subscribe again with WITH (snapshot = false)',
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
