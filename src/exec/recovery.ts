/**
 * Recovery (DESIGN.md §4): where a query resumes, from its state version and its checkpoint logs.
 * State version N with commits/N: batch N is done, the next is N+1. State version N without
 * commits/N: the crash came between the batch's transaction and its commit record, so batch N is
 * delivered again from the outbox (or, for a sink that delivers from the output, re-run from
 * offsets/N). No state version: the query starts from its sources' beginning.
 */
import type { OffsetEntry } from '../checkpoint/batch-log.js';
import { incompatibleCheckpoint } from '../checkpoint/metadata.js';
import { EddyError } from '../util/errors.js';
import { deliver, sourcesCommitted } from './deliver.js';
import type { QueryRuntime } from './query-runtime.js';

/** Before a batch: recovers when the last one failed part-way (or a recovery could not finish). */
export async function recoverIfNeeded(rt: QueryRuntime): Promise<void> {
  rt.position.inFlight = rt.position.nextBatchId;
  if (rt.position.needsRecovery) await recover(rt);
}

/** Resumes from the state version: redeliver an undelivered batch, or set up to re-run a planned one. */
export async function recover(rt: QueryRuntime): Promise<void> {
  const position = rt.position;
  position.needsRecovery = false;
  position.offsetsMayBeLogged = true;
  const version = await rt.store.version(rt.conn);
  if (version === null) {
    position.nextBatchId = 0;
    rt.watermarks.restore(undefined);
    position.frontier = null;
    for (const s of rt.sources) s.offset = s.reader.initialOffset;
    await sourcesStartAt(rt);
    return;
  }
  if (version.fingerprint !== rt.plan.fingerprint) {
    throw incompatibleCheckpoint(rt.name, `its plan changed (fingerprint ${version.fingerprint} -> ${rt.plan.fingerprint})`);
  }
  position.nextBatchId = version.batchId + 1;
  rt.watermarks.restore(version.eventTime);
  position.frontier = version.frontier ?? null;
  for (const s of rt.sources) s.offset = s.name in version.offsets ? version.offsets[s.name] : s.reader.initialOffset;
  position.inFlight = version.batchId;

  if ((await rt.commits.read(version.batchId)) !== undefined) {
    await sourcesStartAt(rt);
    await sourcesCommitted(rt);
    return;
  }
  if (rt.plan.sinkDelivery !== 'output') {
    await sourcesStartAt(rt);
    await deliver(rt, version.batchId, 0, null);
    return;
  }
  // No outbox to redeliver from: run batch N again from offsets/N (stateless, so the same rows).
  const logged = await rt.offsets.read(version.batchId);
  if (!logged) {
    throw new EddyError('QUERY_FAILED', `"${rt.name}": batch ${version.batchId} was not delivered and offsets/${version.batchId}.json is missing`, {
      hint: `the checkpoint in ${rt.store.dir} is incomplete; ALTER ... ${rt.name} RESET starts it afresh`,
    });
  }
  position.nextBatchId = version.batchId;
  // where the batch before stood is not kept: its readers of views align afresh
  position.frontier = null;
  for (const s of rt.sources) s.offset = logged.sources[s.name]?.start ?? s.reader.initialOffset;
  await sourcesStartAt(rt);
}

/** Tells the sources that stream where the query stands now. */
async function sourcesStartAt(rt: QueryRuntime): Promise<void> {
  for (const s of rt.sources) await s.reader.startAt?.(s.offset);
}

/**
 * A batch re-run from offsets/N must start where the state ends, or it would skip or repeat rows;
 * a mismatch means the checkpoint was tampered with or mixed up, so the query stops rather than guess.
 */
export function checkLoggedStart(rt: QueryRuntime, logged: OffsetEntry): void {
  for (const s of rt.sources) {
    const start = logged.sources[s.name]?.start;
    if (JSON.stringify(start) !== JSON.stringify(s.offset)) {
      throw new EddyError('QUERY_FAILED',
        `"${rt.name}": offsets/${logged.batchId}.json starts source "${s.name}" at ${JSON.stringify(start)}, but its state ends at ${JSON.stringify(s.offset)}`,
        { hint: `the checkpoint in ${rt.store.dir} is inconsistent; ALTER ... ${rt.name} RESET starts it afresh` });
    }
  }
}
