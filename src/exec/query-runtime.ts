/**
 * What a query's batches work with (batch.ts, recovery.ts): its connection, state database and
 * output, its sources at their offsets, its checkpoint logs, and where it stands in them. Opened
 * once per StreamingQuery; the query's lifecycle (streaming-query.ts) owns it.
 */
import type { InputObject, QueryObject } from '../catalog/types.js';
import { commitLog, offsetLog, type BatchLog, type CommitEntry, type OffsetEntry } from '../checkpoint/batch-log.js';
import { openMetadata } from '../checkpoint/metadata.js';
import { removeQueryDir } from '../checkpoint/query-dir.js';
import { openInput } from '../connectors/registry.js';
import { openViewChangelog } from './view-changelog.js';
import type { ConnectorEnv, SinkWriter, SourceOffset } from '../connectors/types.js';
import { duckErrorCode } from '../duck/error-codes.js';
import type { Connection, Database } from '../duck/index.js';
import type { StorageFault } from '../duck/storage-fault.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import { asEddyError, EddyError } from '../util/errors.js';
import { BatchPipeline } from './batch-pipeline.js';
import { QueryOutput } from './query-output.js';
import { SourceBatches, type OpenSource } from './source-batches.js';
import { StateStore } from './state-store.js';
import type { ExecTuning } from './tuning.js';
import { WatermarkTracker } from './watermark.js';
import { ViewLog, type ReadersHold } from './view-log.js';
import { alignedEnds } from './view-inputs.js';
import type { BatchFrontier } from './epochs.js';
import { viewRetention } from '../catalog/view-retention.js';

export interface StreamingQueryConfig {
  readonly object: QueryObject;
  readonly plan: IncrementalPlan;
  readonly db: Database;
  readonly env: ConnectorEnv;
  /** The catalog objects of plan.sources (sources, and tables read as changelogs), by name. */
  readonly sources: ReadonlyMap<string, InputObject>;
  /** The sink's writer (sinks), or null (materialized views: the result table is the output). */
  readonly sink: SinkWriter | null;
  /**
   * A newly created query (CREATE, RESET) starts afresh: whatever an earlier query of the same name
   * left in its directory (a crash before its DDL was logged) is discarded. Otherwise it resumes.
   */
  readonly fresh?: boolean;
  /**
   * Told when a batch found the database invalidated (every connection of the instance is dead):
   * the query stops its loop, and the engine reopens the database and builds the query again.
   */
  readonly onInvalidated?: (fault: StorageFault, error: EddyError) => void;
  /** How the loop waits and retries (defaults: DEFAULT_EXEC_TUNING). */
  readonly tuning?: Partial<ExecTuning>;
  /**
   * Asked at each batch of a materialized view: what the queries reading its output changes still
   * need of its log (view-log.ts ReadersHold). Absent: nobody reads them.
   */
  readonly readersHold?: ReadersHold;
}

/** offsets/ and commits/ keep this many most recent batches unless checkpoint_retention says otherwise. */
export const DEFAULT_CHECKPOINT_RETENTION = 100;

/** Where a query stands in its checkpoint; batches and recovery move it. */
export class QueryPosition {
  /** The next batch's id. */
  nextBatchId = 0;
  /** The batch being run or recovered: a failure's progress entry names it. */
  inFlight = 0;
  /** Set while a batch runs, and kept when it failed part-way: the next batch first recovers. */
  needsRecovery = false;
  /**
   * Whether offsets/N may already exist for the next batch: only after a recovery (a batch planned
   * before a crash or failure). Once a batch completes, the next one is new, so its log is not read.
   */
  offsetsMayBeLogged = true;
  /** The watermark the last batch ran with (undefined: none ran since start). */
  lastWatermark: number | null | undefined = undefined;
  /** The frontier the last committed batch recorded (epochs.ts); null before one, or from older state. */
  frontier: BatchFrontier | null = null;
}

export interface QueryRuntime {
  readonly name: string;
  /** The query's stable id (metadata.json), which sinks receive with each batch. */
  readonly id: string;
  readonly object: QueryObject;
  readonly plan: IncrementalPlan;
  readonly db: Database;
  readonly conn: Connection;
  readonly store: StateStore;
  readonly sources: readonly OpenSource[];
  readonly sourceBatches: SourceBatches;
  readonly pipeline: BatchPipeline;
  readonly output: QueryOutput;
  readonly watermarks: WatermarkTracker;
  readonly offsets: BatchLog<OffsetEntry>;
  readonly commits: BatchLog<CommitEntry>;
  /** The sink's writer; null for a materialized view. */
  readonly sink: SinkWriter | null;
  /** max_rows_per_batch, when set. */
  readonly maxRows: number | undefined;
  /** checkpoint_retention: the batches offsets/ and commits/ keep. */
  readonly retention: number;
  readonly position: QueryPosition;
}

