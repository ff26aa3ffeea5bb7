/**
 * node-sql-parser reads `DISTINCT`, `ORDER BY` and `FILTER (WHERE ...)` only in calls of the
 * aggregates its grammar names (count, array_agg, string_agg; FILTER also after sum/avg/min/max),
 * so `list(x ORDER BY y)` or `median(x) FILTER (WHERE ok)` would be syntax errors. This rewrite turns
 * those words, in a call of any other aggregate, into extra arguments marked by string literals that
 * hold one control character (AGGREGATE_MARKS), at the same offsets, so positions still point into
 * the user's text:
 *
 *     list(DISTINCT x ORDER BY y DESC NULLS LAST) FILTER (WHERE ok)
 *     list('\x03',   x ,'\x01',  y,'\x04',\x06'       ,'\x02',       ok)
 *
 * The binder (`plan/binder/aggregate-syntax.ts`) reads the marks back into the call's parts, as whole
 * arguments of an aggregate's call only. A user's literal that holds nothing but one mark character
 * would be read as a mark, so a text with such a literal is refused when the rewrite changes it
 * (write `chr(1)`): rare enough that refusing beats a side table from offsets to calls.
 */
import { AGGREGATE_NAMES } from './aggregate-names.js';
import { matchParentheses, replaceInPlace, tokenize, type Token } from './call-tokens.js';

export const AGGREGATE_MARKS = {
  orderBy: '\u0001',
  filter: '\u0002',
  distinct: '\u0003',
  descending: '\u0004',
  nullsFirst: '\u0005',
  nullsLast: '\u0006',
} as const;

const lit = (mark: string): string => `'${mark}'`;

/** Aggregates whose every form node-sql-parser reads. */
const READ_NATIVELY = new Set(['COUNT', 'ARRAY_AGG', 'STRING_AGG', 'GROUP_CONCAT']);
/** Aggregates whose FILTER node-sql-parser reads, but not their DISTINCT or ORDER BY. */
const FILTER_READ_NATIVELY = new Set(['SUM', 'AVG', 'MIN', 'MAX']);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export function rewriteAggregateCalls(sql: string): string {
  if (!/\b(distinct|order|filter)\b/i.test(sql)) return sql;
  const tokens = tokenize(sql);
  const closing = matchParentheses(tokens);
  const edits: Edit[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'word' || tokens[i + 1]?.kind !== 'open' || READ_NATIVELY.has(token.word)) return;
    if (!AGGREGATE_NAMES.has(token.word.toLowerCase())) return;
    const close = closing.get(i + 1);
    if (close === undefined) return;
    const inside = callEdits(tokens, i + 1, close, closing);
    const filter = filterEdits(tokens, close, closing);
    if (inside.length === 0 && (filter.length === 0 || FILTER_READ_NATIVELY.has(token.word))) return;
    edits.push(...inside, ...filter);
  });
  if (edits.length > 0) refuseLiteralMarks(sql, tokens);
  return replaceInPlace(sql, edits);
}

/** Thrown in node-sql-parser's shape of a failure (a message and an offset), so it is reported as one. */
function refuseLiteralMarks(sql: string, tokens: readonly Token[]): void {
  const marks = new Set<string>(Object.values(AGGREGATE_MARKS).map(lit));
  const clash = tokens.find((t) => t.kind === 'other' && t.end - t.start === 3 && marks.has(sql.slice(t.start, t.end)));
  if (!clash) return;
  const code = sql.charCodeAt(clash.start + 1);
  throw Object.assign(new Error(`a string literal holding only the control character U+000${code} cannot be used here (Eddy marks ORDER BY, DISTINCT and FILTER of aggregate calls with it): write chr(${code})`), {
    location: { start: { offset: clash.start } },
  });
}

/** DISTINCT first, then ORDER BY and its keys' directions, at the call's own depth. */
function callEdits(tokens: readonly Token[], open: number, close: number, closing: ReadonlyMap<number, number>): Edit[] {
  const edits: Edit[] = [];
  const first = tokens[open + 1];
  if (first?.word === 'DISTINCT') edits.push({ start: first.start, end: first.end, text: `${lit(AGGREGATE_MARKS.distinct)},` });
  let ordering = false;
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k]!;
    if (t.kind === 'open') {
      k = closing.get(k) ?? close;
      continue;
    }
    if (t.kind !== 'word') continue;
    const next = tokens[k + 1];
    if (t.word === 'ORDER' && next?.word === 'BY') {
      edits.push({ start: t.start, end: next.end, text: `,${lit(AGGREGATE_MARKS.orderBy)},` });
      ordering = true;
      k++;
    } else if (ordering && t.word === 'DESC') {
      edits.push({ start: t.start, end: t.end, text: `,${lit(AGGREGATE_MARKS.descending)}` });
    } else if (ordering && t.word === 'ASC') {
      edits.push({ start: t.start, end: t.end, text: '' });
    } else if (ordering && t.word === 'NULLS' && (next?.word === 'FIRST' || next?.word === 'LAST')) {
      edits.push({ start: t.start, end: next.end, text: `,${lit(next.word === 'FIRST' ? AGGREGATE_MARKS.nullsFirst : AGGREGATE_MARKS.nullsLast)}` });
      k++;
    }
  }
  return edits;
}

/**
 * `f(x) FILTER (WHERE c)` -> `f(x ,'\x02',       c)`: the call's `)` and the filter's `(` are
 * blanked, so the filter's `)` closes the call.
 */
function filterEdits(tokens: readonly Token[], close: number, closing: ReadonlyMap<number, number>): Edit[] {
  const filter = tokens[close + 1];
  const open = tokens[close + 2];
  const where = tokens[close + 3];
  if (filter?.word !== 'FILTER' || open?.kind !== 'open' || where?.word !== 'WHERE' || !closing.has(close + 2)) return [];
  const callClose = tokens[close]!;
  return [
    { start: callClose.start, end: callClose.end, text: '' },
    { start: filter.start, end: where.end, text: `,${lit(AGGREGATE_MARKS.filter)},` },
  ];
}
