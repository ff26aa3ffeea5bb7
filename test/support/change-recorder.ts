/** A subscriber (the engine's ChangeSink) that keeps everything it is told, for tests to read. */
import type { ChangeBatch, ChangeSink } from '../../src/engine/index.js';
import type { EddyError } from '../../src/util/errors.js';

export interface ChangeRecorder extends ChangeSink {
  snapshot: unknown;
  snapshotBatch: number;
  readonly batches: ChangeBatch[];
  ended: EddyError | null;
}

export function recorder(): ChangeRecorder {
  const r: ChangeRecorder = {
    snapshot: null,
    snapshotBatch: -2,
    batches: [],
    ended: null,
    ready(snapshot, batch, replay) {
      r.snapshot = snapshot;
      r.snapshotBatch = batch;
      r.batches.push(...replay);
    },
    changes(batch) {
      r.batches.push(batch);
    },
    end(reason) {
      r.ended = reason;
    },
  };
  return r;
}
