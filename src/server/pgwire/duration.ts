/** Durations as a wire client writes them in an option (FETCH ... WITH (timeout = '1s')). */
import { EddyError } from '../../util/errors.js';

/** '1s', '500ms', '2 minutes', '0' -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?|m|min|minutes?|h|hours?)?\s*$/i.exec(text);
  if (!m) throw new EddyError('INVALID_PARAMETER', `invalid timeout '${text}'`, { hint: "write a duration like '1s' or '500ms'" });
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return Number(m[1]) * factor;
}
