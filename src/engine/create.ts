/** CREATE SOURCE | TABLE | VIEW | MATERIALIZED VIEW | SINK. */
import { KIND_NAMES } from '../catalog/catalog.js';
import { referencedRelations } from '../catalog/references.js';
import type { CatalogObject, Column, SourceObject, TableObject, ViewObject } from '../catalog/types.js';
import { sourceConnector } from '../connectors/registry.js';
import { PUSH_CONNECTOR } from '../connectors/push/source.js';
import { quoteIdent } from '../duck/index.js';
import { bindQuery } from '../plan/binder/index.js';
import type { CreateMaterializedView, CreateSink, CreateSource, CreateTable, CreateView, Options, WatermarkDef } from '../sql/ast.js';
import { watermarkOfMax } from '../exec/watermark.js';
import { EddyError } from '../util/errors.js';
import { log } from '../util/log.js';
import { logDdl, type EngineContext } from './context.js';
import { wrapDuckError } from './duck-errors.js';
import { buildContinuousQuery } from './pipeline.js';
import { DEFAULT_EXEC_TUNING } from '../exec/tuning.js';
import type { StreamingQuery } from '../exec/streaming-query.js';
import { createPushStorage } from './push-storage.js';
import { backfillProgress } from './backfill-progress.js';
import { commandResult, FinishAfterQueue, type StatementResult } from './statement-result.js';
import { KEYED_COMMAND, KEYED_POSITION } from '../catalog/keyed-source.js';
import { readByQueries, settleUpstreams } from './input-readers.js';
import { createTableChangelog, dropTableChangelog } from './table-storage.js';
import { RESERVED_TABLE_COLUMNS } from '../connectors/table/changelog.js';


export async function createSource(ctx: EngineContext, stmt: CreateSource): Promise<StatementResult> {
  const tag = 'CREATE SOURCE';
  if (ctx.catalog.has(stmt.name)) return alreadyExists(ctx, stmt.name, stmt.ifNotExists, tag);
  const { connector: connectorOption, ...options } = stmt.options;
  const connectorName = connectorOption === undefined ? PUSH_CONNECTOR : String(connectorOption);
  const connector = sourceConnector(connectorName);
  const declared: Column[] | null = stmt.columns ? stmt.columns.map((c) => (c.notNull ? { name: c.name, type: c.type, notNull: true } : { name: c.name, type: c.type })) : null;
  const declaredKey = (stmt.columns ?? []).filter((c) => c.primaryKey).map((c) => c.name);
  const validated = await connector.validate(stmt.name, declared, options, ctx.connectors, declaredKey);
  if (stmt.watermark && !validated.columns.some((c) => c.name === stmt.watermark?.column)) {
    throw new EddyError('UNDEFINED_COLUMN', `source "${stmt.name}": the watermark column "${stmt.watermark.column}" is not one of its columns`, {
      position: stmt.start,
    });
  }
  if (stmt.watermark) await checkWatermark(ctx, stmt, validated.columns, stmt.watermark);
  const primaryKey = checkSourceKey(stmt, connector.name, validated.options, validated.columns);
  const object: SourceObject = {
    kind: 'source',
    name: stmt.name,
    sql: stmt.sql,
    columns: validated.columns,
    watermark: stmt.watermark,
    connector: connector.name,
    options: validated.options,
    ...(primaryKey.length > 0 ? { primaryKey } : {}),
  };
  if (object.connector === PUSH_CONNECTOR) await createPushStorage(ctx, object);
  ctx.catalog.add(object);
  logDdl(ctx, { op: 'create', sql: stmt.sql, object, dependsOn: [] });
  return commandResult(tag);
}

/** The connector whose records are a table's changes by key: a source of it needs its PRIMARY KEY. */
const CDC_CONNECTOR = 'postgres-cdc';

/** Formats whose records are changes of keyed rows (Kafka): a source reading them needs its PRIMARY KEY. */
const KEYED_FORMATS: readonly string[] = ['upsert-json', 'debezium-json'];

/**
 * A PRIMARY KEY makes a source an upsert stream: push sources (INSERT replaces the key's row, DELETE
 * deletes it) and Kafka's keyed formats take one, and those formats need one. Returns its columns.
 */
