/**
 * A bounded queue of outgoing messages for one client (a websocket or an HTTP stream). At most
 * IN_FLIGHT_BYTES are handed to the transport at a time, more as it flushes them; what waits beyond
 * that is bounded by `maxQueuedBytes`. Past it the queue is discarded and `overflow` is called with
 * what was waiting, so the client can be told, after the little already in flight, and dropped.
 */
export const IN_FLIGHT_BYTES = 256 * 1024;

export type TransportWrite = (text: string, flushed: (err?: Error | null) => void) => void;

export class BoundedOutbox {
  private queue: string[] = [];
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private closed = false;

  constructor(
    private readonly write: TransportWrite,
    private readonly maxQueuedBytes: number,
    private readonly overflow: (queuedBytes: number) => void,
    private readonly failed: () => void,
  ) {}

  /** Bytes held for this client (waiting and in flight); never much more than the limit. */
  get heldBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  /** Queues one message; false once the outbox overflowed or was closed. */
  push(text: string): boolean {
    if (this.closed) return false;
    this.queue.push(text);
    this.queuedBytes += text.length;
    if (this.queuedBytes > this.maxQueuedBytes) {
      const queued = this.queuedBytes;
      this.close();
      this.overflow(queued);
      return false;
    }
    this.pump();
    return true;
  }

  /** Discards what waits; nothing more is sent through the outbox. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0 && this.inFlightBytes < IN_FLIGHT_BYTES) {
      const text = this.queue.shift()!;
      this.queuedBytes -= text.length;
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
