/**
 * The engine's one mechanism for following a query's changes, which psql's SUBSCRIBE, HTTP NDJSON
 * and websockets encode for their clients: per running query a feed, one listener on its
 * StreamingQuery shared by every subscriber, with a bounded ring of the query's recent change batches
 * so that a client that saw batch N can resume from N+1 instead of taking a new snapshot; and an end
 * with a reason (dropped, reset, shut down, recovering, too slow) told to each subscriber, whoever
 * caused it. A resume from before the ring (after a restart, say) replays the view's durable log
 * (exec/view-log.ts), within the view's retention. Feeds are keyed by the StreamingQuery itself: a query dropped and created again under
 * its name is another StreamingQuery, with a fresh feed. Memory: at most `ringBatches` batches and
 * `ringRows` changes per query, whatever the number of subscribers.
 */
import type { QueryObject } from '../catalog/types.js';
import { subscriptionEnded, type ChangeBatch, type StreamingQuery, type SubscriptionEnd } from '../exec/streaming-query.js';
import { ResumeUnavailable } from '../exec/view-log.js';

export { ResumeUnavailable };
import { EddyError } from '../util/errors.js';
import { log } from '../util/log.js';

export interface SubscriptionLimits {
  /** Change batches kept per query for resuming. */
  readonly ringBatches: number;
  /** Changes (rows) kept per query for resuming, over all its kept batches. */
  readonly ringRows: number;
  /** How long a query's feed (and its ring) outlives its last subscriber, so a client can reconnect. */
  readonly lingerMs: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { ringBatches: 256, ringRows: 100_000, lingerMs: 60_000 };

/** What a subscriber receives, in order: ready (once), then changes, until it unsubscribes or end. */
export interface ChangeSink {
  /**
   * Called synchronously before the first change: the snapshot (as of `snapshotBatch`; null when none
   * was asked for) and the kept batches after the resume point, all to be sent before any change
   * passed to `changes`.
   */
  ready(snapshot: readonly Readonly<Record<string, unknown>>[] | null, snapshotBatch: number, replay: readonly ChangeBatch[]): void;
  changes(batch: ChangeBatch): void;
  /** The subscription ended without being unsubscribed; the error says why. No call follows. */
  end(reason: EddyError): void;
}

export interface SubscribeRequest {
  /** Start with the current rows of the view. */
  readonly snapshot: boolean;
  /**
   * Resume: deliver every change of batches >= fromBatch (kept in the ring), then live changes. Takes
   * precedence over `snapshot`.
   */
  readonly fromBatch?: number | undefined;
}

class QueryFeed {
  readonly ring: ChangeBatch[] = [];
  ringRows = 0;
  /** Every change of batches >= coveredFrom is in the ring (batches without changes have no entry). */
  coveredFrom = 0;
  readonly sinks = new Set<ChangeSink>();
  unsubscribe: () => void = () => undefined;
  lingerTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly object: QueryObject,
    private readonly limits: SubscriptionLimits,
  ) {}

  /** Called by the query, synchronously, after each batch with changes commits. */
  accept(batch: ChangeBatch): void {
    this.ring.push(batch);
    this.ringRows += batch.changes.length;
    while (this.ring.length > 0 && (this.ring.length > this.limits.ringBatches || this.ringRows > this.limits.ringRows)) {
      const evicted = this.ring.shift()!;
      this.ringRows -= evicted.changes.length;
      this.coveredFrom = evicted.batch + 1;
    }
    for (const sink of [...this.sinks]) {
      try {
        sink.changes(batch);
      } catch (e) {
        log.warn({ query: this.object.name, err: (e as Error).message }, 'a subscriber failed; dropping it');
        this.sinks.delete(sink);
      }
    }
  }

  after(batch: number): ChangeBatch[] {
    return this.ring.filter((b) => b.batch > batch);
  }
}

export class Subscriptions {
  private readonly feeds = new Map<StreamingQuery, Promise<QueryFeed>>();
  private readonly settled = new Map<StreamingQuery, QueryFeed>();
  private closed = false;

  constructor(private readonly limits: SubscriptionLimits = DEFAULT_SUBSCRIPTION_LIMITS) {}

