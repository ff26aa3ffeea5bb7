/**
 * A pull query (SELECT): runs once on DuckDB over tables, push sources and the results of
 * materialized views, on a connection of its own (pull-connections.ts), and hands its rows over as
 * they come, so that a result of any size is served with bounded memory and can be cancelled.
 */
import { referencedRelations } from '../catalog/references.js';
import { PUSH_CONNECTOR } from '../connectors/push/source.js';
import type { ResultColumn, RowStream } from '../duck/index.js';
import { storageFault } from '../duck/storage-fault.js';
import type { Select } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';
import type { EngineContext } from './context.js';
import { wrapDuckError } from './duck-errors.js';
import type { PullConnections } from './pull-connections.js';
import { rowsResult, type StatementResult } from './statement-result.js';

/** Reads every row of a pull query (the CLI, the library's execute()). */
export async function collectRows(result: PullResult): Promise<StatementResult> {
  const rows: (readonly unknown[])[] = [];
  try {
    for (let chunk = await result.next(); chunk !== null; chunk = await result.next()) rows.push(...chunk);
  } finally {
    result.close();
  }
  return rowsResult(result.columns, rows);
}

/** A pull query's rows, read chunk by chunk; errors are EddyErrors (QUERY_CANCELED when cancelled). */
export interface PullResult {
  readonly columns: readonly ResultColumn[];
  /** Rows handed out so far. */
  readonly rowCount: number;
  /** The next rows (up to 2,048), or null at the end. */
  next(): Promise<readonly (readonly unknown[])[] | null>;
  /** Stops the query; DuckDB is interrupted if it is still working on it. */
  close(): void;
}

export async function pullQuery(ctx: EngineContext, pool: PullConnections, stmt: Select, signal?: AbortSignal): Promise<PullResult> {
  checkReadable(ctx, stmt);
  const conn = await pool.acquire(signal);
  let releaseThreads: (() => void) | null = null;
  const release = (): void => {
    releaseThreads?.();
    pool.release(conn);
  };
  try {
    releaseThreads = await ctx.db.threads.hold(conn);
    const stream = await conn.streamOne(stmt.query.text, ['select'], 'a SELECT', { signal, release });
    return new WrappedRows(stream, (e) => selectError(ctx, stmt, e));
  } catch (e) {
    if (releaseThreads === null) release();
    throw selectError(ctx, stmt, e);
  }
}

/** Unbounded sources cannot be read once, and sinks hold no rows. */
function checkReadable(ctx: EngineContext, stmt: Select): void {
  for (const name of referencedRelations(stmt.query.ast, ctx.catalog)) {
    const object = ctx.catalog.get(name);
    if (object?.kind === 'source' && object.connector !== PUSH_CONNECTOR) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', `source "${name}" is unbounded (${object.connector}) and cannot be read by a one-off SELECT`, {
        position: stmt.start,
        hint: `create a materialized view over it (CREATE MATERIALIZED VIEW m AS SELECT ... FROM ${name}) and SELECT from that`,
      });
    }
    if (object?.kind === 'sink') {
      throw new EddyError('WRONG_OBJECT_TYPE', `"${name}" is a sink; it has no rows to SELECT`, { position: stmt.start });
    }
  }
}

function selectError(ctx: EngineContext, stmt: Select, e: unknown): EddyError {
  const error = wrapDuckError(e, 'SELECT', stmt.start);
  const fault = storageFault(e);
  if (fault) ctx.reportStorageFault(fault); // an invalidated database: every connection is dead
  if (error.code === 'QUERY_CANCELED') return new EddyError('QUERY_CANCELED', 'canceling statement due to user request', { cause: e });
  const missing = /with name "?([^" ]+)"? does not exist/.exec(error.message)?.[1];
  const view = missing ? ctx.catalog.get(missing) : undefined;
  if (error.code === 'UNDEFINED_TABLE' && view?.kind === 'view') {
    return new EddyError('FEATURE_NOT_SUPPORTED', `view "${view.name}" reads streaming data and cannot be read by a one-off SELECT`, {
      position: stmt.start,
      hint: `create a materialized view from its query and SELECT from that`,
      cause: e,
    });
  }
  return error;
}

class WrappedRows implements PullResult {
  constructor(
    private readonly stream: RowStream,
    private readonly wrap: (e: unknown) => EddyError,
  ) {}

  get columns(): readonly ResultColumn[] {
    return this.stream.columns;
  }

  get rowCount(): number {
    return this.stream.rowCount;
  }

  async next(): Promise<readonly (readonly unknown[])[] | null> {
    let rows;
    try {
      rows = await this.stream.next();
    } catch (e) {
      throw this.wrap(e);
    }
    // closed by its signal (a cancel) before its end: the reader learns why
    if (rows === null && this.stream.interrupted) throw new EddyError('QUERY_CANCELED', 'canceling statement due to user request');
    return rows;
  }

  close(): void {
    this.stream.close();
  }
}
