/**
 * How deeply a statement may nest. Both parsers (the envelope grammar and node-sql-parser) and the
 * binder recurse once per level, so a statement nested thousands deep would exhaust the stack; the
 * checks here refuse it first with STATEMENT_TOO_COMPLEX (54001, as PostgreSQL's "stack depth limit
 * exceeded"), naming the limit. The limit is DuckDB's own max_expression_depth, which a pull query
 * would meet anyway.
 */
import { EddyError, positionAt, type SqlPosition } from '../util/errors.js';

export const MAX_NESTING_DEPTH = 1000;

const HINT = `Eddy follows at most ${MAX_NESTING_DEPTH} levels of nesting: flatten the expression, use IN (...) for a long list of alternatives, or split the query into views`;

export function tooComplex(what: string, position?: SqlPosition, cause?: unknown): EddyError {
  return new EddyError('STATEMENT_TOO_COMPLEX', `statement too complex: ${what}`, { hint: HINT, position, cause });
}

const OPEN = 40; // (
const CLOSE = 41; // )
const QUOTE = 39; // '
const DOUBLE_QUOTE = 34; // "
const DASH = 45; // -
const SLASH = 47; // /
const STAR = 42; // *
const DOLLAR = 36; // $
const NEWLINE = 10;
const RETURN = 13;

/**
 * Refuses text whose parentheses nest deeper than the limit, before any parser sees it. Strings,
 * quoted identifiers, dollar quotes and comments are skipped; a lexing difference can only move the
 * count by what such a literal holds, and the stack-overflow checks behind this one still hold.
 */
export function checkParenthesesDepth(text: string, limit = MAX_NESTING_DEPTH): void {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN) {
      if (++depth > limit) throw tooComplex(`parentheses nested more than ${limit} deep`, positionAt(text, i));
    } else if (c === CLOSE) {
      if (depth > 0) depth--;
    } else if (c === QUOTE || c === DOUBLE_QUOTE) {
      i = closingQuote(text, i + 1, c);
    } else if (c === DASH && text.charCodeAt(i + 1) === DASH) {
      while (i < n && text.charCodeAt(i) !== NEWLINE && text.charCodeAt(i) !== RETURN) i++;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      i = commentEnd(text, i + 2);
    } else if (c === DOLLAR) {
      i = dollarQuoteEnd(text, i);
    }
  }
}

/** The index of the closing quote (a doubled one is an escaped quote), or the end of the text. */
function closingQuote(text: string, from: number, quote: number): number {
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) !== quote) continue;
    if (text.charCodeAt(i + 1) === quote) i++;
    else return i;
  }
  return text.length;
}

/** The index of the last `/` of a (nested) block comment whose body starts at `from`. */
function commentEnd(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    if (c === SLASH && d === STAR) {
      depth++;
      i++;
    } else if (c === STAR && d === SLASH) {
      i++;
      if (--depth === 0) return i;
    }
  }
  return text.length;
}

const TAG = /\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;

/** After `$tag$ ... $tag$` (the index of its last `$`), or `at` itself when no dollar quote opens there. */
function dollarQuoteEnd(text: string, at: number): number {
  if (/[\w$]/.test(text[at - 1] ?? '')) return at;
  TAG.lastIndex = at;
  const tag = TAG.exec(text)?.[0];
  if (tag === undefined) return at;
  const end = text.indexOf(tag, at + tag.length);
  return end < 0 ? text.length : end + tag.length - 1;
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
