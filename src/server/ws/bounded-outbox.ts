/**
 * A bounded queue of outgoing messages for one client (a websocket or an HTTP stream). At most
 * IN_FLIGHT_BYTES are handed to the transport at a time, more as it flushes them. Waiting beyond that:
 * single messages, bounded by `maxQueuedBytes`, and lazy runs (a snapshot, a change batch shared with
 * the change ring) rendered one message at a time as the transport drains, bounded by `maxLazyRuns`.
 * Past either bound the queue is discarded and `overflow` is called, so the client can be told (after
 * the little already in flight) and dropped. A large batch thus costs a fast client no copy, and a slow
 * client holds at most maxLazyRuns batches (mostly shared with the ring) and maxQueuedBytes of text.
 */
export const IN_FLIGHT_BYTES = 256 * 1024;

export type TransportWrite = (text: string, flushed: (err?: Error | null) => void) => void;

export interface OutboxLimits {
  readonly maxQueuedBytes: number;
  readonly maxLazyRuns: number;
}

export class BoundedOutbox {
  private queue: (string | Iterator<string>)[] = [];
  private queuedBytes = 0;
  private lazyRuns = 0;
  private inFlightBytes = 0;
  private closed = false;

  constructor(
    private readonly write: TransportWrite,
    private readonly limits: OutboxLimits,
    private readonly overflow: (why: string) => void,
    private readonly failed: () => void,
  ) {}

  /** Queues one message; false once the outbox overflowed or was closed. */
  push(text: string): boolean {
    if (this.closed) return false;
    this.queue.push(text);
    this.queuedBytes += text.length;
    return this.checkAndPump();
  }

  /** Queues messages rendered only when the transport can take them. */
  pushLazy(messages: Iterator<string>): boolean {
    if (this.closed) return false;
    this.queue.push(messages);
    this.lazyRuns++;
    return this.checkAndPump();
  }

  /** Discards what waits; nothing more is sent through the outbox. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.lazyRuns = 0;
  }

  private checkAndPump(): boolean {
    if (this.queuedBytes > this.limits.maxQueuedBytes || this.lazyRuns > this.limits.maxLazyRuns) {
      const why =
        this.queuedBytes > this.limits.maxQueuedBytes
          ? `${this.queuedBytes} bytes were waiting to be sent (limit ${this.limits.maxQueuedBytes})`
          : `${this.lazyRuns} batches were waiting to be sent (limit ${this.limits.maxLazyRuns})`;
      this.close();
      this.overflow(why);
      return false;
    }
    this.pump();
    return true;
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0 && this.inFlightBytes < IN_FLIGHT_BYTES) {
      const head = this.queue[0]!;
      let text: string;
      if (typeof head === 'string') {
        this.queue.shift();
        this.queuedBytes -= head.length;
        text = head;
      } else {
        const next = head.next();
        if (next.done) {
          this.queue.shift();
          this.lazyRuns--;
          continue;
        }
        text = next.value;
      }
      this.inFlightBytes += text.length;
      this.write(text, (err) => {
        this.inFlightBytes -= text.length;
        if (err) {
          this.close();
          this.failed();
        } else this.pump();
      });
    }
  }
}
