/**
 * Turns DuckDB's errors into EddyErrors with the matching code, so pull queries and table statements
 * fail with a SQLSTATE a PostgreSQL client understands. The DuckDB message is kept: it is precise.
 */
import { duckErrorCode, withoutSettingAdvice } from '../duck/error-codes.js';
import { storageFault } from '../duck/storage-fault.js';
import { EddyError, type ErrorCode, type SqlPosition } from '../util/errors.js';

/** What a user can do about some of DuckDB's errors. */
const HINTS: Partial<Record<ErrorCode, string>> = {
  STATEMENT_TOO_COMPLEX: 'DuckDB follows at most 1000 levels of nesting: flatten the expression or split the query into views',
  INSUFFICIENT_PRIVILEGE: "files may be used only under the server's file roots (eddy serve --file-root DIR)",
};

/** Wraps an error thrown by DuckDB while running `what` (e.g. 'SELECT', 'INSERT INTO t'). */
export function wrapDuckError(e: unknown, what: string, position?: SqlPosition): EddyError {
  if (e instanceof EddyError) return e;
  const message = withoutSettingAdvice(oneLine(e instanceof Error ? e.message : String(e)));
  const fault = storageFault(e);
  if (fault) {
    // never DuckDB's "database has been invalidated": the engine reopens the database (storage-recovery.ts)
    return new EddyError('STORAGE_UNAVAILABLE', `${what} failed: the data directory cannot be written for now (${fault.reason})`, {
      cause: e,
      position,
      hint: fault.kind === 'invalidated' ? 'Eddy is reopening its database; retry later' : 'retry later',
    });
  }
  const code = duckErrorCode(message) ?? 'QUERY_FAILED';
  return new EddyError(code, `${what} failed: ${message}`, { cause: e, position, hint: HINTS[code] });
}

/**
 * DuckDB's message on one line, without its `LINE 1: ... ^` excerpt: the excerpt is of the SQL DuckDB
 * ran, and the error's position already points into the user's script.
 */
function oneLine(message: string): string {
  return (message.split(/\n\s*LINE \d+:/)[0] ?? message).replace(/\s*\n\s*/g, ' ').trim();
}
