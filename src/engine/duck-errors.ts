/**
 * Turns DuckDB's errors into EddyErrors with the matching code, so pull queries and table statements
 * fail with a SQLSTATE a PostgreSQL client understands. The DuckDB message is kept: it is precise.
 */
import { storageFault } from '../duck/storage-fault.js';
import { EddyError, type ErrorCode, type SqlPosition } from '../util/errors.js';

const RULES: readonly (readonly [RegExp, ErrorCode])[] = [
  [/^Parser Error/i, 'SYNTAX_ERROR'],
  [/^Catalog Error: (Table|View|Table Function) with name .* does not exist/i, 'UNDEFINED_TABLE'],
  [/^Catalog Error: Scalar Function with name .* does not exist/i, 'UNDEFINED_FUNCTION'],
  [/^Catalog Error: .* already exists/i, 'DUPLICATE_OBJECT'],
  [/^Catalog Error: .* depend/i, 'DEPENDENT_OBJECTS'],
  [/^Binder Error: Referenced column .* not found/i, 'UNDEFINED_COLUMN'],
  [/^Binder Error: .*ambiguous/i, 'AMBIGUOUS_COLUMN'],
  [/^Binder Error: .*must appear in the GROUP BY/i, 'GROUPING_ERROR'],
  [/^Binder Error: No function matches/i, 'UNDEFINED_FUNCTION'],
  [/^Conversion Error/i, 'DATATYPE_MISMATCH'],
  [/^Constraint Error/i, 'INVALID_PARAMETER'],
  [/^IO Error/i, 'IO_ERROR'],
  [/^Permission Error/i, 'INSUFFICIENT_PRIVILEGE'],
  [/^INTERRUPT Error/i, 'QUERY_CANCELED'],
  [/^Not implemented Error/i, 'FEATURE_NOT_SUPPORTED'],
];

/** Wraps an error thrown by DuckDB while running `what` (e.g. 'SELECT', 'INSERT INTO t'). */
export function wrapDuckError(e: unknown, what: string, position?: SqlPosition): EddyError {
  if (e instanceof EddyError) return e;
  const message = oneLine(e instanceof Error ? e.message : String(e));
  const fault = storageFault(e);
  if (fault) {
    // never DuckDB's "database has been invalidated": the engine reopens the database (storage-recovery.ts)
    return new EddyError('STORAGE_UNAVAILABLE', `${what} failed: the data directory cannot be written for now (${fault.reason})`, {
      cause: e,
      position,
      hint: fault.kind === 'invalidated' ? 'Eddy is reopening its database; retry later' : 'retry later',
    });
  }
  const code = RULES.find(([re]) => re.test(message))?.[1] ?? 'QUERY_FAILED';
  const hint = code === 'INSUFFICIENT_PRIVILEGE' ? 'files may be used only under the server\'s file roots (eddy serve --file-root DIR)' : undefined;
  return new EddyError(code, `${what} failed: ${message}`, { cause: e, position, hint });
}

/**
 * DuckDB's message on one line, without its `LINE 1: ... ^` excerpt: the excerpt is of the SQL DuckDB
 * ran, and the error's position already points into the user's script.
 */
function oneLine(message: string): string {
  return (message.split(/\n\s*LINE \d+:/)[0] ?? message).replace(/\s*\n\s*/g, ' ').trim();
}
