/**
 * A query's rows as DuckDB produces them, one chunk (up to 2,048 rows) at a time: a result of any
 * size is read with the memory of a chunk, at the pace of its reader, instead of all at once. Closing
 * it (or aborting its signal) interrupts DuckDB if DuckDB is working on it at that moment.
 */
import type { DuckDBPreparedStatement, DuckDBResult } from '@duckdb/node-api';
import type { ResultColumn } from './database.js';
import { fromDuckValue } from './values.js';

/** What a stream needs from its connection. */
export interface StreamConnection {
  /** Stops the statement DuckDB is running on the connection. */
  interrupt(): void;
  /** The stream ended (its rows ran out, it failed or it was closed): the connection is free again. */
  release(): void;
}

export class RowStream {
  private done = false;
  private rowsRead = 0;
  /** A fetch DuckDB is working on: closing meanwhile interrupts it, and the fetch ends the stream. */
  private fetching = false;
  private closing = false;

  private constructor(
    readonly columns: readonly ResultColumn[],
    private readonly result: DuckDBResult,
    private readonly prepared: DuckDBPreparedStatement,
    private readonly conn: StreamConnection,
    private readonly unlisten: () => void,
  ) {}

  /**
   * Starts a prepared statement as a streaming result. DuckDB runs a query until its first rows are
   * ready (all of an aggregate), so `signal` interrupts that start as well as any later fetch.
   */
  static async start(prepared: DuckDBPreparedStatement, conn: StreamConnection, signal?: AbortSignal): Promise<RowStream> {
    let stream: RowStream | null = null;
    const onAbort = (): void => (stream ? stream.close() : conn.interrupt());
    signal?.addEventListener('abort', onAbort, { once: true });
    const unlisten = (): void => signal?.removeEventListener('abort', onAbort);
    let result: DuckDBResult;
    try {
      if (signal?.aborted) throw new Error('INTERRUPT Error: Interrupted!');
      result = await prepared.stream();
    } catch (e) {
      unlisten();
      prepared.destroySync();
      conn.release();
      throw e;
    }
    // every column's type in one call: one call per column made a wide result quadratic
    const types = result.columnTypes();
    const columns = result.columnNames().map((name, i) => ({ name, type: String(types[i]) }));
    stream = new RowStream(columns, result, prepared, conn, unlisten);
    if (signal?.aborted) stream.close();
    return stream;
  }

  /** Rows handed out so far. */
  get rowCount(): number {
    return this.rowsRead;
  }

  /** Whether the stream ended because it was closed before its last row. */
  get interrupted(): boolean {
    return this.closing;
  }

  /** The next rows, or null once there are none (the stream is then closed). */
  async next(): Promise<unknown[][] | null> {
    if (this.done) return null;
    if (this.fetching) throw new Error('RowStream.next() called while a fetch runs');
    let chunk;
    this.fetching = true;
    try {
      chunk = await this.result.fetchChunk();
    } catch (e) {
      this.finish();
      throw e;
    } finally {
      this.fetching = false;
    }
    if (this.closing || !chunk || chunk.rowCount === 0) {
      this.finish();
      return null;
    }
    const rows = chunk.getRows().map((row) => row.map(fromDuckValue));
    this.rowsRead += rows.length;
    return rows;
  }

  /**
   * Stops reading. While DuckDB works on a fetch, it is interrupted and the fetch ends the stream;
   * otherwise the stream ends now. Safe to call more than once.
   */
  close(): void {
    if (this.done || this.closing) return;
    this.closing = true;
    if (this.fetching) this.conn.interrupt();
    else this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.unlisten();
    this.prepared.destroySync();
    this.conn.release();
  }
}
