/**
 * The SQL front end: script text -> typed Statements. grammar/eddy.peggy reads the statement envelope
 * and captures query bodies as text; node-sql-parser then parses each body (query-body.ts).
 */
import { segments } from '../duck/lexer.js';
import { quoteIdent } from '../duck/quote.js';
import { EddyError, isStackOverflow, positionAt, type SqlPosition } from '../util/errors.js';
import { offThreadAbove } from '../util/off-thread.js';
import type { QueryText, RowStatement, Statement } from './ast.js';
import { parse as parseEnvelope, SyntaxError as EnvelopeSyntaxError } from './generated/eddy-parser.js';
import { checkParenthesesDepth, tooComplex } from './nesting-limit.js';
import { parseQueryBody } from './query-body.js';
import { describeFailure, syntaxError, tokenAt } from './syntax-error.js';

/** Pull queries longer than this are not parsed by node-sql-parser (see withParsedQueries). */
const UNPARSED_PULL_QUERY_CHARS = 256 * 1024;

/** A query body as the grammar returns it: text and position, not yet parsed. */
interface RawQuery {
  readonly text: string;
  readonly start: SqlPosition;
}

/**
 * Parses a script of `;`-separated statements. Throws EddyError('SYNTAX_ERROR') with a position, or
 * STATEMENT_TOO_COMPLEX when it nests deeper than the parsers can follow.
 */
export function parseScript(text: string): Statement[] {
  refuseNul(text);
  checkParenthesesDepth(text);
  let raw: Statement[];
  try {
    raw = parseEnvelope(text, { quoteIdent, unsupported }) as Statement[];
  } catch (e) {
    if (e instanceof EnvelopeSyntaxError) throw envelopeError(e, text);
    if (isStackOverflow(e)) throw tooComplex('it nests too deeply for the statement parser', undefined, e);
    throw e;
  }
  return raw.map(withParsedQueries);
}

/** A statement the grammar reads but Eddy does not run (COPY to a file): refused in its own words. */
function unsupported(message: string, hint: string, position: SqlPosition): EddyError {
  return new EddyError('SYNTAX_ERROR', message, { position, hint });
}

/**
 * DuckDB (like PostgreSQL, whose strings end at one) reads no further than a NUL, so text past one
 * would be Eddy's alone. Inside a quoted name it is left to the name checks (INVALID_NAME), which
 * name the object; the name never reaches DuckDB.
 */
function refuseNul(text: string): void {
  if (!text.includes('\0')) return;
  for (const seg of segments(text)) {
    if (seg.kind === 'quoted_ident') continue;
    const nul = text.indexOf('\0', seg.start);
    if (nul >= 0 && nul < seg.end) throw syntaxError(positionAt(text, nul), 'SQL text cannot contain a NUL (0x00) character');
  }
}

/**
 * parseScript for a caller that must not stop: a long script (~1 s per MB) is parsed on a worker
 * thread, a short one right here.
 */
export const parseScriptAsync = offThreadAbove(import.meta.url, 'parseScript', parseScript, (text: string) => text.length);

/** Parses text holding exactly one statement (a trailing `;` is allowed). */
export function parseStatement(text: string): Statement {
  const statements = parseScript(text);
  const [first, second] = statements;
  if (first === undefined) throw syntaxError({ offset: 0, line: 1, column: 1 }, 'expected a statement but found none');
  if (second !== undefined) {
    throw syntaxError(second.start, `expected one statement but found ${statements.length}`);
  }
  return first;
}

/** Continuous query bodies must be readable by node-sql-parser; pull queries may be DuckDB-only. */
function withParsedQueries(statement: Statement): Statement {
  switch (statement.kind) {
    case 'create_view':
    case 'create_materialized_view':
      return { ...statement, query: continuous(statement.query) };
    case 'create_sink':
      return statement.input.kind === 'query'
        ? { ...statement, input: { kind: 'query', query: continuous(statement.input.query) } }
        : statement;
    case 'select':
      // DuckDB reads a pull query itself; Eddy reads its AST only for the relations it names. A huge
      // one (an IN list of a million values) is left to DuckDB: node-sql-parser takes seconds per MB,
      // and its tree, however it is built, costs the event loop ~60 ms per MB to take in.
      if (statement.query.text.length > UNPARSED_PULL_QUERY_CHARS) return { ...statement, query: { ...statement.query, ast: null } };
      return { ...statement, query: parseQueryBody(statement.query.text, statement.query.start, { allowUnparsed: true }) };
    case 'explain': {
      // EXPLAIN shows plans, which need the AST, so even an explained pull query must parse.
      const inner = statement.statement.kind === 'select'
        ? { ...statement.statement, query: continuous(statement.statement.query) }
        : withParsedQueries(statement.statement);
      return { ...statement, statement: inner as typeof statement.statement };
    }
    case 'declare_cursor':
    case 'copy':
      return { ...statement, statement: withParsedQueries(statement.statement) as RowStatement };
    default:
      return statement;
  }
}

function continuous(query: RawQuery | QueryText): QueryText {
  return parseQueryBody(query.text, query.start);
}

function envelopeError(e: EnvelopeSyntaxError, text: string) {
  const start = e.location.start;
  const position: SqlPosition = { offset: start.offset, line: start.line, column: start.column };
  // Errors raised by the grammar's own checks (duplicate options, ...) carry no expectation list.
  const detail = e.expected
    ? describeFailure(e.expected, tokenAt(text, start.offset, 'end of input'), 'end of input')
    : e.message;
  return syntaxError(position, detail, e);
}
