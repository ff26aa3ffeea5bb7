/** INSERT / UPDATE / DELETE and pull queries (SELECT): plain DuckDB over the main database. */
import { KIND_NAMES } from '../catalog/catalog.js';
import { referencedRelations } from '../catalog/references.js';
import type { CatalogObject } from '../catalog/types.js';
import type { Insert, Select, UpdateOrDelete } from '../sql/ast.js';
import { PUSH_CONNECTOR } from '../connectors/sources/push.js';
import { EddyError } from '../util/errors.js';
import type { EngineContext } from './context.js';
import { wrapDuckError } from './duck-errors.js';
import { insertIntoPushSource } from './push-storage.js';
import { commandResult, rowsResult, type StatementResult } from './statement-result.js';

export async function insert(ctx: EngineContext, stmt: Insert): Promise<StatementResult> {
  const target = lookup(ctx, stmt.table, 'INSERT INTO');
  if (target.kind === 'source') {
    if (target.connector !== PUSH_CONNECTOR) {
      throw new EddyError('WRONG_OBJECT_TYPE', `cannot INSERT INTO source "${target.name}": it reads from the ${target.connector} connector`, {
        position: stmt.start,
        hint: 'INSERT works on sources created without a connector, and on tables',
      });
    }
    const count = await insertIntoPushSource(ctx, target, stmt);
    return commandResult(`INSERT 0 ${count}`);
  }
  requireTable(target, 'INSERT INTO', stmt);
  return commandResult(`INSERT 0 ${await changedRows(ctx, stmt, `INSERT INTO ${stmt.table}`)}`);
}

export async function updateOrDelete(ctx: EngineContext, stmt: UpdateOrDelete): Promise<StatementResult> {
  const verb = stmt.kind === 'update' ? 'UPDATE' : 'DELETE FROM';
  requireTable(lookup(ctx, stmt.table, verb), verb, stmt);
  const count = await changedRows(ctx, stmt, `${verb} ${stmt.table}`);
  return commandResult(`${stmt.kind === 'update' ? 'UPDATE' : 'DELETE'} ${count}`);
}

/** A pull query: runs once on DuckDB over tables, push sources and the results of materialized views. */
export async function select(ctx: EngineContext, stmt: Select): Promise<StatementResult> {
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
  try {
    const result = await ctx.conn.queryOne(stmt.query.text, ['select'], 'a SELECT');
    return rowsResult(result.columns, result.rows);
  } catch (e) {
    const error = wrapDuckError(e, 'SELECT', stmt.start);
    const missing = /with name "?([^" ]+)"? does not exist/.exec(error.message)?.[1];
    const view = missing ? ctx.catalog.get(missing) : undefined;
    if (error.code === 'UNDEFINED_TABLE' && view?.kind === 'view') {
      throw new EddyError('FEATURE_NOT_SUPPORTED', `view "${view.name}" reads streaming data and cannot be read by a one-off SELECT`, {
        position: stmt.start,
        hint: `create a materialized view from its query and SELECT from that`,
        cause: e,
      });
    }
    throw error;
  }
}

function lookup(ctx: EngineContext, name: string, verb: string): CatalogObject {
  const object = ctx.catalog.get(name);
  if (!object) throw new EddyError('UNDEFINED_TABLE', `${verb} ${name}: relation "${name}" does not exist`);
  return object;
}

function requireTable(object: CatalogObject, verb: string, stmt: Insert | UpdateOrDelete): void {
  if (object.kind === 'table') return;
  const why = object.kind === 'source' ? 'sources are append-only' : 'its contents are computed from its query';
  throw new EddyError('WRONG_OBJECT_TYPE', `cannot ${verb} ${KIND_NAMES[object.kind]} "${object.name}": ${why}`, {
    position: stmt.start,
    hint: object.kind === 'source' ? 'INSERT INTO the source appends rows; UPDATE and DELETE work on tables' : 'change the data it reads instead',
  });
}

/** Runs an INSERT/UPDATE/DELETE on DuckDB; DuckDB answers with the number of rows changed. */
async function changedRows(ctx: EngineContext, stmt: Insert | UpdateOrDelete, what: string): Promise<number> {
  try {
    const { rows } = await ctx.conn.queryOne(stmt.sql, [stmt.kind], what);
    return Number(rows[0]?.[0] ?? 0);
  } catch (e) {
    throw wrapDuckError(e, what, stmt.start);
  }
}