function checkSourceKey(stmt: CreateSource, connector: string, options: Options, columns: readonly Column[]): string[] {
  const key = (stmt.columns ?? []).filter((c) => c.primaryKey).map((c) => c.name);
  const keyedFormat = (connector === 'kafka' && KEYED_FORMATS.includes(String(options.format))) || connector === CDC_CONNECTOR;
  const reserved = columns.find((c) => c.name === KEYED_COMMAND || c.name === KEYED_POSITION);
  if (reserved) throw new EddyError('INVALID_PARAMETER', `source "${stmt.name}": the column name "${reserved.name}" is reserved`, { position: stmt.start });
  if (key.length > 0 && connector !== PUSH_CONNECTOR && !keyedFormat) {
    throw new EddyError('INVALID_PARAMETER', `source "${stmt.name}": a PRIMARY KEY makes a source an upsert stream, which the ${connector} connector${connector === 'kafka' ? ` with format '${String(options.format)}'` : ''} does not produce`, {
      position: stmt.start,
      hint: connector === 'kafka' ? "use format = 'upsert-json' (the message key's latest value) or 'debezium-json' (Debezium's change records)" : 'declare the source without PRIMARY KEY',
    });
  }
  if (keyedFormat && key.length === 0) {
    const what = connector === CDC_CONNECTOR ? `a ${CDC_CONNECTOR} source carries changes of a table's rows by key` : `format '${String(options.format)}' carries changes of keyed rows`;
    throw new EddyError('INVALID_PARAMETER', `source "${stmt.name}": ${what}, so the source needs a PRIMARY KEY`, {
      position: stmt.start,
      hint: 'declare the key, e.g. (id BIGINT PRIMARY KEY, ...)',
    });
  }
  return key;
}

/**
 * The WATERMARK expression is a client's text that every batch's event-time scan embeds: it must be
 * one expression over the source's columns, of a time type, in exactly the text the scan runs.
 */
async function checkWatermark(ctx: EngineContext, stmt: CreateSource, columns: readonly Column[], def: WatermarkDef): Promise<void> {
  const row = columns.map((c) => `NULL::${c.type} AS ${quoteIdent(c.name)}`).join(', ');
  try {
    await ctx.conn.describe(`SELECT epoch_us(${watermarkOfMax(def)}) FROM (SELECT ${row})`);
  } catch (e) {
    const error = wrapDuckError(e, `WATERMARK FOR ${def.column} AS ${def.expr}`);
    throw new EddyError(error.code, `source "${stmt.name}": ${error.message}`, {
      position: stmt.start,
      hint: 'write an expression over the source\'s columns, e.g. ts - INTERVAL \'5\' SECOND',
      cause: e,
    });
  }
}

/** CREATE TABLE runs on DuckDB as written; the catalog records the columns DuckDB made. */
export async function createTable(ctx: EngineContext, stmt: CreateTable): Promise<StatementResult> {
  const tag = stmt.asQuery === null ? 'CREATE TABLE' : 'CREATE TABLE AS';
  const existing = ctx.catalog.get(stmt.name);
  if (existing && (existing.kind !== 'table' || !stmt.orReplace)) return alreadyExists(ctx, stmt.name, stmt.ifNotExists, tag);
  if (existing && readByQueries(ctx, stmt.name)) {
    throw new EddyError('OBJECT_IN_USE', `cannot replace table "${stmt.name}": continuous queries read its changes`, {
      position: stmt.start,
      hint: 'change its rows with INSERT, UPDATE and DELETE, or drop the queries that read it first',
    });
  }
  const reserved = (stmt.columns ?? []).find((c) => RESERVED_TABLE_COLUMNS.includes(c.name));
  if (reserved) {
    throw new EddyError('INVALID_PARAMETER', `table "${stmt.name}": the column name "${reserved.name}" is reserved (a table's changelog uses it)`, { position: stmt.start });
  }
  try {
    await ctx.conn.queryOne(stmt.duckSql, ['create'], `CREATE TABLE ${stmt.name}`);
  } catch (e) {
    throw wrapDuckError(e, `CREATE TABLE ${stmt.name}`, stmt.start);
  }
  const primaryKey = (stmt.columns ?? []).filter((c) => c.primaryKey).map((c) => c.name);
  const object: TableObject = {
    kind: 'table', name: stmt.name, sql: stmt.sql, columns: await relationColumns(ctx, stmt.name),
    ...(primaryKey.length > 0 ? { primaryKey } : {}), ...(stmt.appendOnly ? { appendOnly: true as const } : {}),
  };
  if (object.columns.some((c) => RESERVED_TABLE_COLUMNS.includes(c.name))) {
    await ctx.conn.run(`DROP TABLE IF EXISTS ${quoteIdent(stmt.name)}`);
    throw new EddyError('INVALID_PARAMETER', `table "${stmt.name}": the column names ${RESERVED_TABLE_COLUMNS.map((c) => `"${c}"`).join(' and ')} are reserved (a table's changelog uses them)`, { position: stmt.start });
  }
  if (existing) await dropTableChangelog(ctx, stmt.name);
  await createTableChangelog(ctx, object);
  if (existing) ctx.catalog.remove(stmt.name);
  ctx.catalog.add(object);
  logDdl(ctx, { op: 'create', sql: stmt.sql, object, dependsOn: [] });
  return commandResult(tag);
}

/**
 * A view is bound (to check it and learn its columns) and stored; continuous queries inline it. When
 * its query is also valid DuckDB over the main database, a DuckDB view lets pull queries read it too.
 */
