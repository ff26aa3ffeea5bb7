/**
 * The one error catalogue. Every error a user can see is an EddyError with a stable code, a SQLSTATE,
 * an HTTP status and, where the error is about SQL text, the position in that text.
 */

/** A position in SQL text: 1-based line and column, 0-based offset. */
export interface SqlPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export const ErrorCodes = {
  SYNTAX_ERROR: { sqlstate: '42601', http: 400 },
  UNDEFINED_TABLE: { sqlstate: '42P01', http: 404 },
  UNDEFINED_COLUMN: { sqlstate: '42703', http: 400 },
  AMBIGUOUS_COLUMN: { sqlstate: '42702', http: 400 },
  UNDEFINED_FUNCTION: { sqlstate: '42883', http: 400 },
  DATATYPE_MISMATCH: { sqlstate: '42804', http: 400 },
  GROUPING_ERROR: { sqlstate: '42803', http: 400 },
  DUPLICATE_OBJECT: { sqlstate: '42710', http: 409 },
  DEPENDENT_OBJECTS: { sqlstate: '2BP01', http: 409 },
  WRONG_OBJECT_TYPE: { sqlstate: '42809', http: 400 },
  FEATURE_NOT_SUPPORTED: { sqlstate: '0A000', http: 400 },
  INVALID_PARAMETER: { sqlstate: '22023', http: 400 },
  INVALID_OUTPUT_MODE: { sqlstate: '0A000', http: 400 },
  BAD_INPUT_ROW: { sqlstate: '22P02', http: 422 },
  OBJECT_IN_USE: { sqlstate: '55006', http: 409 },
  /** A missing or wrong bearer token (HTTP, websockets). */
  UNAUTHORIZED: { sqlstate: '28000', http: 401 },
  QUERY_FAILED: { sqlstate: 'XX000', http: 500 },
  /** A source or sink cannot be reached for now (broker down, topic missing): the query retries. */
  SOURCE_UNAVAILABLE: { sqlstate: '08006', http: 503 },
  IO_ERROR: { sqlstate: '58030', http: 500 },
  /** Wire protocol: a password or SCRAM proof did not match. */
  INVALID_PASSWORD: { sqlstate: '28P01', http: 401 },
  PROTOCOL_VIOLATION: { sqlstate: '08P01', http: 400 },
  /** A binary parameter whose bytes do not fit its type (a 2-byte BIGINT). */
  INVALID_BINARY_REPRESENTATION: { sqlstate: '22P03', http: 400 },
  QUERY_CANCELED: { sqlstate: '57014', http: 499 },
  IN_FAILED_TRANSACTION: { sqlstate: '25P02', http: 409 },
  INVALID_CURSOR_NAME: { sqlstate: '34000', http: 404 },
  INVALID_STATEMENT_NAME: { sqlstate: '26000', http: 404 },
  /** A subscriber that reads too slowly: its bounded buffer filled up. */
  SUBSCRIBER_TOO_SLOW: { sqlstate: '54000', http: 429 },
  /** A name that cannot be used (NUL, a control character, or more than 63 bytes: PostgreSQL's limit). */
  INVALID_NAME: { sqlstate: '42602', http: 400 },
  NAME_TOO_LONG: { sqlstate: '42622', http: 400 },
  /** What a client may not do: read files outside the file roots, ATTACH, INSTALL, ... */
  INSUFFICIENT_PRIVILEGE: { sqlstate: '42501', http: 403 },
  /** A statement, message, body or result over a configured limit. */
  LIMIT_EXCEEDED: { sqlstate: '54000', http: 413 },
  /** Nesting deeper than the parser or planner can follow (PostgreSQL's stack depth limit). */
  STATEMENT_TOO_COMPLEX: { sqlstate: '54001', http: 400 },
  TOO_MANY_CONNECTIONS: { sqlstate: '53300', http: 503 },
  /** The data directory cannot be written for now (disk full, read-only, invalidated database): retry later. */
  STORAGE_UNAVAILABLE: { sqlstate: '53100', http: 503 },
  /** DuckDB's error families, as PostgreSQL names them (src/duck/error-codes.ts). */
  INVALID_QUERY: { sqlstate: '42000', http: 400 },
  UNDEFINED_OBJECT: { sqlstate: '42704', http: 400 },
  AMBIGUOUS_FUNCTION: { sqlstate: '42725', http: 400 },
  CANNOT_COERCE: { sqlstate: '42846', http: 400 },
  INVALID_COLUMN_REFERENCE: { sqlstate: '42P10', http: 400 },
  INVALID_TEXT_REPRESENTATION: { sqlstate: '22P02', http: 400 },
  NUMERIC_OUT_OF_RANGE: { sqlstate: '22003', http: 400 },
  DATETIME_OUT_OF_RANGE: { sqlstate: '22008', http: 400 },
  INVALID_DATETIME_FORMAT: { sqlstate: '22007', http: 400 },
  CARDINALITY_VIOLATION: { sqlstate: '21000', http: 400 },
  NOT_NULL_VIOLATION: { sqlstate: '23502', http: 400 },
  UNIQUE_VIOLATION: { sqlstate: '23505', http: 409 },
  CHECK_VIOLATION: { sqlstate: '23514', http: 400 },
  FOREIGN_KEY_VIOLATION: { sqlstate: '23503', http: 409 },
  INVALID_TRANSACTION_STATE: { sqlstate: '25000', http: 409 },
  SERIALIZATION_FAILURE: { sqlstate: '40001', http: 409 },
  OUT_OF_MEMORY: { sqlstate: '53200', http: 503 },
  INTERNAL: { sqlstate: 'XX000', http: 500 },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface EddyErrorOptions {
  readonly position?: SqlPosition | undefined;
  readonly cause?: unknown;
  /** A hint a user can act on, shown after the message (psql shows it as HINT). */
  readonly hint?: string | undefined;
}

export class EddyError extends Error {
  readonly code: ErrorCode;
  readonly sqlstate: string;
  readonly httpStatus: number;
  readonly position: SqlPosition | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: EddyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EddyError';
    this.code = code;
    this.sqlstate = ErrorCodes[code].sqlstate;
    this.httpStatus = ErrorCodes[code].http;
    this.position = options.position;
    this.hint = options.hint;
  }

  /** The message with its position, as the CLI prints it. */
  describe(): string {
    const at = this.position ? ` (line ${this.position.line}, column ${this.position.column})` : '';
    const hint = this.hint ? `\nHINT: ${this.hint}` : '';
    return `${this.message}${at} [SQLSTATE ${this.sqlstate}]${hint}`;
  }
}

export function isEddyError(e: unknown): e is EddyError {
  return e instanceof EddyError;
}

/** V8's "Maximum call stack size exceeded": a recursion (a parser's, the binder's) ran out of stack. */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/**
 * Wraps anything thrown into an EddyError, so that no raw library error reaches a user. A stack
 * overflow is the statement's fault, not an internal error: it nested deeper than a recursion follows.
 */
export function asEddyError(e: unknown, code: ErrorCode = 'INTERNAL', context?: string): EddyError {
  if (e instanceof EddyError) return e;
  if (isStackOverflow(e)) {
    return new EddyError('STATEMENT_TOO_COMPLEX', `${context ? `${context}: ` : ''}statement too complex: it nests too deeply to be followed`, {
      cause: e,
      hint: 'flatten the expression (IN (...) for a long list of alternatives) or split the query into views',
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new EddyError(code, context ? `${context}: ${message}` : message, { cause: e });
}

/** Computes line and column (1-based) of an offset in a text. */
export function positionAt(text: string, offset: number): SqlPosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}
