/**
 * The engine's side of table changelogs (connectors/table/changelog.ts): made with the table, made
 * at start-up for tables recorded before changelogs were, emptied once no query reads the table.
 */
import type { TableObject } from '../catalog/types.js';
import { tableChangelogs } from '../connectors/table/changelog.js';
import type { EngineContext } from './context.js';
import { readByQueries } from './input-readers.js';

export async function createTableChangelog(ctx: EngineContext, table: TableObject): Promise<void> {
  await tableChangelogs(ctx.db).create(ctx.conn, table);
}

export async function dropTableChangelog(ctx: EngineContext, name: string): Promise<void> {
  await tableChangelogs(ctx.db).drop(ctx.conn, name);
}

/**
 * Empties the changelogs of `tables` that no query reads any more (a dropped query's tables; at
 * start-up, every table): while none reads it, DML records no changes, and a new reader starts from
 * the table's contents.
 */
export async function releaseUnreadChangelogs(ctx: EngineContext, tables: Iterable<string>): Promise<void> {
  for (const name of tables) {
    const object = ctx.catalog.get(name);
    if (object?.kind !== 'table' || readByQueries(ctx, name)) continue;
    await tableChangelogs(ctx.db).clear(ctx.conn, name);
  }
}
