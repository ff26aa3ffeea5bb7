/**
 * How a query's loop waits: between idle polls, between retries of a batch whose source, sink or
 * storage is unavailable, and how long a drain keeps retrying. Given by the engine (EngineOptions);
 * the core reads no environment (the CLI does, src/cli/tuning-env.ts).
 */
export interface ExecTuning {
  /** Between two looks at sources that had no new data (ms). */
  readonly idlePollMs: number;
  /** The first retry's backoff (ms); each next one doubles, up to retryMaxMs. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** How long a drain keeps retrying an unavailable source before it gives up with the error (ms). */
  readonly drainRetryMs: number;
  /** How often a CREATE waiting for its query's backfill reports how far it got (ms). */
  readonly backfillNoticeMs: number;
}

export const DEFAULT_EXEC_TUNING: ExecTuning = {
  idlePollMs: 100,
  retryMinMs: 500,
  retryMaxMs: 30_000,
  drainRetryMs: 30_000,
  backfillNoticeMs: 3_000,
};

/** The wait before retry `attempt` (0-based): doubling from retryMinMs, capped at retryMaxMs. */
export function backoff(tuning: ExecTuning, attempt: number): number {
  return Math.min(tuning.retryMaxMs, tuning.retryMinMs * 2 ** Math.min(attempt, 16));
}
