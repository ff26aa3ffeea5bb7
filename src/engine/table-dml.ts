/**
 * INSERT / UPDATE / DELETE on a table. DuckDB runs the statement as written; while a continuous
 * query reads the table, the statement's changes are appended to the table's changelog in the same
 * transaction (connectors/table/changelog.ts), numbered with the statement's sequence number:
 *
 * - INSERT (also ON CONFLICT DO NOTHING, INSERT OR IGNORE): what `RETURNING *` gives, inserted.
 * - UPDATE and DELETE: the rows they will change are read first, with the statement's own FROM /
 *   USING and WHERE, and retracted; UPDATE's `RETURNING *` gives the new versions, inserted.
 * - Upserts (ON CONFLICT DO UPDATE, INSERT OR REPLACE): `RETURNING *` gives the new version of each
 *   row inserted or updated; the old versions of those keys are read on a second connection, which
 *   does not see the statement's uncommitted changes, and retracted.
 *
 * RETURNING's rows go from DuckDB's result to a temp table chunk by chunk (Connection.queryOneInto),
 * so no value passes through JS.
 */
import type { TableObject } from '../catalog/types.js';
import { changelogTable, tableChangelogs } from '../connectors/table/changelog.js';
import { quoteIdent, type Connection } from '../duck/index.js';
import type { Insert, UpdateOrDelete } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';
import type { EngineContext } from './context.js';
import { wrapDuckError } from './duck-errors.js';
import { readByQueries, readersHold } from './input-readers.js';

type Dml = Insert | UpdateOrDelete;

const ROWS = '__dml_rows';
const OLD = '__dml_old';
const KEYS = '__dml_keys';

/** Whether the statement may change rows already in the table (so an APPEND ONLY table refuses it). */
function changesExistingRows(stmt: Dml): boolean {
  if (stmt.kind !== 'insert') return true;
  return stmt.or === 'replace' || stmt.conflict?.action === 'update';
}

function isUpsert(stmt: Dml): stmt is Insert {
  return stmt.kind === 'insert' && changesExistingRows(stmt);
}

/** Runs a DML statement on a table; returns the number of rows it changed. */
export async function runTableDml(ctx: EngineContext, stmt: Dml, table: TableObject, what: string): Promise<number> {
  if (table.appendOnly && changesExistingRows(stmt)) {
    throw new EddyError('WRONG_OBJECT_TYPE', `${what}: table "${table.name}" is APPEND ONLY: its rows can be inserted, not changed`, {
      position: stmt.start,
      hint: 'only INSERT (and ON CONFLICT DO NOTHING) works on an APPEND ONLY table; create it without APPEND ONLY to update and delete',
    });
  }
  if (!readByQueries(ctx, table.name)) return plainRun(ctx.conn, stmt, what);
  if (stmt.returning) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `${what}: RETURNING is not supported on a table that continuous queries read`, {
      position: stmt.start,
      hint: 'run the statement without RETURNING, and SELECT the rows it changed',
    });
  }
  const changelogs = tableChangelogs(ctx.db);
  const conn = ctx.conn;
  try {
    const seq = await changelogs.nextSequence(conn, table.name);
    const hold = readersHold(ctx, table.name);
    const trim = hold === null ? null : changelogs.trimSql(table.name, hold);
    const count = await conn.transaction(async () => {
      const changes = quoteIdent(changelogTable(table.name));
      const rows = await captureChanges(ctx, stmt, table, what, seq, changes);
      // what every reader has committed is read by none again
      if (trim !== null) await conn.run(trim.sql);
      return rows;
    });
    if (trim !== null) changelogs.trimmed(table.name, trim.upTo);
    // a statement that changed nothing left no row numbered seq: the number is not used, or after a
    // restart (which finds the last number in the changelog) it would be given again to a statement
    // that readers past seq would never read
    if (count === 0) changelogs.forget(table.name);
    else changelogs.committed(table.name, seq);
    return count;
  } catch (e) {
    changelogs.forget(table.name);
    throw wrapDuckError(e, what, stmt.start);
  }
}

async function plainRun(conn: Connection, stmt: Dml, what: string): Promise<number> {
  try {
    const { rows } = await conn.queryOne(stmt.sql, [stmt.kind], what);
    return Number(rows[0]?.[0] ?? 0);
  } catch (e) {
    throw wrapDuckError(e, what, stmt.start);
  }
}

