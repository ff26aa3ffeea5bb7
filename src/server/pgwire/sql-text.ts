/**
 * Lexical helpers over SQL text that the wire layer needs before the engine sees a statement:
 * splitting a simple-query string into statements, and substituting $n parameters. Both skip
 * string literals, quoted identifiers, dollar-quoted strings and comments.
 */
// quote.js rather than the duck index: the parse worker imports this file and needs no DuckDB.
import { quoteLiteral } from '../../duck/quote.js';
import { offThreadAbove } from '../../util/off-thread.js';

/** One statement of a query string and where it starts (0-based offset). */
export interface StatementText {
  readonly text: string;
  readonly offset: number;
}

/**
 * Calls visit for each character outside literals and comments; visit returns how many characters
 * it consumed (0 to let the scanner move on by one).
 */
function scan(sql: string, visit: (i: number) => number): void {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      i = closing(sql, i + 1, c);
    } else if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.startsWith('/*', i)) (depth++, (i += 2));
        else if (sql.startsWith('*/', i)) (depth--, (i += 2));
        else i++;
      }
    } else if (c === '$' && /[A-Za-z_$]/.test(next ?? '') && !/[\w]/.test(sql[i - 1] ?? '')) {
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end < 0 ? sql.length : end + tag[0].length;
      } else i += 1;
    } else {
      const used = visit(i);
      i += used > 0 ? used : 1;
    }
  }
}

/** The index after the closing quote (a doubled quote is an escaped one). */
function closing(sql: string, from: number, quote: string): number {
  let i = from;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Splits at top-level `;`. Pieces with nothing but blanks and comments are left out. */
export function splitStatements(sql: string): StatementText[] {
  const cuts: number[] = [];
  scan(sql, (i) => {
    if (sql[i] === ';') cuts.push(i);
    return 0;
  });
  const pieces: StatementText[] = [];
  let start = 0;
  for (const end of [...cuts, sql.length]) {
    const text = sql.slice(start, end);
    if (!isBlank(text)) {
      const lead = text.length - text.trimStart().length;
      pieces.push({ text: text.slice(lead).trimEnd(), offset: start + lead });
    }
    start = end + 1;
  }
  return pieces;
}

/** Whether the text holds only blanks and comments. */
export function isBlank(sql: string): boolean {
  let blank = true;
  scan(sql, (i) => {
    if (!/\s/.test(sql[i]!)) blank = false;
    return 0;
  });
  return blank;
}

/** The highest $n in the text (0 when there are none). */
export function parameterCount(sql: string): number {
  let max = 0;
  scan(sql, (i) => {
    const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
    if (!m || /[\w$]/.test(sql[i - 1] ?? '')) return 0;
    max = Math.max(max, Number(m[1]));
    return m[0].length;
  });
  return max;
}

/**
 * Replaces each $n with its value as a quoted literal (cast to the declared type when there is one);
 * null values become NULL. Values never become SQL text without quoteLiteral.
 */
export function substituteParameters(sql: string, values: readonly (string | null)[], duckTypes: readonly (string | null)[]): string {
  let out = '';
  let last = 0;
  scan(sql, (i) => {
    const m = /^\$(\d+)/.exec(sql.slice(i, i + 12));
    if (!m || /[\w$]/.test(sql[i - 1] ?? '')) return 0;
    const index = Number(m[1]) - 1;
    const value = values[index];
    const type = duckTypes[index] ?? null;
    const literal = value === null || value === undefined ? 'NULL' : quoteLiteral(value);
    out += sql.slice(last, i) + (type ? `CAST(${literal} AS ${type})` : literal);
    last = i + m[0].length;
    return m[0].length;
  });
  return out + sql.slice(last);
}

/**
 * The first words of a statement, upper-cased, for dispatching (`BEGIN`, `SET`, `COPY`, ...). The
 * scan stops once they are read: a 10 MB INSERT costs its first few bytes here, not a copy of itself.
 */
export function leadingWords(sql: string, count: number): string[] {
  const words: string[] = [];
  let word = '';
  scan(sql, (i) => {
    const c = sql[i]!;
    if (/\w/.test(c) && (word !== '' || /[A-Za-z_]/.test(c))) {
      word += c;
      return 0;
    }
    if (word !== '') words.push(word.toUpperCase());
    word = '';
    return words.length >= count ? sql.length : 0;
  });
  if (word !== '' && words.length < count) words.push(word.toUpperCase());
  return words;
}

// The scans above take ~0.1-0.3 s per MB; above a few kilobytes they run on the parse worker.
export const splitStatementsAsync = offThreadAbove(import.meta.url, 'splitStatements', splitStatements, (sql: string) => sql.length);
export const parameterCountAsync = offThreadAbove(import.meta.url, 'parameterCount', parameterCount, (sql: string) => sql.length);
export const substituteParametersAsync = offThreadAbove(
  import.meta.url,
  'substituteParameters',
  substituteParameters,
  (sql: string, values: readonly (string | null)[]) => sql.length + values.reduce((n, v) => n + (v?.length ?? 0), 0),
);
