/**
 * Query bodies (the SELECT after AS, pull queries, EXPLAIN's query) are parsed by node-sql-parser in
 * its PostgreSQL dialect; its errors are mapped back to positions in the user's script.
 */
import NSP from 'node-sql-parser/build/postgresql.js';
import { isStackOverflow, type SqlPosition } from '../util/errors.js';
import type { QueryText } from './ast.js';
import { checkAstDepth, tooComplex } from './nesting-limit.js';
import { describeFailure, positionWithin, syntaxError, tokenAt, type PeggyExpectation } from './syntax-error.js';
import { rewriteAggregateCalls } from './aggregate-call-rewrite.js';
import { rewriteTemporalJoins } from './temporal-join-rewrite.js';
import { rewriteWindowTableFunctions } from './window-tvf-rewrite.js';

const PARSE_OPTIONS = { database: 'postgresql', parseOptions: { includeLocations: true } };

let sharedParser: InstanceType<typeof NSP.Parser> | undefined;

export interface QueryBodyOptions {
  /**
   * Pull queries run on DuckDB as written, so DuckDB-only syntax must not be rejected: with this set,
   * a body node-sql-parser cannot read yields `ast: null` instead of a syntax error.
   */
  readonly allowUnparsed?: boolean;
}

/**
 * Parses a query body that begins at `start` in the script. Throws EddyError('SYNTAX_ERROR') with a
 * position in the script when node-sql-parser cannot read it (unless `allowUnparsed`), and
 * STATEMENT_TOO_COMPLEX when it nests too deeply (a pull query node-sql-parser's stack cannot follow
 * is left to DuckDB, whose own depth limit then applies).
 */
export function parseQueryBody(text: string, start: SqlPosition, options: QueryBodyOptions = {}): QueryText {
  let ast: unknown;
  const temporal = rewriteTemporalJoins(text);
  try {
    ast = astOf(temporal.text);
  } catch (e) {
    if (options.allowUnparsed) return { text, start, ast: null };
    if (isStackOverflow(e)) throw tooComplex('it nests too deeply for the query parser', start, e);
    throw queryError(e, text, start);
  }
  checkAstDepth(ast);
  return temporal.relations.length > 0 ? { text, start, ast, asOfProctime: temporal.relations } : { text, start, ast };
}

/**
 * Where an offset inside `query.text` lies in the script, e.g. for a node-sql-parser node's
 * `loc.start.offset`, so that binder errors point into the user's file.
 */
export function positionInQuery(query: QueryText, localOffset: number): SqlPosition {
  return positionWithin(query.text, query.start, localOffset);
}

function astOf(text: string): unknown {
  sharedParser ??= new NSP.Parser();
  const ast = sharedParser.astify(rewriteAggregateCalls(rewriteWindowTableFunctions(text)), PARSE_OPTIONS);
  if (Array.isArray(ast)) {
    // The envelope grammar splits statements at `;`, so one body is one statement.
    if (ast.length !== 1) throw new Error('expected exactly one query');
    return ast[0];
  }
  return ast;
}

interface NodeSqlParserFailure {
  readonly expected?: readonly PeggyExpectation[] | null;
  readonly location?: { readonly start?: { readonly offset?: number } };
  readonly message?: string;
}

function queryError(e: unknown, text: string, start: SqlPosition) {
  const failure = (typeof e === 'object' && e !== null ? e : {}) as NodeSqlParserFailure;
  const localOffset = failure.location?.start?.offset;
  if (typeof localOffset !== 'number') {
    // Not a parse failure with a place (node-sql-parser throws plain Errors for some constructs).
    const reason = failure.message ?? String(e);
    return syntaxError(start, `cannot parse the query: ${reason}`, e);
  }
  const position = positionWithin(text, start, localOffset);
  const found = tokenAt(text, localOffset, 'end of query');
  const detail = failure.expected
    ? describeFailure(failure.expected, found, 'end of query')
    : `${failure.message ?? 'cannot parse the query'} at ${found}`;
  return syntaxError(position, detail, e);
}