/** Runs the statement and appends its changes, inside the caller's transaction; returns its row count. */
async function captureChanges(ctx: EngineContext, stmt: Dml, table: TableObject, what: string, seq: number, changes: string): Promise<number> {
  const conn = ctx.conn;
  const name = quoteIdent(table.name);
  if (stmt.kind === 'delete') {
    const before = await retractTargets(conn, stmt, table, seq, changes, what);
    const { rows } = await conn.queryOne(stmt.sql, ['delete'], what);
    return checkedCount(Number(rows[0]?.[0] ?? 0), before, what);
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${ROWS} AS SELECT * FROM ${name} LIMIT 0`);
  if (stmt.kind === 'update') {
    const before = await retractTargets(conn, stmt, table, seq, changes, what);
    const count = await conn.queryOneInto(returning(stmt.sql), ['update'], what, ROWS);
    if (stmt.from !== null && count > before) {
      // DuckDB updates (and returns) a row once per FROM row it matches; which update wins is not defined
      throw new EddyError('CARDINALITY_VIOLATION', `${what}: its FROM list matches some rows of "${table.name}" more than once (${count} updates of ${before} rows), so which new value each gets is not defined`, {
        position: stmt.start,
        hint: 'make the FROM list match each row to update at most once, e.g. aggregate it by the join key first',
      });
    }
    await conn.run(`INSERT INTO ${changes} SELECT *, ${seq}, 1 FROM ${ROWS}`);
    return checkedCount(count, before, what);
  }
  const count = await conn.queryOneInto(returning(stmt.sql), ['insert'], what, ROWS);
  if (isUpsert(stmt)) await retractReplaced(ctx, stmt, table, seq, changes, what);
  await conn.run(`INSERT INTO ${changes} SELECT *, ${seq}, 1 FROM ${ROWS}`);
  return count;
}

/** The statement with `RETURNING *`, on a line of its own so that a trailing -- comment ends before it. */
function returning(sql: string): string {
  return `${sql}\nRETURNING *`;
}

/**
 * Retracts the rows an UPDATE or DELETE is about to change: those its FROM / USING and WHERE select,
 * each once (a row matching several FROM rows is changed once). Returns how many.
 */
async function retractTargets(conn: Connection, stmt: UpdateOrDelete, table: TableObject, seq: number, changes: string, what: string): Promise<number> {
  const name = quoteIdent(table.name);
  const target = stmt.alias === null ? name : `${name} AS ${quoteIdent(stmt.alias)}`;
  const qualifier = stmt.alias === null ? name : quoteIdent(stmt.alias);
  const where = stmt.where === null ? '' : ` WHERE (\n${stmt.where}\n)`;
  const rows = stmt.from === null
    ? `SELECT ${qualifier}.* FROM ${target}${where}`
    : `SELECT * FROM ${name} WHERE rowid IN (SELECT ${qualifier}.rowid FROM ${target}, \n${stmt.from}\n${where})`;
  const { rows: result } = await conn.queryOne(`INSERT INTO ${changes} SELECT *, ${seq}, -1 FROM (${rows})`, ['insert'], `the rows of ${what}`);
  return Number(result[0]?.[0] ?? 0);
}

/**
 * The rows an UPDATE or DELETE changed are the rows it selected: a WHERE that picks differently when
 * run twice (random()) would make the changelog wrong, so the statement fails instead.
 */
function checkedCount(count: number, selected: number, what: string): number {
  if (count !== selected) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `${what}: the statement changed ${count} rows where its WHERE selected ${selected}: the rows it changes must not depend on when they are read`, {
      hint: 'avoid random() and other volatile functions in the WHERE of a table that continuous queries read',
    });
  }
  return count;
}

/**
 * For an upsert: retracts the old versions of the rows it inserted or updated (in ROWS), found by
 * the conflict's key on a second connection, which still sees the table as it was.
 */
async function retractReplaced(ctx: EngineContext, stmt: Insert, table: TableObject, seq: number, changes: string, what: string): Promise<void> {
  const key = stmt.conflict?.target ?? table.primaryKey ?? [];
  if (key.length === 0) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `${what}: an upsert on table "${table.name}" needs its PRIMARY KEY or a conflict target to know which rows it replaced`, {
      position: stmt.start,
      hint: 'name the conflict target: ON CONFLICT (column, ...) DO UPDATE SET ...',
    });
  }
  const conn = ctx.conn;
  const name = quoteIdent(table.name);
  const keyList = key.map(quoteIdent).join(', ');
  const side = await ctx.db.connect();
  try {
    await side.run(`CREATE OR REPLACE TEMP TABLE ${KEYS} AS SELECT ${keyList} FROM ${name} LIMIT 0`);
    await conn.queryOneInto(`SELECT ${keyList} FROM ${ROWS}`, ['select'], `the keys of ${what}`, KEYS, side);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${OLD} AS SELECT * FROM ${name} LIMIT 0`);
    const matches = key.map((k) => `t.${quoteIdent(k)} IS NOT DISTINCT FROM k.${quoteIdent(k)}`).join(' AND ');
    await side.queryOneInto(`SELECT t.* FROM ${name} AS t SEMI JOIN ${KEYS} AS k ON ${matches}`, ['select'], `the rows replaced by ${what}`, OLD, conn);
    await side.run(`DROP TABLE IF EXISTS ${KEYS}`);
  } finally {
    side.close();
  }
  await conn.run(`INSERT INTO ${changes} SELECT *, ${seq}, -1 FROM ${OLD}`);
}
