/**
 * The statements of a PostgreSQL wire session (transactions, session parameters, cursors, COPY TO
 * STDOUT) are Eddy's grammar's too, so that the wire server reads no SQL of its own; only a wire
 * session runs them. Over HTTP, in `eddy run` or through the library they would mean nothing (no
 * session holds a parameter, a cursor or a COPY stream there), so the engine refuses them as no
 * statements of Eddy's there: SYNTAX_ERROR, as DuckDB's own SET or COPY to a file always were.
 */
import type { SessionStatement } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';

export function sessionStatementRefused(statement: SessionStatement): EddyError {
  const what = nameOf(statement);
  return new EddyError('SYNTAX_ERROR', `${what} is a statement of a PostgreSQL session (psql or a driver), not of Eddy's other clients`, {
    position: statement.start,
    hint: hintFor(statement),
  });
}

function nameOf(statement: SessionStatement): string {
  switch (statement.kind) {
    case 'transaction':
      return statement.action === 'start' ? 'START TRANSACTION' : statement.action.toUpperCase();
    case 'set_parameter':
    case 'set_transaction':
      return 'SET';
    case 'reset_parameter':
      return 'RESET';
    case 'show_parameter':
      return 'SHOW of a session parameter';
    case 'discard':
      return 'DISCARD';
    case 'deallocate':
      return 'DEALLOCATE';
    case 'declare_cursor':
      return 'DECLARE CURSOR';
    case 'fetch':
      return 'FETCH';
    case 'close_cursor':
      return 'CLOSE';
    case 'copy':
      return 'COPY ... TO STDOUT';
  }
}

function hintFor(statement: SessionStatement): string {
  switch (statement.kind) {
    case 'transaction':
      return 'every statement takes effect when it runs; leave out BEGIN, COMMIT and ROLLBACK';
    case 'declare_cursor':
    case 'fetch':
    case 'close_cursor':
    case 'copy':
      return 'run the query itself, or SUBSCRIBE over HTTP (GET /v1/subscribe/name) or a websocket';
    default:
      return 'session parameters belong to PostgreSQL clients; Eddy has no settings to change here';
  }
}
