/**
 * The engine's tuning knobs from EDDY_* environment variables. The engine reads no variable: its
 * knobs are EngineOptions, and the entry points (`eddy run`, `eddy serve`, the bench harness) take
 * them from here, so that a test or an operator can still tune a child `eddy` process by its
 * environment. An empty variable is unset; a value that is not a number of the right kind is an
 * error naming the variable, not a silent default.
 */
import type { EngineOptions } from '../engine/index.js';
import { EddyError } from '../util/errors.js';

export type EngineTuning = Pick<EngineOptions, 'duckdb' | 'storage' | 'parseWorkerHeapMb' | 'tuning'>;

type Env = Readonly<Record<string, string | undefined>>;

export function engineTuningFromEnv(env: Env = process.env): EngineTuning {
  const ms = (name: string) => number(env, name, 'a number of milliseconds, 0 or more', (n) => n >= 0);
  const positive = (name: string) => number(env, name, 'a positive number', (n) => n > 0);
  const threads = number(env, 'EDDY_DUCKDB_THREADS', 'a positive whole number', (n) => Number.isInteger(n) && n > 0);
  return {
    duckdb: {
      threads,
      threadsQuietMs: ms('EDDY_THREADS_QUIET_MS'),
      checkpointThreshold: text(env, 'EDDY_DUCKDB_CHECKPOINT_THRESHOLD'),
    },
    storage: {
      retryMinMs: ms('EDDY_STORAGE_RETRY_MIN_MS'),
      retryMaxMs: ms('EDDY_STORAGE_RETRY_MAX_MS'),
      waitMs: ms('EDDY_STORAGE_WAIT_MS'),
    },
    parseWorkerHeapMb: positive('EDDY_PARSE_WORKER_HEAP_MB'),
    tuning: definedOnly({
      idlePollMs: ms('EDDY_IDLE_POLL_MS'),
      retryMinMs: ms('EDDY_RETRY_MIN_MS'),
      retryMaxMs: ms('EDDY_RETRY_MAX_MS'),
      drainRetryMs: ms('EDDY_DRAIN_RETRY_MS'),
    }),
  };
}

/** The loop's defaults are spread under these, so an unset knob must be absent, not undefined. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function number(env: Env, name: string, what: string, ok: (n: number) => boolean): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || !ok(n)) throw new EddyError('INVALID_PARAMETER', `${name} must be ${what}, not '${value}'`);
  return n;
}
