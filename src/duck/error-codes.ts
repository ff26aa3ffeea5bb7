/**
 * The error code of a DuckDB error message, by its family ("Binder Error: ...", "Conversion Error:
 * ...") and, within a family, by the messages PostgreSQL has a more precise SQLSTATE for, so that a
 * client sees 42703 for an unknown column and 22P02 for a bad cast, never XX000 for its own mistake.
 * Rules are tried in order: the specific ones of a family before its catch-all.
 */
import type { ErrorCode } from '../util/errors.js';

const RULES: readonly (readonly [RegExp, ErrorCode])[] = [
  // Nesting deeper than DuckDB follows: its max_expression_depth, or its parser's stack.
  [/^(Parser|Binder) Error: Max expression depth limit/i, 'STATEMENT_TOO_COMPLEX'],
  [/^Parser Error: memory exhausted/i, 'STATEMENT_TOO_COMPLEX'],
  [/^(Parser|Syntax) Error/i, 'SYNTAX_ERROR'],

  [/^Catalog Error: (Table|View|Table Function) with name .* does not exist/i, 'UNDEFINED_TABLE'],
  [/^Catalog Error: (Scalar Function|Aggregate Function|Pragma Function|Macro Function|Function) with name .* does not exist/i, 'UNDEFINED_FUNCTION'],
  [/^Catalog Error: .* already exists/i, 'DUPLICATE_OBJECT'],
  [/^Catalog Error: .* depend/i, 'DEPENDENT_OBJECTS'],
  [/^Catalog Error: .* is not an? /i, 'WRONG_OBJECT_TYPE'],
  [/^Catalog Error/i, 'UNDEFINED_OBJECT'],

  [/^Binder Error: (Referenced column|Referenced update column) .* not found/i, 'UNDEFINED_COLUMN'],
  [/^Binder Error: .*does not have a column (named|with name)/i, 'UNDEFINED_COLUMN'],
  [/^Binder Error: Referenced table .* not found/i, 'UNDEFINED_TABLE'],
  [/^Binder Error: .*ambiguous/i, 'AMBIGUOUS_COLUMN'],
  [/^Binder Error: Could not choose a best candidate function/i, 'AMBIGUOUS_FUNCTION'],
  [/^Binder Error: .*(must appear in the GROUP BY|aggregate function calls cannot be nested|cannot contain aggregates|GROUPING statement)/i, 'GROUPING_ERROR'],
  [/^Binder Error: No function matches/i, 'UNDEFINED_FUNCTION'],
  [/^Binder Error: (Cannot compare|Cannot mix|.*cannot be cast|.*Cannot (implicitly )?cast)/i, 'DATATYPE_MISMATCH'],
  [/^Binder Error: ORDER term out of range/i, 'INVALID_COLUMN_REFERENCE'],
  [/^Binder Error/i, 'INVALID_QUERY'],

  [/^Conversion Error: Unimplemented type for cast/i, 'CANNOT_COERCE'],
  [/^Conversion Error: (.*\b(date|timestamp|epoch)\b.*out of range|.*field value out of range)/i, 'DATETIME_OUT_OF_RANGE'],
  [/^Conversion Error: invalid (date|timestamp|time|interval)/i, 'INVALID_DATETIME_FORMAT'],
  [/^Conversion Error: .*(out of range|overflow)/i, 'NUMERIC_OUT_OF_RANGE'],
  [/^Conversion Error/i, 'INVALID_TEXT_REPRESENTATION'],
  [/^Out of Range Error/i, 'NUMERIC_OUT_OF_RANGE'],
  [/^Invalid Input Error: More than one row returned by a subquery/i, 'CARDINALITY_VIOLATION'],
  [/^Invalid Input Error: Could not parse string .* according to format/i, 'INVALID_DATETIME_FORMAT'],
  [/^Invalid Input Error: Malformed JSON/i, 'INVALID_TEXT_REPRESENTATION'],
  [/^(Invalid Input|Invalid Configuration|Sequence) Error/i, 'INVALID_PARAMETER'],
  [/^(Mismatch Type|Invalid type|Type) Error/i, 'DATATYPE_MISMATCH'],

  [/^Constraint Error: NOT NULL constraint/i, 'NOT_NULL_VIOLATION'],
  [/^Constraint Error: .*(PRIMARY KEY|UNIQUE)/i, 'UNIQUE_VIOLATION'],
  [/^Constraint Error: CHECK constraint/i, 'CHECK_VIOLATION'],
  [/^Constraint Error: .*foreign key/i, 'FOREIGN_KEY_VIOLATION'],
  [/^Constraint Error/i, 'INVALID_PARAMETER'],

  [/^TransactionContext Error: Current transaction is aborted/i, 'IN_FAILED_TRANSACTION'],
  [/^TransactionContext Error: .*conflict/i, 'SERIALIZATION_FAILURE'],
  [/^TransactionContext Error/i, 'INVALID_TRANSACTION_STATE'],
  [/^Dependency Error/i, 'DEPENDENT_OBJECTS'],
  [/^Permission Error/i, 'INSUFFICIENT_PRIVILEGE'],
  [/^Out of Memory Error/i, 'OUT_OF_MEMORY'],
  [/^Interrupt Error/i, 'QUERY_CANCELED'],
  [/^IO Error/i, 'IO_ERROR'],
  [/^Not implemented Error/i, 'FEATURE_NOT_SUPPORTED'],
];

/** The code of a DuckDB error message; undefined for what is not a DuckDB user error (Internal, FATAL). */
export function duckErrorCode(message: string): ErrorCode | undefined {
  return RULES.find(([re]) => re.test(message))?.[1];
}

/** DuckDB's error family, the words before " Error: " ("IO", "Invalid Input", "Conversion"); undefined for other errors. */
export function duckErrorFamily(message: string): string | undefined {
  return FAMILY.exec(message)?.[1];
}

/** DuckDB's message without its family ("Conversion Error: "), for messages that name their own context. */
export function withoutFamily(message: string): string {
  return message.replace(FAMILY, '');
}

const FAMILY = /^([A-Za-z ]+) Error: /;

/**
 * DuckDB's advice to `SET max_expression_depth` cannot be followed by a client (Eddy refuses engine
 * settings), so it is dropped from messages.
 */
export function withoutSettingAdvice(message: string): string {
  return message.replace(/\s*Use "SET max_expression_depth TO x" to increase the maximum expression depth\.?/i, '');
}
