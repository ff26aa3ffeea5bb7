/**
 * A subscription as the wire server consumes it: the snapshot and then every committed change, as
 * rows `[batch, op, ...columns]` in a bounded queue. The engine calls the listener from its batch
 * loop and must never wait for a client, so when a client falls `limit` rows behind, the feed ends
 * with SUBSCRIBER_TOO_SLOW instead of growing without bound.
 */
import type { Column } from '../../catalog/types.js';
import { subscriptionEnded, type Engine } from '../../engine/index.js';
import type { ResultColumn } from '../../duck/index.js';
import { EddyError } from '../../util/errors.js';

export interface FeedOptions {
  readonly snapshot: boolean;
  /** Most rows held for the client before the subscription is ended. */
  readonly limit: number;
}

export class SubscriptionFeed {
  private queue: unknown[][] = [];
  private head = 0;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Why the feed ended (too slow, closed); null while it runs. */
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
    const subscription = await engine.subscribe(
      name,
      (change) => {
        if (feed.error) return;
        for (const c of change.changes) feed.queue.push([change.batch, c.op, ...names.map((n) => c.row[n] ?? null)]);
        feed.checkBound();
        feed.notify();
      },
      {
        snapshot: options.snapshot,
        // dropped, reset or shut down: the rows queued so far go out, then the error
        onEnd: (reason) => {
          feed.unsubscribe = null;
          feed.error ??= object && (object.kind === 'materialized_view' || object.kind === 'sink') ? subscriptionEnded(object, reason) : new EddyError('OBJECT_IN_USE', `subscription to "${name}" ended`);
          feed.notify();
        },
      },
    );
    feed.unsubscribe = subscription.unsubscribe;
    // Changes committed while the snapshot was handed over are already queued; the snapshot goes first.
    const snapshotRows = subscription.snapshot.map((row) => [subscription.snapshotBatch, 'insert', ...names.map((n) => row[n] ?? null)]);
    feed.queue = [...snapshotRows, ...feed.queue.slice(feed.head)];
    feed.head = 0;
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
