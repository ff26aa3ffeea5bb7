/**
 * The tokens the text rewrites in this folder need (words, parentheses, commas), read through
 * DuckDB's scanner (`duck/lexer.ts`) so strings, quoted names and comments are never mistaken for
 * code, and matched parentheses.
 */
import { isIdentCont, isIdentStart, segments } from '../duck/lexer.js';

export interface Token {
  readonly kind: 'word' | 'open' | 'close' | 'comma' | 'other';
  readonly start: number;
  readonly end: number;
  /** Upper-cased text of a word; '' for other tokens. */
  readonly word: string;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  for (const s of segments(sql)) {
    if (s.kind === 'space' || s.kind === 'line_comment' || s.kind === 'block_comment') continue;
    if (s.kind !== 'code') {
      tokens.push({ kind: 'other', start: s.start, end: s.end, word: '' });
      continue;
    }
    let i = s.start;
    while (i < s.end) {
      const c = sql.charCodeAt(i);
      if (isIdentStart(c)) {
        let j = i + 1;
        while (j < s.end && isIdentCont(sql.charCodeAt(j))) j++;
        tokens.push({ kind: 'word', start: i, end: j, word: sql.slice(i, j).toUpperCase() });
        i = j;
        continue;
      }
      const kind = c === 40 ? 'open' : c === 41 ? 'close' : c === 44 ? 'comma' : 'other';
      tokens.push({ kind, start: i, end: i + 1, word: '' });
      i++;
    }
  }
  return tokens;
}

/** For each `(` token's index, the index of its `)`. */
export function matchParentheses(tokens: readonly Token[]): Map<number, number> {
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

/** `sql` with each [start, end) range replaced by its text, padded with spaces to the range's length. */
export function replaceInPlace(sql: string, edits: readonly { readonly start: number; readonly end: number; readonly text: string }[]): string {
  if (edits.length === 0) return sql;
  const chars = sql.split('');
  for (const { start, end, text } of edits) {
    if (text.length > end - start) throw new Error(`a rewrite must keep offsets: "${text}" does not fit in ${end - start} characters`);
    chars.fill(' ', start, end);
    for (let k = 0; k < text.length; k++) chars[start + k] = text[k]!;
  }
  return chars.join('');
}
