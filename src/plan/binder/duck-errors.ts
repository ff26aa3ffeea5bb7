/**
 * DuckDB's binder types Eddy's expressions (DESCRIBE of probe queries). Its errors become EddyErrors
 * here, with the code a PostgreSQL user expects and the position of the user's expression.
 */
import { duckErrorCode, withoutFamily } from '../../duck/error-codes.js';
import { EddyError, type ErrorCode, type SqlPosition } from '../../util/errors.js';

/** Marks the probe's sentinel column: an error about it means the expression aggregates. */
export const SENTINEL = '__eddy_row__';

export function duckErrorToEddy(e: unknown, position: SqlPosition | undefined, what: string): EddyError {
  if (e instanceof EddyError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const first = withoutFamily(raw.split('\n')[0] ?? raw).trim();
  if (raw.includes(`"${SENTINEL}" must appear in the GROUP BY`)) {
    return new EddyError('FEATURE_NOT_SUPPORTED', `${what} uses an aggregate function that Eddy does not recognize as one`, {
      position,
      cause: e,
      hint: "DuckDB's built-in aggregates are recognized; a macro or function that aggregates inside is not: call the aggregate itself",
    });
  }
  const noMatch = /No function matches the given name and argument types '([^']*)'/.exec(first);
  if (noMatch) {
    const call = noMatch[1]!.replaceAll('_LITERAL', '');
    const op = /^([^\w\s(]+)\((.*), (.*)\)$/.exec(call);
    const what = op ? `operator does not exist: ${op[2]} ${op[1]} ${op[3]}` : `function ${call} does not exist`;
    return new EddyError('UNDEFINED_FUNCTION', what, {
      position,
      cause: e,
      hint: 'no function matches the given name and argument types; you might need to add explicit type casts',
    });
  }
  const unknownFn = /Function with name (\S+) does not exist/.exec(first);
  if (unknownFn) {
    const suggestion = /Did you mean "([^"]+)"/.exec(raw);
    return new EddyError('UNDEFINED_FUNCTION', `function ${unknownFn[1]} does not exist`, {
      position,
      cause: e,
      hint: suggestion ? `did you mean ${suggestion[1]}?` : undefined,
    });
  }
  return new EddyError(codeFor(raw), `${what}: ${first}`, { position, cause: e });
}

/**
 * The code of DuckDB's error (duck/error-codes.ts), narrowed to what a probe can meet: Eddy's binder
 * has already resolved the expression's names, so what DuckDB still refuses, short of syntax, an
 * unknown function or a grouping mistake, is about types (`CAST(x AS MONEY)`, `ts > 5`).
 */
function codeFor(raw: string): ErrorCode {
  const code = duckErrorCode(raw);
  switch (code) {
    case 'SYNTAX_ERROR':
    case 'STATEMENT_TOO_COMPLEX':
    case 'UNDEFINED_FUNCTION':
    case 'GROUPING_ERROR':
      return code;
    default:
      return 'DATATYPE_MISMATCH';
  }
}
