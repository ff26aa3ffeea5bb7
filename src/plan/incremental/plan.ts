/**
 * The incremental plan: a DAG of operators over changelog deltas, each declaring its state and its
 * changelog kind, checked against the requested output mode. (Being written; signatures are final.)
 */
import type { CatalogReader } from '../../catalog/reader.js';
import type { Column } from '../../catalog/types.js';
import type { OutputMode } from '../../connectors/types.js';
import type { LogicalNode } from '../logical/nodes.js';

export type ChangelogKind = 'append-only' | 'retracting';

export interface IncrementalPlan {
  /** The result's columns (user-visible names and DuckDB types). */
  readonly columns: readonly Column[];
  readonly changelog: ChangelogKind;
  /** Output modes this plan allows, and the one chosen. */
  readonly allowedOutputModes: readonly OutputMode[];
  readonly outputMode: OutputMode;
  /** The result's key columns where it has one (group keys), for update-mode sinks. */
  readonly key: readonly string[] | null;
  /** Catalog names of the sources the plan reads (each becomes a SourceReader). */
  readonly sources: readonly string[];
  /** A stable fingerprint of the plan, stored in the query's metadata to detect changed queries. */
  readonly fingerprint: string;
}

export interface PlanOptions {
  readonly name: string;
  /** The output mode asked for (sinks), or null: a materialized view keeps its result table. */
  readonly outputMode: OutputMode | null;
  readonly catalog: CatalogReader;
}

export function planIncremental(_root: LogicalNode, _options: PlanOptions): IncrementalPlan {
  throw new Error('planIncremental: not implemented yet');
}

export function explainIncremental(_plan: IncrementalPlan): string {
  throw new Error('explainIncremental: not implemented yet');
}
