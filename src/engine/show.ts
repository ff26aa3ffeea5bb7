/** SHOW SOURCES | TABLES | VIEWS | MATERIALIZED VIEWS | SINKS | QUERIES, SHOW PROGRESS, SHOW CREATE. */
import { KIND_NAMES } from '../catalog/catalog.js';
import { redactOptions, redactSql } from '../catalog/secrets.js';
import type { CatalogObject, CatalogObjectKind, Column } from '../catalog/types.js';
import { quoteIdent } from '../duck/index.js';
import type { Show } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';
import { backfillProgress } from './backfill-progress.js';
import type { EngineContext, QueryHandle } from './context.js';
import { rowsResult, type StatementResult } from './statement-result.js';

const text = (name: string) => ({ name, type: 'VARCHAR' });
const bigint = (name: string) => ({ name, type: 'BIGINT' });

export async function show(ctx: EngineContext, stmt: Show): Promise<StatementResult> {
  const target = stmt.target;
  switch (target.what) {
    case 'sources':
      return rowsResult(
        [text('name'), text('connector'), text('columns'), text('watermark'), text('options')],
        objects(ctx, 'source').map((o) => (o.kind === 'source' ? [o.name, o.connector, columnList(o.columns), o.watermark ? `${o.watermark.column} AS ${o.watermark.expr}` : null, json(redactOptions(o.options))] : [])),
      );
    case 'tables':
      return rowsResult([text('name'), text('columns')], objects(ctx, 'table').map((o) => [o.name, columnList(o.columns)]));
    case 'views':
      return rowsResult(
        [text('name'), text('columns'), text('query')],
        objects(ctx, 'view').map((o) => [o.name, columnList(o.columns), o.kind === 'view' ? o.query.text : null]),
      );
    case 'materialized_views':
      return rowsResult(
        [text('name'), text('status'), text('columns'), text('query')],
        objects(ctx, 'materialized_view').map((o) => [o.name, status(ctx.queries.get(o.name)), columnList(o.columns), o.kind === 'materialized_view' ? o.query.text : null]),
      );
    case 'sinks':
      return rowsResult(
        [text('name'), text('status'), text('connector'), text('output_mode'), text('input'), text('options')],
        objects(ctx, 'sink').map((o) =>
          o.kind === 'sink' ? [o.name, status(ctx.queries.get(o.name)), o.connector, String(o.options.output_mode ?? ''), o.from ?? o.query.text, json(redactOptions(o.options))] : [],
        ),
      );
    case 'queries':
      return showQueries(ctx);
    case 'progress': {
      const handle = queryHandle(ctx, target.name);
      const progress = handle.query?.progress() ?? [];
      return rowsResult([bigint('batch_id'), { name: 'progress', type: 'JSON' }], progress.map((p) => [p.batchId, json(p)]));
    }
    case 'create': {
      const object = ctx.catalog.get(target.name);
      if (!object || (target.objectKind && target.objectKind !== object.kind)) {
        const what = target.objectKind ? KIND_NAMES[target.objectKind] : 'relation';
        throw new EddyError('UNDEFINED_TABLE', `${what} "${target.name}" does not exist`, { position: stmt.start });
      }
      return rowsResult([text('name'), text('kind'), text('create_sql')], [[object.name, KIND_NAMES[object.kind], redactSql(object.sql)]]);
    }
  }
}

/** One row per continuous query: its status, last batch, rows read, (materialized views) rows held, and how far a running backfill got. */
async function showQueries(ctx: EngineContext): Promise<StatementResult> {
  const rows: unknown[][] = [];
  for (const handle of ctx.queries.values()) {
    const progress = handle.query?.progress() ?? [];
    const last = progress[progress.length - 1];
    const inputRows = progress.reduce((sum, p) => sum + p.numInputRows, 0);
    const backfill = handle.query ? backfillProgress(handle.query) : null;
    rows.push([handle.object.name, KIND_NAMES[handle.object.kind], status(handle), last?.batchId ?? null, inputRows, await resultRows(ctx, handle), errorOf(handle), backfill]);
  }
  return rowsResult([text('name'), text('kind'), text('status'), bigint('last_batch'), bigint('input_rows'), bigint('result_rows'), text('error'), text('backfill')], rows);
}

async function resultRows(ctx: EngineContext, handle: QueryHandle): Promise<number | null> {
  if (handle.object.kind !== 'materialized_view' || !handle.query) return null;
  try {
    return Number(await ctx.conn.scalar(`SELECT count(*) FROM ${quoteIdent(handle.object.name)}`));
  } catch {
    return null;
  }
}

export function queryHandle(ctx: EngineContext, name: string): QueryHandle {
  const handle = ctx.queries.get(name);
  if (!handle) {
    const object = ctx.catalog.get(name);
    throw new EddyError(
      object ? 'WRONG_OBJECT_TYPE' : 'UNDEFINED_TABLE',
      object ? `${KIND_NAMES[object.kind]} "${name}" is not a continuous query` : `materialized view or sink "${name}" does not exist`,
    );
  }
  return handle;
}

export function status(handle: QueryHandle | undefined): string {
  return handle?.query?.status ?? 'failed';
}

export function errorOf(handle: QueryHandle): string | null {
  return handle.query?.lastError?.message ?? handle.startError?.message ?? null;
}

function objects(ctx: EngineContext, kind: CatalogObjectKind): CatalogObject[] {
  return ctx.catalog.list().filter((o) => o.kind === kind);
}

function columnList(columns: readonly Column[]): string {
  return columns.map((c) => `${c.name} ${c.type}`).join(', ');
}

function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
