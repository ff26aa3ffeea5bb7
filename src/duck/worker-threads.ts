/**
 * DuckDB's worker threads, fitted to the work at hand. A small statement is faster on one thread:
 * with more, DuckDB hands its tasks to a worker and waits for it (measured on two cores: a
 * micro-batch of ~1,300 Nexmark rows 15-30% faster; docs/BENCHMARKS.md "Threads"). Bulk work needs
 * every core: a backlog's big batches, a large state scanned by each probe, JSON parsing, Parquet
 * writing, a user's ad-hoc query. DuckDB's thread count belongs to the whole instance, so this is one
 * decision for the process: every core while bulk work runs and for `quietMs` after it, one thread
 * once only light work (small micro-batches) ran since. A pinned count (Database.open's `threads`,
 * which `eddy` takes from EDDY_DUCKDB_THREADS) is never changed.
 */
import type { Connection } from './database.js';

/** How long after bulk work the threads stay up (ms): a backlog's batches follow each other closely. */
const DEFAULT_QUIET_MS = 1000;

export class WorkerThreads {
  private current: number;
  private bulkInFlight = 0;
  /** When bulk work last ran (performance.now()); -Infinity: never. */
  private lastBulk = Number.NEGATIVE_INFINITY;
  /** The SETs in flight, in order: two connections' SETs could otherwise reach DuckDB swapped. */
  private setting: Promise<void> = Promise.resolve();

  /** `max`: the threads DuckDB was opened with; `adaptive`: false when the count was pinned. */
  constructor(
    readonly max: number,
    readonly adaptive: boolean,
    private readonly quietMs: number = DEFAULT_QUIET_MS,
  ) {
    this.current = max;
  }

  /** The thread count set now. */
  get threads(): number {
    return this.current;
  }

  /** Runs bulk work with every thread; light work settling meanwhile leaves them up. */
  async bulk<T>(conn: Connection, fn: () => Promise<T>): Promise<T> {
    const release = await this.hold(conn);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Keeps every thread up until the returned function is called: for bulk work that outlives one
   * call, such as a pull query whose rows are read at the pace of its client.
   */
  async hold(conn: Connection): Promise<() => void> {
    this.bulkInFlight++;
    try {
      await this.set(conn, this.max);
    } catch (e) {
      this.bulkInFlight--;
      throw e;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.bulkInFlight--;
      this.lastBulk = performance.now();
    };
  }

  /**
   * Called after light work (a small batch, outside its transaction): lowers DuckDB to one thread
   * once no bulk work ran for `quietMs`.
   */
  async settle(conn: Connection): Promise<void> {
    if (this.bulkInFlight > 0 || performance.now() - this.lastBulk < this.quietMs) return;
    await this.set(conn, 1);
  }

  private async set(conn: Connection, threads: number): Promise<void> {
    if (!this.adaptive || this.current === threads) return;
    // noted first: a bulk call arriving while the SET runs must not see the old count and skip its own
    this.current = threads;
    const done = this.setting.then(() => conn.run(`SET threads = ${threads}`));
    this.setting = done.catch(() => undefined);
    await done;
  }
}