/** Attaches the query's state, creates its relations and opens its sources; runs no batch. */
export async function openRuntime(config: StreamingQueryConfig): Promise<QueryRuntime> {
  const { object, plan, env } = config;
  const conn = await config.db.connect();
  if (config.fresh) await removeQueryDir(env.dataDir, object.name);
  const store = await StateStore.attach(conn, env.dataDir, object.name);
  const sources: OpenSource[] = [];
  try {
    const metadata = await openMetadata(env.dataDir, object.name, object.sql, plan.fingerprint);
    for (const name of plan.sources) {
      const source = config.sources.get(name);
      if (!source) throw new EddyError('INTERNAL', `source "${name}" of "${object.name}" was not given`);
      const reader = source.kind === 'materialized_view' ? await openViewChangelog(source, config.db) : await openInput(source, env, { query: object.name, queryId: metadata.id });
      sources.push({ name, reader, offset: reader.initialOffset });
    }
    const inPlace = new Set(sources.filter((s) => s.reader.inPlace !== undefined).map((s) => s.name));
    const sourceBatches = new SourceBatches(plan, store, object.name, config.sources, inPlace, object.options.late_rows === 'keep');
    const log = object.kind === 'materialized_view' ? new ViewLog(object.name, store, plan.columns, config.readersHold ?? (() => null), viewRetention(object.options)) : null;
    const output = new QueryOutput(plan, store, log);
    const pipeline = new BatchPipeline(plan, store, output);
    await sourceBatches.setup(conn);
    await pipeline.setup(conn);
    return {
      name: object.name, id: metadata.id, object, plan, db: config.db, conn, store, sources, sourceBatches, pipeline, output,
      watermarks: new WatermarkTracker(config.sources),
      offsets: offsetLog(env.dataDir, object.name),
      commits: commitLog(env.dataDir, object.name),
      sink: config.sink,
      maxRows: maxRowsPerBatch(object.options.max_rows_per_batch),
      retention: Number(object.options.checkpoint_retention ?? DEFAULT_CHECKPOINT_RETENTION),
      position: new QueryPosition(),
    };
  } catch (e) {
    await closeRuntime({ conn, store, sources }).catch(() => undefined);
    // DuckDB refusing the query's SQL (too deep, a bad cast) is the statement's error, not an internal one.
    throw asEddyError(e, (e instanceof Error && duckErrorCode(e.message)) || 'QUERY_FAILED', `cannot start "${object.name}"`);
  }
}

/**
 * Each source's latest offset: where the data available now ends; for views read together, where
 * they agree (view-inputs.ts), so a batch never reads them as of different points of their upstream.
 */
export async function latestOffsets(rt: Pick<QueryRuntime, 'sources' | 'position'>): Promise<ReadonlyMap<string, SourceOffset>> {
  const latest = new Map<string, SourceOffset>();
  for (const s of rt.sources) latest.set(s.name, await s.reader.latestOffset());
  return alignedEnds({ sources: rt.sources, last: rt.position.frontier }, latest);
}

/** Closes the sources and the sink (stop, drop); a failure to close is not the caller's. */
export async function closeSourcesAndSink(rt: Pick<QueryRuntime, 'sources' | 'sink'>): Promise<void> {
  for (const s of rt.sources) await s.reader.close().catch(() => undefined);
  await rt.sink?.close().catch(() => undefined);
}

/** Closes the sources, detaches the state and closes the connection, as far as each is open. */
export async function closeRuntime(q: Pick<QueryRuntime, 'conn' | 'store' | 'sources'>): Promise<void> {
  for (const s of q.sources) await s.reader.close().catch(() => undefined);
  await q.store.detach(q.conn).catch(() => undefined);
  q.conn.close();
}

function maxRowsPerBatch(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const rows = Number(value);
  if (!(Number.isInteger(rows) && rows > 0)) {
    throw new EddyError('INVALID_PARAMETER', `max_rows_per_batch must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return rows;
}