export async function createView(ctx: EngineContext, stmt: CreateView): Promise<StatementResult> {
  const tag = 'CREATE VIEW';
  const existing = ctx.catalog.get(stmt.name);
  if (existing && (existing.kind !== 'view' || !stmt.orReplace)) return alreadyExists(ctx, stmt.name, stmt.ifNotExists, tag);
  const logical = await bindQuery(stmt.query, ctx.bind);
  const columns = logical.fields.map((f) => ({ name: f.userName, type: f.type }));
  const object: ViewObject = { kind: 'view', name: stmt.name, sql: stmt.sql, columns, query: stmt.query };
  const dependsOn = referencedRelations(stmt.query.ast, ctx.catalog).filter((n) => n !== stmt.name);
  await createDuckView(ctx, object);
  if (existing) ctx.catalog.remove(stmt.name);
  ctx.catalog.add(object, dependsOn);
  logDdl(ctx, { op: 'create', sql: stmt.sql, object, dependsOn });
  return commandResult(tag);
}

/** CREATE MATERIALIZED VIEW / CREATE SINK: builds the continuous query, records it, starts it. */
export async function createContinuous(ctx: EngineContext, stmt: CreateMaterializedView | CreateSink, onNotice?: (message: string) => void): Promise<StatementResult | FinishAfterQueue> {
  const tag = stmt.kind === 'create_sink' ? 'CREATE SINK' : 'CREATE MATERIALIZED VIEW';
  if (ctx.catalog.has(stmt.name)) return alreadyExists(ctx, stmt.name, stmt.ifNotExists, tag);
  const built = await buildContinuousQuery(stmt, ctx);
  try {
    if (built.object.kind === 'materialized_view') await createResultView(ctx, built.object.name, built.query.resultRelation);
    ctx.catalog.add(built.object, built.dependsOn);
  } catch (e) {
    await built.query.drop().catch(() => undefined);
    throw e;
  }
  logDdl(ctx, { op: 'create', sql: stmt.sql, object: built.object, dependsOn: built.dependsOn });
  ctx.queries.set(built.object.name, { object: built.object, plan: built.plan, query: built.query, startError: null });
  await settleUpstreams(ctx, built.plan);
  built.query.start();
  // Plan warnings (e.g. a stream-stream join whose state grows without bound) reach the user as notices.
  const notices = built.plan.warnings.map((w) => `"${stmt.name}": ${w}`);
  if (built.object.options.background === true) return commandResult(tag, notices);
  // RisingWave's backfill: the statement returns once the query processed the data there was, so a
  // SELECT right after it sees the answer; WITH (background = true) returns at once. Other sessions'
  // statements do not wait for it (SHOW QUERIES shows how far it got).
  return new FinishAfterQueue(async () => {
    // a long backfill says how far it got every few seconds (psql shows each NOTICE as it comes)
    const every = ctx.tuning?.backfillNoticeMs ?? DEFAULT_EXEC_TUNING.backfillNoticeMs;
    const timer = onNotice ? setInterval(() => onNotice(`"${stmt.name}": ${backfillProgress(built.query) ?? 'backfilled'}`), every) : null;
    let error;
    try {
      error = await built.query.catchUp();
    } finally {
      if (timer) clearInterval(timer);
    }
    if (error) notices.push(`"${stmt.name}" was created, but its first batches failed: ${error.message}${built.query.status === 'failed' ? '' : ' (it retries)'}`);
    return commandResult(tag, notices);
  });
}

/** The main database's view over a materialized view's result table, which pull queries read. */
export async function createResultView(ctx: EngineContext, name: string, resultRelation: string): Promise<void> {
  try {
    await ctx.conn.run(`CREATE OR REPLACE VIEW ${quoteIdent(name)} AS SELECT * FROM ${resultRelation}`);
  } catch (e) {
    throw wrapDuckError(e, `creating the view of materialized view ${name}`);
  }
}

/** Creates the DuckDB view of a plain view, or leaves it out when DuckDB cannot run its query. */
export async function createDuckView(ctx: EngineContext, view: ViewObject): Promise<boolean> {
  try {
    // on lines of its own, so that a trailing -- comment in the query cannot reach past it
    await ctx.conn.queryOne(`CREATE OR REPLACE VIEW ${quoteIdent(view.name)} AS\n${view.query.text}\n`, ['create'], `the query of view ${view.name}`);
    return true;
  } catch (e) {
    log.debug({ view: view.name, err: (e as Error).message }, 'view is not a DuckDB view; only continuous queries can read it');
    return false;
  }
}

/** The columns of a table or view of the main database, as DuckDB reports them. */
export async function relationColumns(ctx: EngineContext, name: string): Promise<Column[]> {
  try {
    return await ctx.conn.describe(`SELECT * FROM ${quoteIdent(name)}`);
  } catch (e) {
    throw wrapDuckError(e, `reading the columns of ${name}`);
  }
}

function alreadyExists(ctx: EngineContext, name: string, ifNotExists: boolean, tag: string): StatementResult {
  const existing = ctx.catalog.get(name) as CatalogObject;
  const what = `${KIND_NAMES[existing.kind]} "${name}" already exists`;
  if (ifNotExists) return commandResult(tag, [`${what}, skipping`]);
  throw new EddyError('DUPLICATE_OBJECT', what, { hint: `use IF NOT EXISTS, or DROP ${KIND_NAMES[existing.kind].toUpperCase()} ${name} first` });
}
