/**
 * Flink's window table-valued function call `TABLE(TUMBLE(TABLE bid, DESCRIPTOR(date_time), size))` is
 * not PostgreSQL, so node-sql-parser cannot read it. This rewrite blanks out the Flink-only words
 * (`TABLE(`, its `)`, the argument's `TABLE`, `DESCRIPTOR`) with spaces, leaving
 * `TUMBLE(bid, (date_time), size)`: the form Eddy documents, at the same offsets, so positions in
 * node-sql-parser's AST and errors still point into the user's text.
 */
import { matchParentheses, replaceInPlace, tokenize, type Token } from './call-tokens.js';

const WINDOW_FUNCTIONS = new Set(['TUMBLE', 'HOP', 'SESSION', 'CUMULATE']);

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

  return replaceInPlace(sql, blanks.map(([start, end]) => ({ start, end, text: '' })));
}

function insideWindowFunction(tokens: readonly Token[], openStack: readonly number[]): boolean {
  const open = openStack[openStack.length - 1];
  if (open === undefined) return false;
  const callee = tokens[open - 1];
  return callee !== undefined && WINDOW_FUNCTIONS.has(callee.word);
}
