/** INSERT / UPDATE / DELETE: plain DuckDB over the main database (pull queries: pull-query.ts). */
import { KIND_NAMES } from '../catalog/catalog.js';
import type { CatalogObject, TableObject } from '../catalog/types.js';
import type { Insert, UpdateOrDelete } from '../sql/ast.js';
import { PUSH_CONNECTOR } from '../connectors/push/source.js';
import { isKeyed } from '../catalog/keyed-source.js';
import { EddyError } from '../util/errors.js';
import type { EngineContext } from './context.js';
import { insertIntoPushSource } from './push-storage.js';
import { commandResult, type StatementResult } from './statement-result.js';
import { runTableDml } from './table-dml.js';

export async function insert(ctx: EngineContext, stmt: Insert): Promise<StatementResult> {
  const target = lookup(ctx, stmt.table, 'INSERT INTO');
  if (target.kind === 'source') {
    if (target.connector !== PUSH_CONNECTOR) {
      throw new EddyError('WRONG_OBJECT_TYPE', `cannot INSERT INTO source "${target.name}": it reads from the ${target.connector} connector`, {
        position: stmt.start,
        hint: 'INSERT works on sources created without a connector, and on tables',
      });
    }
    if (stmt.conflict !== null || stmt.or !== null || stmt.returning) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', `INSERT INTO source "${target.name}": ${stmt.returning ? 'RETURNING' : 'ON CONFLICT'} is not supported: a source appends every row`, {
        position: stmt.start,
        hint: 'upsert into a table with a PRIMARY KEY',
      });
    }
    const count = await insertIntoPushSource(ctx, target, stmt);
    return commandResult(`INSERT 0 ${count}`);
  }
  const table = requireTable(target, 'INSERT INTO', stmt);
  return commandResult(`INSERT 0 ${await runTableDml(ctx, stmt, table, `INSERT INTO ${stmt.table}`)}`);
}

export async function updateOrDelete(ctx: EngineContext, stmt: UpdateOrDelete): Promise<StatementResult> {
  const verb = stmt.kind === 'update' ? 'UPDATE' : 'DELETE FROM';
  const target = lookup(ctx, stmt.table, verb);
  if (stmt.kind === 'delete' && target.kind === 'source' && target.connector === PUSH_CONNECTOR && isKeyed(target)) {
    if (stmt.from !== null || stmt.returning) {
      throw new EddyError('FEATURE_NOT_SUPPORTED', `DELETE FROM source "${target.name}": ${stmt.returning ? 'RETURNING' : 'USING'} is not supported on a source`, { position: stmt.start });
    }
    return commandResult(`DELETE ${await ctx.push.deleteRows(ctx.conn, target, stmt.alias, stmt.where)}`);
  }
  const table = requireTable(target, verb, stmt);
  const count = await runTableDml(ctx, stmt, table, `${verb} ${stmt.table}`);
  return commandResult(`${stmt.kind === 'update' ? 'UPDATE' : 'DELETE'} ${count}`);
}

function lookup(ctx: EngineContext, name: string, verb: string): CatalogObject {
  const object = ctx.catalog.get(name);
  if (!object) throw new EddyError('UNDEFINED_TABLE', `${verb} ${name}: relation "${name}" does not exist`);
  return object;
}

function requireTable(object: CatalogObject, verb: string, stmt: Insert | UpdateOrDelete): TableObject {
  if (object.kind === 'table') return object;
  const why = object.kind === 'source' ? (isKeyed(object) ? 'a keyed source takes INSERT (which replaces the row with its key) and DELETE' : 'sources are append-only') : 'its contents are computed from its query';
  throw new EddyError('WRONG_OBJECT_TYPE', `cannot ${verb} ${KIND_NAMES[object.kind]} "${object.name}": ${why}`, {
    position: stmt.start,
    hint: object.kind === 'source' ? 'INSERT INTO the source appends rows (a source with a PRIMARY KEY upserts them); UPDATE and DELETE work on tables' : 'change the data it reads instead',
  });
}
