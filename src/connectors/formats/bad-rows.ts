/**
 * What happens to bad input rows: counted, located, logged and skipped (on_error = 'skip'), or an
 * error that names the source, the place and the column (on_error = 'fail').
 */
import { EddyError } from '../../util/errors.js';
import { log } from '../../util/log.js';
import type { BadRow, LoadStats } from '../types.js';
import type { BadRowDetail, StagedRows } from './staged-rows.js';

export type OnError = 'skip' | 'fail';

/** Bad rows kept as examples in LoadStats (all are counted). */
export const BAD_ROW_EXAMPLES = 10;

/**
 * How locations read: `file a.json line 3` / `file a.parquet row 3` / `row 3` / `row index 3`, and
 * for messages (the file being `topic/partition`) `topic "t" partition 0 offset 17`, for CDC changes
 * (the file being their transaction) `transaction 0/1A2B3C8 change 3` or `snapshot of public.t row 3`.
 */
export type LocationUnit = 'line' | 'row' | 'row index' | 'offset' | 'change';

export function describeLocation(d: BadRowDetail, unit: LocationUnit): string {
  if (unit === 'offset' && d.file !== null) {
    const at = d.file.lastIndexOf('/');
    return `topic "${d.file.slice(0, at)}" partition ${d.file.slice(at + 1)} offset ${d.line}`;
  }
  if (unit === 'change' && d.file !== null) return `${d.file} ${d.file.startsWith('snapshot') ? 'row' : 'change'} ${d.line}`;
  return d.file === null ? `${unit} ${d.line}` : `file ${d.file} ${unit} ${d.line}`;
}

export function describeBadRow(source: string, d: BadRowDetail, unit: LocationUnit): string {
  const column = d.column === null ? '' : `, column "${d.column}"`;
  return `source "${source}": ${describeLocation(d, unit)}${column}: ${d.message}`;
}

function toBadRow(d: BadRowDetail, unit: LocationUnit): BadRow {
  const location = d.file === null ? `${unit} ${d.line}` : unit === 'offset' ? `${d.file}/${d.line}` : unit === 'change' ? describeLocation(d, unit) : `${d.file}:${d.line}`;
  return { location, column: d.column, message: d.message };
}

/**
 * Applies on_error to `bad` bad rows of which `examples` are the first few: under 'fail' throws
 * BAD_INPUT_ROW naming the first; under 'skip' logs them. Returns the stats for `good` rows.
 */
export function reportBadRows(
  source: string,
  onError: OnError,
  unit: LocationUnit,
  counts: { good: number; bad: number },
  examples: readonly BadRowDetail[],
): LoadStats {
  const { good, bad } = counts;
  if (bad === 0) return { rows: good, badRows: 0, badRowExamples: [] };
  const first = examples[0] ?? { file: null, line: 0, column: null, message: 'unreadable row' };
  if (onError === 'fail') {
    const more = bad > 1 ? ` (and ${bad - 1} more bad row${bad > 2 ? 's' : ''})` : '';
    throw new EddyError('BAD_INPUT_ROW', `${describeBadRow(source, first, unit)}${more}`, {
      hint: "fix the input, or create the source with on_error = 'skip' to skip and count bad rows",
    });
  }
  log.warn({ source, badRows: bad, examples: examples.map((d) => describeBadRow(source, d, unit)) }, 'skipped bad input rows');
  return { rows: good, badRows: bad, badRowExamples: examples.map((d) => toBadRow(d, unit)) };
}

/** reportBadRows for staged rows (the good rows are not inserted yet). */
export async function checkStagedRows(staged: StagedRows, source: string, onError: OnError, unit: LocationUnit): Promise<LoadStats> {
  const counts = await staged.counts();
  const examples = counts.bad > 0 ? await staged.badRows(BAD_ROW_EXAMPLES) : [];
  return reportBadRows(source, onError, unit, counts, examples);
}
