/**
 * A query's changes as its listeners receive them (the engine's subscriptions, src/engine/
 * subscriptions.ts, are one such listener), and how a subscription ends.
 */
import type { QueryObject } from '../catalog/types.js';
import { EddyError } from '../util/errors.js';
import { log } from '../util/log.js';

/** One row's change, as subscribers see it. */
export interface Change {
  readonly op: 'insert' | 'delete';
  readonly row: Readonly<Record<string, unknown>>;
}

/** The changes one batch made to a query's result, as subscribers receive them. */
export interface ChangeBatch {
  readonly batch: number;
  readonly changes: readonly Change[];
}

/** Why a subscription ended without being unsubscribed: its query was dropped, reset, or shut down. */
export type SubscriptionEnd = 'dropped' | 'reset' | 'shutdown' | 'recovering';

export interface SubscribeOptions {
  readonly snapshot: boolean;
  /** Called once if the query goes away while subscribed; no change follows. */
  readonly onEnd?: (reason: SubscriptionEnd) => void;
}

export interface Subscription {
  /** The result as of `snapshotBatch` (empty when no snapshot was asked for). */
  readonly snapshot: readonly Readonly<Record<string, unknown>>[];
  /** The last batch included in the snapshot; changes arrive from the batch after it. */
  readonly snapshotBatch: number;
  unsubscribe(): void;
}

/** The listeners of one query's changes, and whether the query went away for good. */
export class ChangeListeners {
  /** Each listener and what to call when the query goes away. */
  private readonly listeners = new Map<(c: ChangeBatch) => void, ((reason: SubscriptionEnd) => void) | undefined>();
  /** Set once the query stopped for good: later subscriptions are refused with it. */
  ended: SubscriptionEnd | null = null;

  /** Whether anyone listens: a batch reads its changes only then. */
  get wanted(): boolean {
    return this.listeners.size > 0;
  }

  add(listener: (c: ChangeBatch) => void, onEnd: ((reason: SubscriptionEnd) => void) | undefined): () => void {
    this.listeners.set(listener, onEnd);
    return () => this.listeners.delete(listener);
  }

  publish(batch: ChangeBatch): void {
    for (const listener of this.listeners.keys()) listener(batch);
  }

  /** Tells every listener the query is gone, once. */
  end(reason: SubscriptionEnd, query: string): void {
    this.ended ??= reason;
    const ends = [...this.listeners.values()];
    this.listeners.clear();
    for (const end of ends) {
      try {
        end?.(reason);
      } catch (e) {
        log.warn({ query, err: (e as Error).message }, 'a subscriber failed while its subscription ended');
      }
    }
  }
}

/** The error a subscription gets when its query went away, naming it and why. */
export function subscriptionEnded(object: QueryObject, reason: SubscriptionEnd): EddyError {
  const what = `${object.kind === 'sink' ? 'sink' : 'materialized view'} "${object.name}"`;
  switch (reason) {
    case 'dropped':
      return new EddyError('UNDEFINED_TABLE', `${what} was dropped`, { hint: 'its subscriptions ended; subscribe to a query that exists' });
    case 'reset':
      return new EddyError('OBJECT_IN_USE', `${what} was reset and starts over from its sources`, { hint: 'subscribe again for its new result' });
    case 'shutdown':
      return new EddyError('OBJECT_IN_USE', `${what} stopped: the server is shutting down`, { hint: 'subscribe again (from the last batch seen) once it is back' });
    case 'recovering':
      return new EddyError('STORAGE_UNAVAILABLE', `${what} stopped while the server reopens its storage`, { hint: 'subscribe again (from the last batch seen) in a moment' });
  }
}
