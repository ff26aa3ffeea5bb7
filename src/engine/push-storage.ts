/**
 * The engine's side of push sources (sources without a connector, fed by INSERT): their storage in
 * the main database belongs to the push connector's store; this file adapts it to statements.
 */
import type { SourceObject } from '../catalog/types.js';
import type { Insert } from '../sql/ast.js';
import type { EngineContext } from './context.js';

export async function createPushStorage(ctx: EngineContext, source: SourceObject): Promise<void> {
  await ctx.push.create(ctx.conn, source);
}

/** At start-up: the storage is already in eddy.duckdb; creating it again is a no-op that checks it. */
export async function openPushStorage(ctx: EngineContext, source: SourceObject): Promise<void> {
  await ctx.push.create(ctx.conn, source);
}

export async function dropPushStorage(ctx: EngineContext, source: SourceObject): Promise<void> {
  await ctx.push.drop(ctx.conn, source.name);
}

/** Appends the rows of INSERT INTO source ...; returns how many. */
export async function insertIntoPushSource(ctx: EngineContext, source: SourceObject, stmt: Insert): Promise<number> {
  const { rows } = await ctx.push.insert(ctx.conn, source, stmt.columns, stmt.body);
  return rows;
}
