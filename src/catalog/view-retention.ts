/**
 * How much of a materialized view's change history it keeps for subscribers (`SUBSCRIBE ... WITH
 * (from_batch = N)` after a disconnect or a restart): `retention_batches`, `retention_bytes`,
 * `retention_time`, any of them, as Kafka's retention.bytes / retention.ms or Materialize's RETAIN
 * HISTORY. A batch leaves the history once any configured bound excludes it. Without any, a view
 * keeps only what queries reading it have not committed yet, and subscribers resume from the
 * server's memory (lost at a restart). Readers' needs always come first: retention never drops a
 * change a reading query has still to read.
 */
import type { Options, OptionValue } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';

export const RETENTION_OPTION_NAMES = ['retention_batches', 'retention_bytes', 'retention_time'] as const;
export type RetentionOption = (typeof RETENTION_OPTION_NAMES)[number];

export interface ViewRetention {
  /** Keep the changes of the last N batches. */
  readonly batches: number | null;
  /** Keep the newest batches whose changes take at most this many bytes (estimated from the values). */
  readonly bytes: number | null;
  /** Keep the batches committed within this many milliseconds. */
  readonly ms: number | null;
}

export function isRetentionOption(key: string): key is RetentionOption {
  return (RETENTION_OPTION_NAMES as readonly string[]).includes(key);
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };
const TIME_UNITS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** Validates one retention option; returns it normalised (a count, a number of bytes, a duration text). */
export function validRetentionOption(key: RetentionOption, value: OptionValue, what: string): number | string {
  const text = String(value).trim().toLowerCase();
  if (key === 'retention_batches') {
    const n = typeof value === 'number' ? value : Number(text);
    if (Number.isSafeInteger(n) && n > 0) return n;
    throw new EddyError('INVALID_PARAMETER', `${what}: retention_batches must be a positive integer, not '${String(value)}'`);
  }
  if (key === 'retention_bytes') {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/.exec(text);
    const unit = m ? BYTE_UNITS[m[2] === '' ? 'b' : m[2]!] : undefined;
    const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
    if (Number.isSafeInteger(bytes) && bytes > 0) return bytes;
    throw new EddyError('INVALID_PARAMETER', `${what}: retention_bytes must be a size such as 1048576 or '64 MB', not '${String(value)}'`);
  }
  if (durationMs(text) !== null) return text;
  throw new EddyError('INVALID_PARAMETER', `${what}: retention_time must be a duration such as '10 minutes' or '1 day', not '${String(value)}'`);
}

function durationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(text);
  const unit = m ? TIME_UNITS[m[2]!] : undefined;
  if (!m || unit === undefined) return null;
  const ms = Math.floor(Number(m[1]) * unit);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** A view's retention from its stored (validated) options; null when none is configured. */
export function viewRetention(options: Options): ViewRetention | null {
  const batches = options.retention_batches === undefined ? null : Number(options.retention_batches);
  const bytes = options.retention_bytes === undefined ? null : Number(options.retention_bytes);
  const ms = options.retention_time === undefined ? null : durationMs(String(options.retention_time).trim().toLowerCase());
  return batches === null && bytes === null && ms === null ? null : { batches, bytes, ms };
}
