/**
 * How far a new query's backfill got, as CREATE's periodic NOTICE and SHOW QUERIES' `backfill`
 * column say it.
 */
import type { StreamingQuery } from '../exec/streaming-query.js';

/** How far a backfill got (its last batch done), or null when the query is not backfilling. */
export function backfillProgress(query: StreamingQuery): string | null {
  const started = query.backfillStartedAt;
  if (started === null) return null;
  const last = query.progress().at(-1);
  const seconds = Math.round((Date.now() - started) / 1000);
  return `backfilling for ${seconds} s: ${last ? `batch ${last.batchId} done (${last.numInputRows} input rows)` : 'its first batch is running'}`;
}
