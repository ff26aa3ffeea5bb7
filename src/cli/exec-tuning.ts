/**
 * The queries' loop tuning from the environment: the core reads none (EngineOptions.tuning), the
 * CLI passes these on. Tests and operators set them for `eddy serve` and `eddy run` children, e.g.
 * short backoffs so that an outage test takes seconds.
 */
import type { ExecTuning } from '../engine/index.js';

const VARIABLES: readonly (readonly [keyof ExecTuning, string])[] = [
  ['idlePollMs', 'EDDY_IDLE_POLL_MS'],
  ['retryMinMs', 'EDDY_RETRY_MIN_MS'],
  ['retryMaxMs', 'EDDY_RETRY_MAX_MS'],
  ['drainRetryMs', 'EDDY_DRAIN_RETRY_MS'],
];

/** The tuning the variables set; an unset one (or one that is not a number of ms >= 0) keeps its default. */
export function execTuningFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ExecTuning> {
  const tuning: Partial<Record<keyof ExecTuning, number>> = {};
  for (const [option, variable] of VARIABLES) {
    const text = env[variable];
    if (text === undefined || text.trim() === '') continue;
    const ms = Number(text);
    if (Number.isFinite(ms) && ms >= 0) tuning[option] = ms;
  }
  return tuning;
}
