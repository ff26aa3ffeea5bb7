/** DROP (with IF EXISTS and CASCADE) and ALTER ... PAUSE | RESUME | RESET. */
import { dropTableChangelog, releaseUnreadChangelogs } from './table-storage.js';
import { KIND_NAMES } from '../catalog/catalog.js';
import type { CatalogObject, SourceObject } from '../catalog/types.js';
import { quoteIdent } from '../duck/index.js';
import type { Alter, Drop, ObjectKind } from '../sql/ast.js';
import { PUSH_CONNECTOR } from '../connectors/push/source.js';
import { sourceConnector } from '../connectors/registry.js';
import { asEddyError, EddyError } from '../util/errors.js';
import { removeQueryDir } from '../checkpoint/query-dir.js';
import type { QueryObject } from '../catalog/types.js';
import { createResultView } from './create.js';
import { buildContinuousQuery } from './pipeline.js';
import { logDdl, type EngineContext } from './context.js';
import { wrapDuckError } from './duck-errors.js';
import { settleUpstreams } from './input-readers.js';
import { dropPushStorage } from './push-storage.js';
import { commandResult, type StatementResult } from './statement-result.js';

const DROP_TAGS: Readonly<Record<ObjectKind, string>> = {
  source: 'DROP SOURCE',
  table: 'DROP TABLE',
  view: 'DROP VIEW',
  materialized_view: 'DROP MATERIALIZED VIEW',
  sink: 'DROP SINK',
};

export async function drop(ctx: EngineContext, stmt: Drop): Promise<StatementResult> {
  const notices: string[] = [];
  const dropped: string[] = [];
  for (const name of stmt.names) {
    const object = ctx.catalog.get(name);
    if (!object) {
      if (stmt.ifExists) {
        notices.push(`${KIND_NAMES[stmt.objectKind]} "${name}" does not exist, skipping`);
        continue;
      }
      throw new EddyError('UNDEFINED_TABLE', `${KIND_NAMES[stmt.objectKind]} "${name}" does not exist`, { position: stmt.start });
    }
    requireKind(object, stmt.objectKind, 'DROP');
    for (const victim of ctx.catalog.dropOrder(name, stmt.cascade)) {
      if (victim.name !== name) notices.push(`drop cascades to ${KIND_NAMES[victim.kind]} "${victim.name}"`);
      await dropRuntime(ctx, victim);
      ctx.catalog.remove(victim.name);
      dropped.push(victim.name);
    }
  }
  if (dropped.length > 0) logDdl(ctx, { op: 'drop', sql: stmt.sql, names: dropped });
  return commandResult(DROP_TAGS[stmt.objectKind], notices);
}

export async function alter(ctx: EngineContext, stmt: Alter): Promise<StatementResult> {
  const object = ctx.catalog.get(stmt.name);
  if (!object) throw new EddyError('UNDEFINED_TABLE', `${KIND_NAMES[stmt.objectKind]} "${stmt.name}" does not exist`, { position: stmt.start });
  requireKind(object, stmt.objectKind, 'ALTER');
  const tag = stmt.objectKind === 'sink' ? 'ALTER SINK' : 'ALTER MATERIALIZED VIEW';
  if (stmt.action === 'reset') {
    await reset(ctx, object as QueryObject);
    return commandResult(tag);
  }
  const handle = ctx.queries.get(stmt.name);
  if (!handle?.query) {
    throw new EddyError('OBJECT_IN_USE', `${KIND_NAMES[object.kind]} "${stmt.name}" is not running: ${handle?.startError?.message ?? 'no query'}`);
  }
  if (stmt.action === 'pause') await handle.query.pause();
  else if (handle.query.status === 'stopped') handle.query.start(); // paused before a restart: never started
  else handle.query.resume();
  logDdl(ctx, { op: 'alter', sql: stmt.sql, name: stmt.name, action: stmt.action });
  return commandResult(tag);
}

/**
 * ALTER ... RESET: discards the query's state and checkpoints (its result table, offsets, commits and
 * metadata, including its id) and starts it again from the beginning of its sources, from the SQL
 * in the catalog. A paused query stays paused. Not logged: the deleted directory is the record, and
 * a crash part-way leaves a query that starts from the beginning either way.
 */
async function reset(ctx: EngineContext, object: QueryObject): Promise<void> {
  const readers = [...ctx.queries.values()].filter((h) => h.plan?.sources.includes(object.name)).map((h) => h.object.name);
  if (readers.length > 0) {
    // their offsets are this view's batch ids, which a reset starts again from 0
    throw new EddyError('OBJECT_IN_USE', `cannot reset materialized view "${object.name}": ${readers.map((r) => `"${r}"`).join(', ')} ${readers.length > 1 ? 'read' : 'reads'} its changes`, {
      hint: `reset or drop ${readers.length > 1 ? 'them' : 'it'} first`,
    });
  }
  const handle = ctx.queries.get(object.name);
  const paused = handle?.query?.status === 'paused' || handle?.query?.status === 'stopped';
  if (handle?.query) await handle.query.drop('reset');
  else await removeQueryDir(ctx.dataDir, object.name);
  try {
    const built = await buildContinuousQuery(object.sql, ctx, true);
    if (object.kind === 'materialized_view') await createResultView(ctx, object.name, built.query.resultRelation);
    ctx.queries.set(object.name, { object, plan: built.plan, query: built.query, startError: null });
    await settleUpstreams(ctx, built.plan);
    if (!paused) built.query.start();
  } catch (e) {
    const error = asEddyError(e, 'QUERY_FAILED', `resetting ${KIND_NAMES[object.kind]} "${object.name}"`);
    ctx.queries.set(object.name, { object, plan: null, query: null, startError: error });
    throw error;
  }
}

function requireKind(object: CatalogObject, kind: ObjectKind, verb: string): void {
  if (object.kind === kind) return;
  throw new EddyError('WRONG_OBJECT_TYPE', `"${object.name}" is a ${KIND_NAMES[object.kind]}, not a ${KIND_NAMES[kind]}`, {
    hint: `use ${verb} ${KIND_NAMES[object.kind].toUpperCase()} ${object.name}`,
  });
}

/** Releases what an object holds outside the catalog: its query and state, DuckDB objects, storage. */
async function dropRuntime(ctx: EngineContext, object: CatalogObject): Promise<void> {
  try {
    switch (object.kind) {
      case 'materialized_view':
      case 'sink': {
        const handle = ctx.queries.get(object.name);
        await handle?.query?.drop();
        ctx.queries.delete(object.name);
        await releaseUnreadChangelogs(ctx, handle?.plan?.sources ?? []);
        if (object.kind === 'materialized_view') await ctx.conn.run(`DROP VIEW IF EXISTS ${quoteIdent(object.name)}`);
        return;
      }
      case 'view':
        await ctx.conn.run(`DROP VIEW IF EXISTS ${quoteIdent(object.name)}`);
        return;
      case 'table':
        await ctx.conn.run(`DROP TABLE IF EXISTS ${quoteIdent(object.name)}`);
        await dropTableChangelog(ctx, object.name);
        return;
      case 'source':
        if ((object as SourceObject).connector === PUSH_CONNECTOR) await dropPushStorage(ctx, object);
        else await sourceConnector((object as SourceObject).connector).dropped?.(object as SourceObject, ctx.connectors);
        return;
    }
  } catch (e) {
    throw wrapDuckError(e, `dropping ${KIND_NAMES[object.kind]} ${object.name}`);
  }
}