  /** Subscribers per query name, for /metrics. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const feed of this.settled.values()) counts.set(feed.object.name, (counts.get(feed.object.name) ?? 0) + feed.sinks.size);
    return counts;
  }

  /**
   * Subscribes `sink` to a running query; returns the function that unsubscribes. Throws the query's
   * error when it is gone, and ResumeUnavailable when fromBatch is older than the ring and the view's log.
   */
  async subscribe(query: StreamingQuery, object: QueryObject, request: SubscribeRequest, sink: ChangeSink): Promise<() => void> {
    if (this.closed) throw subscriptionEnded(object, 'shutdown');
    for (let attempt = 0; ; attempt++) {
      const feed = await this.feed(query, object);
      let snapshot: readonly Readonly<Record<string, unknown>>[] | null = null;
      let from: number;
      if (request.fromBatch !== undefined) {
        from = request.fromBatch;
      } else if (request.snapshot) {
        // the feed is attached first, so every batch after the snapshot is in its ring
        const taken = await query.subscribe(() => undefined, { snapshot: true });
        taken.unsubscribe();
        snapshot = taken.snapshot;
        from = taken.snapshotBatch + 1;
      } else {
        from = Number.MAX_SAFE_INTEGER;
      }
      if (this.settled.get(query) !== feed) {
        // the query ended while the snapshot was taken: its end is the answer
        if (this.closed || attempt >= 3) throw new EddyError('OBJECT_IN_USE', `"${object.name}" changed while subscribing`, { hint: 'subscribe again' });
        continue;
      }
      let replay: ChangeBatch[] | null = null;
      if (from < feed.coveredFrom) {
        // a snapshot outrun by the ring (very large batches): take a newer one
        if (request.fromBatch === undefined && attempt < 3) continue;
        // older than the ring (or from before a restart): the view's durable log, within its retention
        const logged = await query.loggedChanges(from).catch((e: unknown) => {
          throw e instanceof ResumeUnavailable && e.oldest > feed.coveredFrom ? new ResumeUnavailable(object.name, from, feed.coveredFrom) : e;
        });
        if (this.settled.get(query) !== feed || feed.coveredFrom > logged.through + 1) {
          if (this.closed || attempt >= 3) throw new EddyError('OBJECT_IN_USE', `"${object.name}" changed while subscribing`, { hint: 'subscribe again' });
          continue;
        }
        replay = [...logged.batches, ...feed.after(logged.through)];
      }
      const live = from === Number.MAX_SAFE_INTEGER;
      sink.ready(snapshot, live ? (feed.ring.at(-1)?.batch ?? feed.coveredFrom - 1) : from - 1, live ? [] : (replay ?? feed.after(from - 1)));
      feed.sinks.add(sink);
      if (feed.lingerTimer) clearTimeout(feed.lingerTimer);
      feed.lingerTimer = null;
      return () => this.remove(query, feed, sink);
    }
  }

  /** Ends every subscription: the engine is closing. */
  close(): void {
    this.closed = true;
    for (const [query, feed] of [...this.settled]) this.endFeed(query, feed, subscriptionEnded(feed.object, 'shutdown'));
    this.feeds.clear();
  }

  private feed(query: StreamingQuery, object: QueryObject): Promise<QueryFeed> {
    const existing = this.feeds.get(query);
    if (existing) return existing;
    const created = (async () => {
      const feed = new QueryFeed(object, this.limits);
      const subscription = await query.subscribe((batch) => feed.accept(batch), {
        snapshot: false,
        // whoever stopped the query (a DROP from psql, eddy run or HTTP, a RESET, a storage reopen),
        // its subscribers hear of it now
        onEnd: (reason: SubscriptionEnd) => this.endFeed(query, feed, subscriptionEnded(object, reason)),
      });
      feed.coveredFrom = subscription.snapshotBatch + 1;
      feed.unsubscribe = subscription.unsubscribe;
      this.settled.set(query, feed);
      return feed;
    })();
    this.feeds.set(query, created);
    created.catch(() => {
      if (this.feeds.get(query) === created) this.feeds.delete(query);
    });
    return created;
  }

  private remove(query: StreamingQuery, feed: QueryFeed, sink: ChangeSink): void {
    if (!feed.sinks.delete(sink) || feed.sinks.size > 0 || this.closed) return;
    feed.lingerTimer = setTimeout(() => {
      if (feed.sinks.size === 0) this.endFeed(query, feed, null);
    }, this.limits.lingerMs);
    feed.lingerTimer.unref();
  }

  /** Forgets a feed; its sinks are told why (null: it lingered without subscribers and just goes). */
  private endFeed(query: StreamingQuery, feed: QueryFeed, reason: EddyError | null): void {
    if (feed.lingerTimer) clearTimeout(feed.lingerTimer);
    feed.unsubscribe();
    if (this.settled.get(query) === feed) {
      this.settled.delete(query);
      this.feeds.delete(query);
    }
    const sinks = [...feed.sinks];
    feed.sinks.clear();
    if (reason === null) return;
    for (const sink of sinks) {
      try {
        sink.end(reason);
      } catch {
        // the client is gone already
      }
    }
  }
}
