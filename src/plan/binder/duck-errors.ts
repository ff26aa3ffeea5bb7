/**
 * DuckDB's binder types Eddy's expressions (DESCRIBE of probe queries). Its errors become EddyErrors
 * here, with the code a PostgreSQL user expects and the position of the user's expression.
 */
import { EddyError, type ErrorCode, type SqlPosition } from '../../util/errors.js';

/** Marks the probe's sentinel column: an error about it means the expression aggregates. */
export const SENTINEL = '__eddy_row__';

export function duckErrorToEddy(e: unknown, position: SqlPosition | undefined, what: string): EddyError {
  if (e instanceof EddyError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const first = (raw.split('\n')[0] ?? raw).replace(/^[A-Za-z ]+ Error: /, '').trim();
  if (raw.includes(`"${SENTINEL}" must appear in the GROUP BY`)) {
    return new EddyError('FEATURE_NOT_SUPPORTED', `${what} uses an aggregate function that Eddy does not support`, {
      position,
      cause: e,
      hint: 'supported aggregates: count, sum, avg, min, max (with optional DISTINCT and FILTER)',
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

function codeFor(raw: string): ErrorCode {
  if (raw.startsWith('Parser Error')) return 'SYNTAX_ERROR';
  if (/Catalog Error/.test(raw) && /[Ff]unction/.test(raw)) return 'UNDEFINED_FUNCTION';
  if (/must appear in the GROUP BY|aggregate/i.test(raw) && /GROUP BY/.test(raw)) return 'GROUPING_ERROR';
  return 'DATATYPE_MISMATCH';
}
