/**
 * StreamingQuery: one micro-batch loop per materialized view or sink. (Being written; the public
 * surface below is final.)
 */
import type { QueryObject, SourceObject } from '../catalog/types.js';
import type { ConnectorEnv, SinkWriter } from '../connectors/types.js';
import type { Database } from '../duck/index.js';
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import type { Progress } from './progress.js';

export type QueryStatus = 'running' | 'paused' | 'failed' | 'stopped';

export interface StreamingQueryConfig {
  readonly object: QueryObject;
  readonly plan: IncrementalPlan;
  readonly db: Database;
  readonly env: ConnectorEnv;
  /** The catalog objects of plan.sources, by name. */
  readonly sources: ReadonlyMap<string, SourceObject>;
  /** The sink's writer (sinks), or null (materialized views: the result table is the output). */
  readonly sink: SinkWriter | null;
}

export class StreamingQuery {
  readonly name: string;
  status: QueryStatus = 'stopped';
  lastError: Error | null = null;

  private constructor(readonly config: StreamingQueryConfig) {
    this.name = config.object.name;
  }

  /** Attaches the query's state, creates its result table and opens its sources; does not start it. */
  static async create(config: StreamingQueryConfig): Promise<StreamingQuery> {
    return new StreamingQuery(config);
  }

  /** Qualified name of the result table (readable from any connection of the database). */
  get resultRelation(): string {
    throw new Error('not implemented yet');
  }

  /** Starts the trigger loop. */
  start(): void {}
  async pause(): Promise<void> {}
  resume(): void {}
  /** Runs batches until all data available in the sources at the time of the call is processed. */
  async drain(): Promise<void> {}
  /** Stops the loop and closes sources and sink; state stays on disk. */
  async stop(): Promise<void> {}
  /** Stops and deletes the query's state. */
  async drop(): Promise<void> {}
  /** The last progress objects, oldest first (at most 100). */
  progress(): readonly Progress[] {
    return [];
  }
}
