/**
 * Steps 5 and 6 of batch N (DESIGN.md §4): deliver its output to the sink, idempotently by batch
 * id, then write commits/N and clear the outbox. A recovery that finds state N without commits/N
 * runs these again (recovery.ts).
 */
import { faultPoint } from '../util/fault.js';
import { log } from '../util/log.js';
import type { QueryRuntime } from './query-runtime.js';

/**
 * Delivers batch N, from the outbox or from `delta` (the batch's output relation, when the sink
 * delivers from the output), and records its commit. Returns the batch's output rows: as the sink
 * counted them, else `outputRows`.
 */
export async function deliver(rt: QueryRuntime, batchId: number, outputRows: number | null, delta: string | null): Promise<number> {
  let rows = outputRows ?? 0;
  // 5. Deliver.
  if (rt.sink && rt.object.kind === 'sink') {
    const relation = await rt.output.stage(rt.conn, batchId, delta);
    const result = await rt.sink.deliver({
      queryName: rt.name, queryId: rt.id, batchId, outputMode: rt.plan.outputMode,
      columns: rt.plan.columns, key: rt.plan.key, conn: rt.conn, relation,
    });
    rows = result.rows;
  }
  faultPoint(rt.name, 'after-deliver', batchId);
  // 6. Record the commit; the outbox is not needed after it.
  await rt.commits.write(batchId, { batchId, timestamp: new Date().toISOString(), outputRows: rows });
  faultPoint(rt.name, 'after-commits-log', batchId);
  if (rt.sink) await rt.output.clear(rt.conn, batchId);
  // Retention only removes entries of batches before N, which the state has committed.
  await rt.offsets.retain(rt.retention, batchId);
  await rt.commits.retain(rt.retention, batchId);
  await sourcesCommitted(rt);
  return rows;
}

/** Tells the sources that their current offsets are committed; a failure there only warns. */
export async function sourcesCommitted(rt: QueryRuntime): Promise<void> {
  for (const s of rt.sources) {
    try {
      await s.reader.committed?.(s.offset);
    } catch (e) {
      log.warn({ query: rt.name, source: s.name, err: (e as Error).message }, 'source clean-up after commit failed');
    }
  }
}
