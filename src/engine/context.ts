/** What the statement handlers share: the engine's state, passed explicitly rather than as `this`. */
import type { Catalog } from '../catalog/catalog.js';
import type { DdlLog, DdlRecord } from '../catalog/ddl-log.js';
import type { QueryObject } from '../catalog/types.js';
import type { PushSourceStore } from '../connectors/push/source.js';
import type { ConnectorEnv } from '../connectors/types.js';
import type { Connection, Database } from '../duck/index.js';
import type { StorageFault } from '../duck/storage-fault.js';
import type { StreamingQuery } from '../exec/streaming-query.js';
import type { BindContext } from '../plan/bind-context.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import type { PipelineEnv } from './pipeline.js';

/** A continuous query known to the engine; `query` is null when it could not be restarted. */
export interface QueryHandle {
  readonly object: QueryObject;
  readonly plan: IncrementalPlan | null;
  readonly query: StreamingQuery | null;
  /** Why the query could not be created at start-up (its own runtime errors are query.lastError). */
  readonly startError: Error | null;
}

/**
 * `db`, `conn`, `connectors` and `push` change when the engine reopens its database after a storage
 * fault (storage-recovery.ts): handlers read them from here at each use, never keep them.
 */
export interface EngineContext extends PipelineEnv {
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly log: DdlLog;
  db: Database;
  /** The engine's connection to the main database (statements run one at a time). */
  conn: Connection;
  readonly bind: BindContext;
  connectors: ConnectorEnv;
  readonly queries: Map<string, QueryHandle>;
  /** Storage of the push sources (one per main database, so appends are serialised). */
  push: PushSourceStore;
  /** A statement or query met a storage fault: the engine reopens the database if it died. */
  readonly reportStorageFault: (fault: StorageFault) => void;
}

/** Appends a record to the DDL log with the current time. */
export function logDdl(ctx: EngineContext, record: DistributiveOmit<DdlRecord, 'at'>): void {
  ctx.log.append({ ...record, at: new Date().toISOString() } as DdlRecord);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
