/**
 * The path of a continuous query, top to bottom: SQL text -> Statement (sql/) -> logical plan
 * (plan/binder) -> incremental plan (plan/incremental) -> StreamingQuery (exec/). Every
 * CREATE MATERIALIZED VIEW and CREATE SINK goes through buildContinuousQuery, both when it is first
 * executed and when the DDL log is replayed at start-up.
 */
import type { CatalogReader } from '../catalog/reader.js';
import { referencedRelations } from '../catalog/references.js';
import type { InputObject, QueryObject } from '../catalog/types.js';
import { sinkConnector } from '../connectors/registry.js';
import type { ConnectorEnv, SinkConnector, SinkWriter } from '../connectors/types.js';
import { quoteIdent, type Database } from '../duck/index.js';
import type { StorageFault } from '../duck/storage-fault.js';
import { StreamingQuery } from '../exec/streaming-query.js';
import type { ExecTuning } from '../exec/tuning.js';
import type { BindContext } from '../plan/bind-context.js';
import { bindQuery } from '../plan/binder/index.js';
import { planIncremental, type IncrementalPlan } from '../plan/incremental/plan.js';
import type { CreateMaterializedView, CreateSink, QueryText } from '../sql/ast.js';
import { parseStatement } from '../sql/parser.js';
import { EddyError } from '../util/errors.js';
import { materializedViewOptions, splitQueryOptions, type SplitOptions } from './query-options.js';

export type ContinuousStatement = CreateMaterializedView | CreateSink;

export interface PipelineEnv {
  readonly catalog: CatalogReader;
  readonly bind: BindContext;
  readonly db: Database;
  readonly connectors: ConnectorEnv;
  /** Told when a query finds its database invalidated (StreamingQueryConfig.onInvalidated). */
  readonly reportStorageFault?: (fault: StorageFault) => void;
  /** How the queries' loops poll and retry (StreamingQueryConfig.tuning). */
  readonly tuning?: Partial<ExecTuning>;
  /** What the queries reading a materialized view's changes still need of its log (StreamingQueryConfig.readersHold). */
  readonly readersHold?: (view: string) => number | null;
}

/** A continuous query ready to start: its catalog object, plan and (not yet started) runtime. */
export interface ContinuousQuery {
  readonly object: QueryObject;
  readonly plan: IncrementalPlan;
  readonly query: StreamingQuery;
  /** The relations the query reads, for the catalog's dependency tracking. */
  readonly dependsOn: readonly string[];
}

/**
 * A statement is a new query and starts afresh; SQL text (from the DDL log) is a restart and resumes
 * from its checkpoint, unless `fresh` (ALTER ... RESET) says to discard it.
 */
export async function buildContinuousQuery(input: string | ContinuousStatement, env: PipelineEnv, fresh = false): Promise<ContinuousQuery> {
  const statement = typeof input === 'string' ? parseContinuousStatement(input) /* sql/ */ : input;
  const query = queryOf(statement);
  const options = queryOptions(statement);
  const logical = await bindQuery(query, env.bind); // plan/binder
  const sink = statement.kind === 'create_sink' ? sinkConnectorOf(statement) : null; // connectors/
  const target = statement.kind === 'create_sink' ? 'sink' : 'materialized_view';
  const plan = planIncremental(logical, { name: statement.name, target, outputMode: options.outputMode, catalog: env.catalog }); // plan/incremental
  const { object, writer } = await queryObject(statement, query, options, plan, sink, env); // catalog/ object, connector's writer
  const streaming = await StreamingQuery.create({
    object,
    plan,
    db: env.db,
    env: env.connectors,
    sources: sourcesOf(plan, env.catalog),
    sink: writer,
    fresh: typeof input !== 'string' || fresh,
    onInvalidated: env.reportStorageFault ? (fault) => env.reportStorageFault?.(fault) : undefined,
    tuning: env.tuning,
    readersHold: env.readersHold ? () => env.readersHold!(statement.name) : undefined,
  }); // exec/
  return { object, plan, query: streaming, dependsOn: referencedRelations(query.ast, env.catalog) };
}

