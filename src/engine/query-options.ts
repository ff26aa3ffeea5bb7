/**
 * The options every continuous query (materialized view or sink) accepts, validated when it is
 * created: `trigger`, `max_rows_per_batch`, `output_mode`, `checkpoint_retention` (how many batches
 * offsets/ and commits/ keep, default 100), `late_rows` ('drop', the default, or 'keep': late rows also
 * go to the system table eddy_late_rows). A sink's other options belong to its
 * connector; a materialized view's others are its history's retention (retention_batches, _bytes,
 * _time), so any other option is an error naming it.
 */
import type { OutputMode } from '../catalog/output-mode.js';
import type { Options, OptionValue } from '../sql/ast.js';
import { parseTrigger } from '../exec/trigger.js';
import { EddyError } from '../util/errors.js';
import { isRetentionOption, RETENTION_OPTION_NAMES, validRetentionOption } from '../catalog/view-retention.js';

export const QUERY_OPTION_NAMES = ['trigger', 'max_rows_per_batch', 'output_mode', 'checkpoint_retention', 'late_rows', 'background'] as const;
const OUTPUT_MODES: readonly OutputMode[] = ['append', 'update', 'complete', 'changelog'];

export interface SplitOptions {
  /** trigger / max_rows_per_batch / output_mode, validated and normalised. */
  readonly query: Options;
  /** Everything else (a sink's connector options), as written. */
  readonly rest: Options;
  readonly outputMode: OutputMode | null;
}

/** Separates and validates the common query options. `what` names the object in errors. */
export function splitQueryOptions(options: Options, what: string): SplitOptions {
  const query: Record<string, OptionValue> = {};
  const rest: Record<string, OptionValue> = {};
  let outputMode: OutputMode | null = null;
  for (const [key, value] of Object.entries(options)) {
    if (key === 'trigger') query.trigger = validTrigger(value, what);
    else if (key === 'max_rows_per_batch') query.max_rows_per_batch = validPositiveInt(key, value, what);
    else if (key === 'checkpoint_retention') query.checkpoint_retention = validPositiveInt(key, value, what);
    else if (key === 'background') query.background = validBoolean(key, value, what);
    else if (key === 'late_rows') {
      const mode = String(value).toLowerCase();
      if (mode !== 'drop' && mode !== 'keep') {
        throw new EddyError('INVALID_PARAMETER', `${what}: late_rows must be 'drop' or 'keep', not '${String(value)}'`, {
          hint: "'keep' also stores late rows in the system table eddy_late_rows",
        });
      }
      query.late_rows = mode;
    }
    else if (key === 'output_mode') {
      const mode = String(value).toLowerCase() as OutputMode;
      if (!OUTPUT_MODES.includes(mode)) {
        throw new EddyError('INVALID_PARAMETER', `${what}: output_mode must be one of ${OUTPUT_MODES.join(', ')}, not '${String(value)}'`);
      }
      query.output_mode = mode;
      outputMode = mode;
    } else rest[key] = value;
  }
  return { query, rest, outputMode };
}

/** For materialized views: the common options and the retention of its history (catalog/view-retention.ts). */
export function materializedViewOptions(options: Options, what: string): SplitOptions {
  const split = splitQueryOptions(options, what);
  const query: Record<string, OptionValue> = { ...split.query };
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(split.rest)) {
    if (isRetentionOption(key)) query[key] = validRetentionOption(key, value, what);
    else unknown.push(key);
  }
  if (unknown.length > 0) {
    throw new EddyError('INVALID_PARAMETER', `${what}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, {
      hint: `a materialized view accepts ${[...QUERY_OPTION_NAMES, ...RETENTION_OPTION_NAMES].join(', ')}`,
    });
  }
  return { ...split, query, rest: {} };
}

function validTrigger(value: OptionValue, what: string): string {
  try {
    parseTrigger(value);
  } catch (e) {
    throw new EddyError('INVALID_PARAMETER', `${what}: ${(e as EddyError).message}`, { hint: (e as EddyError).hint });
  }
  return String(value).trim().toLowerCase();
}

function validBoolean(key: string, value: OptionValue, what: string): boolean {
  const text = String(value).toLowerCase();
  if (value === true || text === 'true') return true;
  if (value === false || text === 'false') return false;
  throw new EddyError('INVALID_PARAMETER', `${what}: ${key} must be true or false, not '${String(value)}'`);
}

function validPositiveInt(key: string, value: OptionValue, what: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new EddyError('INVALID_PARAMETER', `${what}: ${key} must be a positive integer, not '${String(value)}'`);
  }
  return n;
}
