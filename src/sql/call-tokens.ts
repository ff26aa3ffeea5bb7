/**
 * The tokens the text rewrites in this folder read (words, parentheses, commas): DuckDB's tokens
 * (`duck/code-tokens.ts`, so strings, quoted names and comments are never mistaken for code) in the
 * shape the rewrites match on, with matched parentheses and a same-length replacement.
 */
import { codeTokens } from '../duck/code-tokens.js';

export interface Token {
  readonly kind: 'word' | 'open' | 'close' | 'comma' | 'other';
  readonly start: number;
  readonly end: number;
  /** Upper-cased text of a word; '' for other tokens. */
  readonly word: string;
}

const PUNCTUATION: Readonly<Record<string, Token['kind']>> = { '(': 'open', ')': 'close', ',': 'comma' };

export function tokenize(sql: string): Token[] {
  return codeTokens(sql).map(({ kind, start, end, text }) => ({
    kind: kind === 'word' ? 'word' : kind === 'char' ? (PUNCTUATION[text] ?? 'other') : 'other',
    start,
    end,
    word: kind === 'word' ? text.toUpperCase() : '',
  }));
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
