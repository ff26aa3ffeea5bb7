/**
 * One engine subscription per query, shared by every websocket and NDJSON subscriber, with a bounded
 * ring of the query's recent change batches so that a client that reconnects can resume from a batch
 * instead of taking a new snapshot. Memory: at most `ringBatches` batches and `ringRows` changes per
 * query, whatever the number of subscribers.
 */
import type { ChangeBatch, Engine, SubscriptionEnd } from '../../engine/index.js';
import { EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';

export interface ChangeHubLimits {
  /** Change batches kept per query for resuming. */
  readonly ringBatches: number;
  /** Changes (rows) kept per query for resuming, over all its kept batches. */
  readonly ringRows: number;
  /** How long a query's feed (and its ring) outlives its last subscriber, so a client can reconnect. */
  readonly lingerMs: number;
}

const END_REASONS: Readonly<Record<SubscriptionEnd, (name: string) => string>> = {
  dropped: (name) => `"${name}" was dropped`,
  reset: (name) => `"${name}" was reset and starts over: subscribe again`,
  shutdown: () => 'the server is closing',
  recovering: (name) => `"${name}" stopped while the server reopens its storage: subscribe again`,
};

export const DEFAULT_HUB_LIMITS: ChangeHubLimits = { ringBatches: 256, ringRows: 100_000, lingerMs: 60_000 };

/** What a subscriber receives, in order: ready (once), then changes, until end or unsubscribe. */
export interface ChangeSink {
  /**
   * Called synchronously before the first change: the snapshot (as of `snapshotBatch`) and the kept
   * batches after the resume point, all to be sent before any change passed to `changes`.
   */
  ready(snapshot: readonly Readonly<Record<string, unknown>>[] | null, snapshotBatch: number, replay: readonly ChangeBatch[]): void;
  changes(batch: ChangeBatch): void;
  /** The query is gone (dropped) or the server is closing. */
  end(reason: string): void;
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

/** A resume point older than the ring: the client must subscribe again with a snapshot. */
export class ResumeUnavailable extends EddyError {
  constructor(name: string, fromBatch: number, oldest: number) {
    super('INVALID_PARAMETER', `cannot resume "${name}" from batch ${fromBatch}: the server keeps its changes from batch ${oldest} on`, {
      hint: 'subscribe again with "snapshot": true (and no from_batch)',
    });
  }
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
    readonly name: string,
    private readonly limits: ChangeHubLimits,
  ) {}

  /** Called by the engine, synchronously, after each batch with changes commits. */
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
        log.warn({ query: this.name, err: (e as Error).message }, 'a subscriber failed; dropping it');
        this.sinks.delete(sink);
      }
    }
  }

  after(batch: number): ChangeBatch[] {
    return this.ring.filter((b) => b.batch > batch);
  }
}

export class ChangeHub {
  private readonly feeds = new Map<string, Promise<QueryFeed>>();
  private closed = false;

  constructor(
    private readonly engine: Engine,
    private readonly limits: ChangeHubLimits = DEFAULT_HUB_LIMITS,
  ) {}

  /** Subscribers per query, for /metrics. */
  subscriberCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [name, feed] of this.settledFeeds) counts.set(name, feed.sinks.size);
    return counts;
  }

  /**
   * Subscribes `sink` to a query. Throws the engine's error for an unknown query, and
   * ResumeUnavailable when fromBatch is older than the ring.
   */
  async subscribe(name: string, request: SubscribeRequest, sink: ChangeSink): Promise<() => void> {
    if (this.closed) throw new EddyError('OBJECT_IN_USE', 'the server is closing');
    for (let attempt = 0; ; attempt++) {
      const feed = await this.feed(name);
      let snapshot: readonly Readonly<Record<string, unknown>>[] | null = null;
      let from: number;
      if (request.fromBatch !== undefined) {
        from = request.fromBatch;
      } else if (request.snapshot) {
        // the feed is attached first, so every batch after the snapshot is in its ring
        const taken = await this.engine.subscribe(name, () => undefined, { snapshot: true });
        taken.unsubscribe();
        snapshot = taken.snapshot;
        from = taken.snapshotBatch + 1;
      } else {
        from = Number.MAX_SAFE_INTEGER;
      }
      if (this.settledFeeds.get(name) !== feed) {
        if (this.closed || attempt >= 3) throw new EddyError('OBJECT_IN_USE', `"${name}" changed while subscribing`, { hint: 'subscribe again' });
        continue;
      }
      if (from < feed.coveredFrom) {
        // a snapshot outrun by the ring (very large batches): take a newer one
        if (request.fromBatch === undefined && attempt < 3) continue;
        throw new ResumeUnavailable(name, from, feed.coveredFrom);
      }
      const live = from === Number.MAX_SAFE_INTEGER;
      sink.ready(snapshot, live ? (feed.ring.at(-1)?.batch ?? feed.coveredFrom - 1) : from - 1, live ? [] : feed.after(from - 1));
      feed.sinks.add(sink);
      if (feed.lingerTimer) clearTimeout(feed.lingerTimer);
      feed.lingerTimer = null;
      return () => this.remove(feed, sink);
    }
  }

  /** Ends the subscribers of queries that no longer exist (after DROP), and forgets their feeds. */
  prune(): void {
    const existing = new Set(this.engine.queries().map((q) => q.name));
    for (const [name, feed] of this.settledFeeds) if (!existing.has(name)) this.endFeed(feed, `"${name}" was dropped`);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const feed of this.settledFeeds.values()) this.endFeed(feed, 'the server is closing');
    await Promise.allSettled([...this.feeds.values()]);
    this.feeds.clear();
  }

  private readonly settledFeeds = new Map<string, QueryFeed>();

  private feed(name: string): Promise<QueryFeed> {
    const existing = this.feeds.get(name);
    if (existing) return existing;
    const created = (async () => {
      const feed = new QueryFeed(name, this.limits);
      const subscription = await this.engine.subscribe(name, (batch) => feed.accept(batch), {
        snapshot: false,
        // whoever dropped the query (psql, eddy run, HTTP), its subscribers hear of it now, and a query
        // created again under the name gets a fresh feed
        onEnd: (reason) => this.endFeed(feed, END_REASONS[reason](name)),
      });
      feed.coveredFrom = subscription.snapshotBatch + 1;
      feed.unsubscribe = subscription.unsubscribe;
      this.settledFeeds.set(name, feed);
      return feed;
    })();
    this.feeds.set(name, created);
    created.catch(() => {
      if (this.feeds.get(name) === created) this.feeds.delete(name);
    });
    return created;
  }

  private remove(feed: QueryFeed, sink: ChangeSink): void {
    if (!feed.sinks.delete(sink) || feed.sinks.size > 0 || this.closed) return;
    feed.lingerTimer = setTimeout(() => {
      if (feed.sinks.size === 0) this.endFeed(feed, 'idle');
    }, this.limits.lingerMs);
    feed.lingerTimer.unref();
  }

  private endFeed(feed: QueryFeed, reason: string): void {
    if (feed.lingerTimer) clearTimeout(feed.lingerTimer);
    feed.unsubscribe();
    if (this.settledFeeds.get(feed.name) === feed) {
      this.settledFeeds.delete(feed.name);
      this.feeds.delete(feed.name);
    }
    const sinks = [...feed.sinks];
    feed.sinks.clear();
    for (const sink of sinks) {
      try {
        sink.end(reason);
      } catch {
        // the client is gone already
      }
    }
  }
}
