/**
 * The engine's side of push sources (sources without a connector, fed by INSERT): their storage in
 * the main database belongs to the push connector's store; this file adapts it to statements.
 */
import type { SourceObject } from '../catalog/types.js';
import { parseStatement } from '../sql/index.js';
import type { Insert } from '../sql/ast.js';
import type { EngineContext } from './context.js';

export async function createPushStorage(ctx: EngineContext, source: SourceObject): Promise<void> {
  await ctx.push.create(ctx.conn, source);
}

/**
 * At start-up: the storage is already in eddy.duckdb; creating it again is a no-op that checks it.
 * Returns a warning for a source recorded before NOT NULL was: its columns still take NULL (rows
 * stored meanwhile may hold some), as the log records them; re-creating the source enforces it.
 */
export async function openPushStorage(ctx: EngineContext, source: SourceObject): Promise<string | null> {
  await ctx.push.create(ctx.conn, source);
  return unenforcedNotNull(source);
}

function unenforcedNotNull(source: SourceObject): string | null {
  let declared: readonly string[];
  try {
    const stmt = parseStatement(source.sql);
    declared = stmt.kind === 'create_source' ? (stmt.columns ?? []).filter((c) => c.notNull).map((c) => c.name) : [];
  } catch {
    return null;
  }
  const missing = declared.filter((name) => source.columns.some((c) => c.name === name && c.notNull !== true));
  if (missing.length === 0) return null;
  return `source "${source.name}" was created by an earlier Eddy that did not check NOT NULL: ${missing.map((m) => `"${m}"`).join(', ')} still ${missing.length > 1 ? 'take' : 'takes'} NULL; DROP and CREATE the source again to enforce it`;
}

export async function dropPushStorage(ctx: EngineContext, source: SourceObject): Promise<void> {
  await ctx.push.drop(ctx.conn, source.name);
}

/** Appends the rows of INSERT INTO source ...; returns how many. */
export async function insertIntoPushSource(ctx: EngineContext, source: SourceObject, stmt: Insert): Promise<number> {
  const { rows } = await ctx.push.insert(ctx.conn, source, stmt.columns, stmt.body);
  return rows;
}
