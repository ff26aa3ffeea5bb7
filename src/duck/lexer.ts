/**
 * SQL text split the way DuckDB's scanner splits it (PostgreSQL's scan.l, as DuckDB builds it): where
 * string literals, quoted identifiers, dollar-quoted strings and comments begin and end. Every piece of
 * Eddy that looks at SQL text before DuckDB does (statement splitting, $n parameters, leading words)
 * reads it through here, so that Eddy and DuckDB always agree where a statement ends: a `--` comment
 * that DuckDB ends at `\r` but Eddy read to `\n` once let a client hide a second statement from Eddy.
 * test/sql/lexer-differential.test.ts fuzzes this scanner and the grammar against DuckDB's own
 * statement extraction.
 */

export type SegmentKind =
  /** Keywords, names, numbers, operators, punctuation, parameters. */
  | 'code'
  | 'space'
  | 'line_comment'
  | 'block_comment'
  /** '...', E'...', B'...', X'...', N'...', U&'...' */
  | 'string'
  /** "..." and U&"..." */
  | 'quoted_ident'
  /** $tag$...$tag$ */
  | 'dollar_string';

/** A piece of the text, [start, end). `open` marks a literal or comment that reaches the end unclosed. */
export interface Segment {
  readonly kind: SegmentKind;
  readonly start: number;
  readonly end: number;
  readonly open?: true;
}

/** DuckDB's whitespace: PostgreSQL's `[ \t\n\r\f]` and the vertical tab. */
export function isSqlSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/** scan.l's ident_start: a letter, `_` or any non-ASCII character (bytes \200-\377 in UTF-8). */
export function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}

/** scan.l's ident_cont: ident_start, digits and `$`. */
export function isIdentCont(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}

/** scan.l's dolq_cont: ident_cont without `$`. */
function isDollarTagCont(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** The segments of `sql`, in order, covering all of it. */
export function* segments(sql: string): Generator<Segment> {
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const start = i;
    const c = sql.charCodeAt(i);
    const next = i + 1 < n ? sql.charCodeAt(i + 1) : -1;
    if (isSqlSpace(c)) {
      while (i < n && isSqlSpace(sql.charCodeAt(i))) i++;
      yield { kind: 'space', start, end: i };
    } else if (c === 45 /* - */ && next === 45) {
      while (i < n && sql.charCodeAt(i) !== 10 && sql.charCodeAt(i) !== 13) i++;
      yield { kind: 'line_comment', start, end: i };
    } else if (c === 47 /* / */ && next === 42 /* * */) {
      i = blockCommentEnd(sql, i);
      yield bounded('block_comment', start, i, n);
    } else if (c === 39 /* ' */ || c === 34 /* " */) {
      i = literalEnd(sql, i + 1, c, false);
      yield bounded(c === 39 ? 'string' : 'quoted_ident', start, i, n);
    } else if (c === 36 /* $ */ && dollarTag(sql, i) !== null) {
      const tag = dollarTag(sql, i)!;
      const close = sql.indexOf(tag, i + tag.length);
      i = close < 0 ? -1 : close + tag.length;
      yield bounded('dollar_string', start, i, n);
    } else if (isIdentStart(c)) {
      // A name is read whole, as flex's longest match does: `e'...'` opens an escape string only where
      // the `e` stands alone, and a `$` inside a name (a$b$) continues it instead of opening a quote.
      while (i < n && isIdentCont(sql.charCodeAt(i))) i++;
      const single = i - start === 1 ? sql[start]!.toLowerCase() : '';
      if (single !== '' && 'ebxn'.includes(single) && sql.charCodeAt(i) === 39) {
        yield { kind: 'code', start, end: i };
        const quote = i;
        i = literalEnd(sql, quote + 1, 39, single === 'e');
        yield bounded('string', quote, i, n);
      } else if (single === 'u' && sql[i] === '&' && (sql[i + 1] === "'" || sql[i + 1] === '"')) {
        yield { kind: 'code', start, end: i + 1 };
        const quote = i + 1;
        const q = sql.charCodeAt(quote);
        i = literalEnd(sql, quote + 1, q, false);
        yield bounded(q === 39 ? 'string' : 'quoted_ident', quote, i, n);
      } else yield { kind: 'code', start, end: i };
    } else {
      i++;
      yield { kind: 'code', start, end: i };
    }
    if (i < 0) return;
  }
}

/** A literal or comment segment; `end` -1 means it was never closed and runs to the end. */
function bounded(kind: SegmentKind, start: number, end: number, n: number): Segment {
  return end < 0 ? { kind, start, end: n, open: true } : { kind, start, end };
}

/**
 * The index after a quoted literal's closing quote, from just after its opening one: a doubled quote
 * belongs to the literal; in an escape string (E'...') so does any character after a backslash.
 * -1 when it is never closed.
 */
function literalEnd(sql: string, from: number, quote: number, backslashEscapes: boolean): number {
  let i = from;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (backslashEscapes && c === 92 /* \ */) i += 2;
    else if (c === quote) {
      if (i + 1 < n && sql.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return -1;
}

/** The index after a (nested) block comment starting at `from`, or -1 when it is never closed. */
function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  const n = sql.length;
  while (i < n) {
    if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return -1;
}

/** The `$tag$` delimiter starting at `i`, or null when the `$` there does not open a dollar quote. */
function dollarTag(sql: string, i: number): string | null {
  let j = i + 1;
  const n = sql.length;
  if (j < n && isIdentStart(sql.charCodeAt(j))) {
    j++;
    while (j < n && isDollarTagCont(sql.charCodeAt(j))) j++;
  }
  return j < n && sql.charCodeAt(j) === 36 ? sql.slice(i, j + 1) : null;
}

/** Whether a segment is a literal or comment (as opposed to code or blanks). */
export function isOpaque(kind: SegmentKind): boolean {
  return kind !== 'code' && kind !== 'space';
}
