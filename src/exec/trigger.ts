/** When a query runs its next batch (DESIGN.md §3 `trigger`). */
import { EddyError } from '../util/errors.js';

export type Trigger =
  | { readonly kind: 'continuous' }
  | { readonly kind: 'interval'; readonly ms: number }
  | { readonly kind: 'once' }
  | { readonly kind: 'available_now' };

const UNITS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

export function parseTrigger(value: unknown): Trigger {
  if (value === undefined || value === null || value === '' || value === 'continuous' || value === 'default') return { kind: 'continuous' };
  if (value === 'once') return { kind: 'once' };
  if (value === 'available_now') return { kind: 'available_now' };
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(String(value));
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new EddyError('INVALID_PARAMETER', `invalid trigger ${JSON.stringify(value)}`, {
      hint: "use an interval such as '1 second' or '500 ms', or 'once', or 'available_now'",
    });
  }
  return { kind: 'interval', ms: Number(m[1]) * unit };
}
