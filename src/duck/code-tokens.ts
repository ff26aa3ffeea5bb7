/**
 * SQL text as DuckDB's scanner reads it (`lexer.ts`), as tokens: what the text rewrites in sql/ and
 * psql's catalog-query rewrite in the wire layer read, so that literals and comments are skipped where
 * DuckDB skips them.
 */
import { isIdentStart, segments } from './lexer.js';

/**
 * A token of code as DuckDB's scanner reads it: a word (a name or keyword, whole), one other
 * character (`:`, `(`, a digit), or a string, quoted name or dollar-quoted string whole.
 */
export interface CodeToken {
  readonly kind: 'word' | 'char' | 'string' | 'quoted_ident' | 'dollar_string';
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** The tokens of `sql` in order, blanks and comments left out. */
export function codeTokens(sql: string): CodeToken[] {
  const tokens: CodeToken[] = [];
  for (const seg of segments(sql)) {
    if (seg.kind === 'space' || seg.kind === 'line_comment' || seg.kind === 'block_comment') continue;
    const kind = seg.kind === 'code' ? (isIdentStart(sql.charCodeAt(seg.start)) ? 'word' : 'char') : seg.kind;
    tokens.push({ kind, start: seg.start, end: seg.end, text: sql.slice(seg.start, seg.end) });
  }
  return tokens;
}

/** Whether a token is the word `word` (given in lower case), as an unquoted name or keyword. */
export function isWord(token: CodeToken | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.length === word.length && token.text.toLowerCase() === word;
}

/** Whether a token is the character `char` of code. */
export function isChar(token: CodeToken | undefined, char: string): boolean {
  return token?.kind === 'char' && token.text === char;
}
