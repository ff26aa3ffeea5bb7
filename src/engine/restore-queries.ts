/**
 * Builds every continuous query of the catalog again from its SQL, resuming from its checkpoint:
 * at start-up (Engine.open) and after the database was reopened (storage-recovery.ts). Push-source
 * storage is checked first, since queries read it.
 */
import { PUSH_CONNECTOR } from '../connectors/push/source.js';
import { quoteLiteral } from '../duck/index.js';
import { storageFault } from '../duck/storage-fault.js';
import type { StreamingQuery } from '../exec/streaming-query.js';
import { asEddyError, type EddyError } from '../util/errors.js';
import type { EngineContext, QueryHandle } from './context.js';
import { createResultView } from './create.js';
import { LATE_ROWS_VIEW, refreshLateRowsView } from './late-rows.js';
import { buildContinuousQuery } from './pipeline.js';
import { openPushStorage } from './push-storage.js';
import { createTableChangelog, releaseUnreadChangelogs } from './table-storage.js';

/** What becomes of a rebuilt query: it runs, waits (paused before), or stays failed with its error. */
export type Resumption = { readonly kind: 'start' } | { readonly kind: 'leave' } | { readonly kind: 'failed'; readonly error: EddyError };

export interface RestoreOptions {
  /** A query's fate, by name. */
  readonly resumption: (name: string) => Resumption;
  /**
   * After a reopen, a storage fault fails the whole attempt (it is tried again), and nothing starts
   * until every query is built; at start-up a query that cannot be built is kept failed instead.
   */
  readonly allOrNothing: boolean;
  /** Problems to report (start-up warnings). */
  readonly warn: (message: string) => void;
}

export async function restoreQueries(ctx: EngineContext, options: RestoreOptions): Promise<void> {
  const built: { handle: QueryHandle; query: StreamingQuery }[] = [];
  try {
    for (const object of ctx.catalog.list()) {
      if (object.kind === 'source' && object.connector === PUSH_CONNECTOR) {
        await keepIfWritesFail(ctx, object.name, async () => {
          const warning = await openPushStorage(ctx, object);
          if (warning !== null) options.warn(warning);
        });
      }
      if (object.kind === 'table') await keepIfWritesFail(ctx, object.name, () => createTableChangelog(ctx, object));
      if (object.kind !== 'materialized_view' && object.kind !== 'sink') continue;
      try {
        const query = await buildContinuousQuery(object.sql, ctx);
        if (object.kind === 'materialized_view') await keepIfWritesFail(ctx, object.name, () => createResultView(ctx, object.name, query.query.resultRelation));
        const handle: QueryHandle = { object, plan: query.plan, query: query.query, startError: null };
        ctx.queries.set(object.name, handle);
        built.push({ handle, query: query.query });
      } catch (e) {
        if (options.allOrNothing && storageFault(e)) throw e;
        const error = asEddyError(e, 'QUERY_FAILED');
        ctx.queries.set(object.name, { object, plan: null, query: null, startError: error });
        options.warn(`${object.kind === 'sink' ? 'sink' : 'materialized view'} "${object.name}" could not be restarted: ${error.message}`);
      }
    }
    await keepIfWritesFail(ctx, LATE_ROWS_VIEW, () => refreshLateRowsView(ctx));
    // a query dropped just before a crash may have left changes no query reads; only space is at
    // stake (a new reader starts from the contents), so a disk that refuses writes does not stop start-up
    await releaseUnreadChangelogs(ctx, ctx.catalog.list().filter((o) => o.kind === 'table').map((o) => o.name)).catch((e: unknown) => {
      if (!storageFault(e)) throw e;
      options.warn(`unread table changes were not emptied: ${(e as Error).message}`);
    });
  } catch (e) {
    if (options.allOrNothing) for (const b of built) await b.query.stop().catch(() => undefined);
    throw e;
  }
  for (const { handle, query } of built) {
    const fate = options.resumption(handle.object.name);
    if (fate.kind === 'start') query.start();
    else if (fate.kind === 'failed') query.markFailed(fate.error);
  }
}

/**
 * Runs a (re)creation of a DuckDB view that the database should already hold; when the write fails
 * on a full or read-only disk and the view is there, the one there is kept: a database reopened
 * while its storage refuses writes can still serve reads, and queries retry their own writes.
 */
async function keepIfWritesFail(ctx: EngineContext, view: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (storageFault(e)?.kind !== 'write_failed') throw e;
    const found = await ctx.conn.scalar(`SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = ${quoteLiteral(view)}`);
    if (Number(found) === 0) throw e;
  }
}
