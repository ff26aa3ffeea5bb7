/**
 * The DuckDB connections pull queries run on: apart from the engine's own connection and its
 * statement queue, so that a long SELECT neither waits for nor holds up other sessions' writes and
 * DDL (DuckDB runs them side by side, each reading a consistent snapshot). At most `limit` run at
 * once; more wait for a free connection.
 */
import type { Connection, Database } from '../duck/index.js';
import { EddyError } from '../util/errors.js';

export class PullConnections {
  private readonly idle: Connection[] = [];
  private readonly busy = new Set<Connection>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly db: Database,
    /** Pull queries running at once. */
    private readonly limit = 8,
  ) {}

  /** Pull queries running now. */
  get running(): number {
    return this.busy.size;
  }

  /** A connection of its own for one pull query; waits while `limit` queries run. */
  async acquire(signal?: AbortSignal): Promise<Connection> {
    while (this.busy.size >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = (): void => {
          this.waiting.splice(this.waiting.indexOf(wake), 1);
          reject(new EddyError('QUERY_CANCELED', 'canceling statement due to user request'));
        };
        if (signal?.aborted) return abort();
        this.waiting.push(wake);
        signal?.addEventListener('abort', abort, { once: true });
      });
    }
    if (this.closed) throw new EddyError('OBJECT_IN_USE', 'the engine is closed');
    const conn = this.idle.pop() ?? (await this.db.connect());
    this.busy.add(conn);
    return conn;
  }

  release(conn: Connection): void {
    if (!this.busy.delete(conn)) return;
    if (this.closed || this.idle.length >= 2) conn.close();
    else this.idle.push(conn);
    this.waiting.shift()?.();
  }

  /**
   * Interrupts the pull queries still running, waits (a while) for their readers to let go, and
   * closes every connection; the database may be closed after it.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    for (const conn of this.busy) conn.interrupt();
    for (const conn of this.idle.splice(0)) conn.close();
    const until = Date.now() + timeoutMs;
    while (this.busy.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }
}
