/**
 * How deeply a statement may nest. Both parsers (the envelope grammar and node-sql-parser) and the
 * binder recurse once per level, so a statement nested thousands deep would exhaust the stack; the
 * checks here refuse it first with STATEMENT_TOO_COMPLEX (54001, as PostgreSQL's "stack depth limit
 * exceeded"), naming the limit. The limit is DuckDB's own max_expression_depth, which a pull query
 * would meet anyway.
 */
import { segments } from '../duck/lexer.js';
import { EddyError, positionAt, type SqlPosition } from '../util/errors.js';

export const MAX_NESTING_DEPTH = 1000;

const HINT = `Eddy follows at most ${MAX_NESTING_DEPTH} levels of nesting: flatten the expression, use IN (...) for a long list of alternatives, or split the query into views`;

export function tooComplex(what: string, position?: SqlPosition, cause?: unknown): EddyError {
  return new EddyError('STATEMENT_TOO_COMPLEX', `statement too complex: ${what}`, { hint: HINT, position, cause });
}

/**
 * Refuses text whose parentheses nest deeper than the limit, before any parser sees it. Literals,
 * quoted names and comments are skipped where DuckDB skips them (src/duck/lexer.ts).
 */
export function checkParenthesesDepth(text: string, limit = MAX_NESTING_DEPTH): void {
  let depth = 0;
  for (const seg of segments(text)) {
    if (seg.kind !== 'code' || seg.end !== seg.start + 1) continue;
    const c = text.charCodeAt(seg.start);
    if (c === 40 /* ( */) {
      if (++depth > limit) throw tooComplex(`parentheses nested more than ${limit} deep`, positionAt(text, seg.start));
    } else if (c === 41 /* ) */ && depth > 0) depth--;
  }
}

/** AST node kinds that only wrap a list; they add no level of their own. */
const WRAPPERS = new Set(['expr_list']);

/**
 * Refuses a node-sql-parser AST nested deeper than the limit, counting the typed nodes on the deepest
 * path (an OR chain of 20,000 terms is 20,000 deep: node-sql-parser folds it into nested binary
 * expressions). Walks with an explicit stack, so the check itself cannot overflow.
 */
export function checkAstDepth(ast: unknown, limit = MAX_NESTING_DEPTH): void {
  const stack: [unknown, number][] = [[ast, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth]);
      continue;
    }
    const record = node as Record<string, unknown>;
    const typed = typeof record.type === 'string' && !WRAPPERS.has(record.type);
    const level = typed ? depth + 1 : depth;
    if (level > limit) throw tooComplex(`expressions nested more than ${limit} deep (a chain of ${limit} AND/OR or arithmetic terms nests that deep too)`);
    for (const key in record) if (key !== 'loc') stack.push([record[key], level]);
  }
}