/** The query a continuous statement runs: CREATE SINK ... FROM x reads `SELECT * FROM x`. */
export function queryOf(statement: ContinuousStatement): QueryText {
  if (statement.kind === 'create_materialized_view') return statement.query;
  if (statement.input.kind === 'query') return statement.input.query;
  const select = parseStatement(`SELECT * FROM ${quoteIdent(statement.input.name)}`);
  if (select.kind !== 'select') throw new EddyError('INTERNAL', 'SELECT * FROM did not parse as a SELECT');
  return select.query;
}

/** The common options, validated: a materialized view accepts nothing else. */
export function queryOptions(statement: ContinuousStatement): SplitOptions {
  const what = `${statement.kind === 'create_sink' ? 'sink' : 'materialized view'} "${statement.name}"`;
  return statement.kind === 'create_sink' ? splitQueryOptions(statement.options, what) : materializedViewOptions(statement.options, what);
}

function parseContinuousStatement(sql: string): ContinuousStatement {
  const statement = parseStatement(sql);
  if (statement.kind !== 'create_materialized_view' && statement.kind !== 'create_sink') {
    throw new EddyError('INTERNAL', `expected CREATE MATERIALIZED VIEW or CREATE SINK, got ${statement.kind}`);
  }
  return statement;
}

function sinkConnectorOf(statement: CreateSink): SinkConnector {
  const name = statement.options.connector;
  if (typeof name !== 'string' || name === '') {
    throw new EddyError('INVALID_PARAMETER', `sink "${statement.name}" needs a connector`, {
      hint: "add WITH (connector = '...'), e.g. connector = 'console'",
    });
  }
  return sinkConnector(name);
}

async function queryObject(
  statement: ContinuousStatement,
  query: QueryText,
  options: SplitOptions,
  plan: IncrementalPlan,
  connector: SinkConnector | null,
  env: PipelineEnv,
): Promise<{ object: QueryObject; writer: SinkWriter | null }> {
  const base = { name: statement.name, sql: statement.sql, columns: plan.columns, query };
  if (statement.kind === 'create_materialized_view' || connector === null) {
    return { object: { kind: 'materialized_view', ...base, options: { ...options.query, output_mode: plan.outputMode } }, writer: null };
  }
  if (!connector.outputModes.includes(plan.outputMode)) {
    const usable = connector.outputModes.filter((m) => plan.allowedOutputModes.includes(m));
    throw new EddyError('INVALID_OUTPUT_MODE', `sink "${statement.name}": the ${connector.name} connector does not support output_mode '${plan.outputMode}'${connector.outputModeNote ? ` (${connector.outputModeNote})` : ''}`, {
      hint: usable.length > 0 ? `use output_mode = '${usable[0]}'` : `this query allows ${plan.allowedOutputModes.join(', ')}; the connector accepts ${connector.outputModes.join(', ')}`,
    });
  }
  const { connector: _name, ...connectorOptions } = options.rest;
  const validated = await connector.validate(statement.name, plan.columns, connectorOptions, env.connectors);
  const object: QueryObject = {
    kind: 'sink',
    ...base,
    from: statement.input.kind === 'from' ? statement.input.name : null,
    connector: connector.name,
    options: { ...validated, ...options.query, output_mode: plan.outputMode },
  };
  return { object, writer: await connector.open(object, env.connectors) };
}

function sourcesOf(plan: IncrementalPlan, catalog: CatalogReader): Map<string, InputObject> {
  const sources = new Map<string, InputObject>();
  for (const name of plan.sources) {
    const object = catalog.get(name);
    if (object?.kind !== 'source' && object?.kind !== 'table' && object?.kind !== 'materialized_view') throw new EddyError('INTERNAL', `the plan reads "${name}", which is not an input`);
    sources.set(name, object);
  }
  return sources;
}
