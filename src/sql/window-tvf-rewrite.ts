/**
 * Flink's window table-valued function call `TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), size))` is
 * not PostgreSQL, so node-sql-parser cannot read it. This rewrite blanks out the Flink-only words
 * (`TABLE(`, its `)`, the argument's `TABLE`, `DESCRIPTOR`) with spaces, leaving
 * `TUMBLE(bid, (date_time), size)`: the form Eddy documents, at the same offsets, so positions in
 * node-sql-parser's AST and errors still point into the user's text.
 */

const WINDOW_FUNCTIONS = new Set(['TUMBLE', 'HOP', 'SESSION', 'CUMULATE']);

interface Token {
  readonly kind: 'word' | 'open' | 'close' | 'comma' | 'other';
  readonly start: number;
  readonly end: number;
  /** Upper-cased text of a word; '' for other tokens. */
  readonly word: string;
}

export function rewriteWindowTableFunctions(sql: string): string {
  if (!/\b(table|descriptor)\b/i.test(sql)) return sql;
  const tokens = tokenize(sql);
  const closing = matchParentheses(tokens);
  const blanks: Array<readonly [number, number]> = [];
  const openStack: number[] = [];

  tokens.forEach((token, i) => {
    if (token.kind === 'open') openStack.push(i);
    if (token.kind === 'close') openStack.pop();
    if (token.kind !== 'word') return;
    const next = tokens[i + 1];
    const afterNext = tokens[i + 2];
    const third = tokens[i + 3];
    if (
      token.word === 'TABLE' &&
      next?.kind === 'open' &&
      afterNext !== undefined &&
      WINDOW_FUNCTIONS.has(afterNext.word) &&
      third?.kind === 'open'
    ) {
      const close = closing.get(i + 1);
      if (close === undefined) return;
      blanks.push([token.start, token.end], [next.start, next.end], [tokens[close]!.start, tokens[close]!.end]);
    } else if (token.word === 'DESCRIPTOR' && next?.kind === 'open' && insideWindowFunction(tokens, openStack)) {
      blanks.push([token.start, token.end]);
    } else if (token.word === 'TABLE' && next?.kind === 'word' && insideWindowFunction(tokens, openStack)) {
      const previous = tokens[i - 1];
      if (previous?.kind === 'open' || previous?.kind === 'comma') blanks.push([token.start, token.end]);
    }
  });

  if (blanks.length === 0) return sql;
  const chars = sql.split('');
  for (const [start, end] of blanks) chars.fill(' ', start, end);
  return chars.join('');
}

function insideWindowFunction(tokens: readonly Token[], openStack: readonly number[]): boolean {
  const open = openStack[openStack.length - 1];
  if (open === undefined) return false;
  const callee = tokens[open - 1];
  return callee !== undefined && WINDOW_FUNCTIONS.has(callee.word);
}

function matchParentheses(tokens: readonly Token[]): Map<number, number> {
  const closing = new Map<number, number>();
  const stack: number[] = [];
  tokens.forEach((token, i) => {
    if (token.kind === 'open') stack.push(i);
    else if (token.kind === 'close') {
      const open = stack.pop();
      if (open !== undefined) closing.set(open, i);
    }
  });
  return closing;
}

/** A lexer just fine enough to skip strings, quoted identifiers and comments. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /(\s+)|(--[^\n]*|\/\*[\s\S]*?\*\/)|('(?:[^']|'')*'?|"(?:[^"]|"")*"?)|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)|(\()|(\))|(,)|([\s\S])/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(sql)) !== null) {
    const start = match.index;
    const end = start + match[0].length;
    if (match[1] !== undefined || match[2] !== undefined) continue;
    if (match[4] !== undefined) tokens.push({ kind: 'word', start, end, word: match[4].toUpperCase() });
    else if (match[5] !== undefined) tokens.push({ kind: 'open', start, end, word: '' });
    else if (match[6] !== undefined) tokens.push({ kind: 'close', start, end, word: '' });
    else if (match[7] !== undefined) tokens.push({ kind: 'comma', start, end, word: '' });
    else tokens.push({ kind: 'other', start, end, word: '' });
  }
  return tokens;
}
