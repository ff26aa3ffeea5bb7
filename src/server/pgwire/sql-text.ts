/**
 * Lexical helpers over SQL text that the wire layer needs before the engine sees a statement:
 * splitting a simple-query string into statements and substituting $n parameters. Both read the text
 * through src/duck/lexer.ts, which splits it exactly as DuckDB does, so that literals and comments are
 * skipped where DuckDB skips them (psql's catalog-query rewrite reads its tokens: duck/code-tokens.ts).
 */
// quote.js rather than the duck index: the parse worker imports this file and needs no DuckDB.
import { quoteLiteral } from '../../duck/quote.js';
import { segments } from '../../duck/lexer.js';
import { offThreadAbove } from '../../util/off-thread.js';

/** One statement of a query string and where it starts (0-based offset). */
export interface StatementText {
  readonly text: string;
  readonly offset: number;
}

/** Splits at top-level `;`. Pieces with nothing but blanks and comments are left out. */
export function splitStatements(sql: string): StatementText[] {
  const cuts: number[] = [];
  for (const seg of segments(sql)) if (seg.kind === 'code' && sql.charCodeAt(seg.start) === 59 /* ; */) cuts.push(seg.start);
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

/** Whether the text holds only blanks and comments (an unclosed literal is not blank). */
export function isBlank(sql: string): boolean {
  for (const seg of segments(sql)) {
    if (seg.kind !== 'space' && seg.kind !== 'line_comment' && !(seg.kind === 'block_comment' && !seg.open)) return false;
  }
  return true;
}

/** The $n parameters outside literals and comments: where each starts, its text and its number. */
function parameters(sql: string): { start: number; end: number; index: number }[] {
  const found: { start: number; end: number; index: number }[] = [];
  for (const seg of segments(sql)) {
    // a `$` that continues a name (a$1) is inside that name's segment, never a segment of its own
    if (seg.kind !== 'code' || sql.charCodeAt(seg.start) !== 36 /* $ */ || seg.end !== seg.start + 1) continue;
    const m = /^\$(\d+)/.exec(sql.slice(seg.start, seg.start + 12));
    if (m) found.push({ start: seg.start, end: seg.start + m[0].length, index: Number(m[1]) });
  }
  return found;
}

/** The highest $n in the text (0 when there are none). */
export function parameterCount(sql: string): number {
  return parameters(sql).reduce((max, p) => Math.max(max, p.index), 0);
}

/**
 * Replaces each $n with its value as a quoted literal (cast to the declared type when there is one);
 * null values become NULL. Values never become SQL text without quoteLiteral.
 */
export function substituteParameters(sql: string, values: readonly (string | null)[], duckTypes: readonly (string | null)[]): string {
  let out = '';
  let last = 0;
  for (const p of parameters(sql)) {
    const value = values[p.index - 1];
    const type = duckTypes[p.index - 1] ?? null;
    const literal = value === null || value === undefined ? 'NULL' : quoteLiteral(value);
    out += sql.slice(last, p.start) + (type ? `CAST(${literal} AS ${type})` : literal);
    last = p.end;
  }
  return out + sql.slice(last);
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
