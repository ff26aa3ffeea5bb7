/**
 * Turns the failures of the two parsers (the peggy envelope grammar and node-sql-parser, itself
 * peggy-generated) into one readable EddyError('SYNTAX_ERROR'):
 * `syntax error at line 3, column 8: expected FROM, WHERE or ";" but "FORM" found`.
 */
import { EddyError, positionAt, type SqlPosition } from '../util/errors.js';

/** The shape both parsers use for one expectation (peggy's Expectation). */
export interface PeggyExpectation {
  readonly type: string;
  readonly text?: string;
  readonly ignoreCase?: boolean;
  readonly description?: string;
}

/** Beyond this many alternatives a list stops helping; the rest is counted instead. */
const MAX_LISTED = 18;
/** Punctuation that says something about structure, so it stays listed when operators are collapsed. */
const STRUCTURAL = new Set([',', ';', '(', ')', '.', '=']);
/** Expectations that only say "more blank space could go here". */
const NOISE = new Set(['whitespace', 'comment', '--', '/*']);

export function syntaxError(position: SqlPosition, detail: string, cause?: unknown): EddyError {
  return new EddyError('SYNTAX_ERROR', `syntax error at line ${position.line}, column ${position.column}: ${detail}`, {
    position,
    cause,
  });
}

/** Position `localOffset` inside `text`, where `text` itself begins at `start` in the script. */
export function positionWithin(text: string, start: SqlPosition, localOffset: number): SqlPosition {
  const local = positionAt(text, localOffset);
  return {
    offset: start.offset + localOffset,
    line: start.line + local.line - 1,
    column: local.line === 1 ? start.column + local.column - 1 : local.column,
  };
}

/** `expected A, B or C but "x" found`, with whitespace/comment alternatives and operator floods collapsed. */
export function describeFailure(expected: readonly PeggyExpectation[], found: string, endLabel: string): string {
  const listed = readableExpectations(expected, endLabel);
  if (listed.length === 0) return `unexpected ${found}`;
  return `expected ${joinAlternatives(listed)} but ${found} found`;
}

/** The token at `offset` in `text`, quoted, for "... but <token> found"; `endLabel` past the end. */
export function tokenAt(text: string, offset: number, endLabel: string): string {
  const rest = text.slice(offset).replace(/^\s+/, '');
  if (rest.length === 0) return endLabel;
  const match = /^(?:"(?:[^"]|"")*"|'(?:[^']|'')*'|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*|\d[\w.]*|\S)/.exec(rest);
  const token = match ? match[0] : rest.charAt(0);
  return JSON.stringify(token.length > 30 ? `${token.slice(0, 30)}...` : token);
}

function readableExpectations(expected: readonly PeggyExpectation[], endLabel: string): string[] {
  const others: string[] = [];
  const keywords: string[] = [];
  const symbols: string[] = [];
  let end = false;
  for (const e of expected) {
    if (e.type === 'end') end = true;
    else if (e.type === 'other' && e.description !== undefined && !NOISE.has(e.description)) others.push(e.description);
    else if (e.type === 'literal' && e.text !== undefined && !NOISE.has(e.text)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(e.text)) keywords.push(e.text.toUpperCase());
      else symbols.push(e.text);
    }
    // Character classes and "any character" come from inside tokens; they never read well.
  }
  let shownSymbols = unique(symbols);
  if (shownSymbols.length > 6) {
    shownSymbols = [...shownSymbols.filter((s) => STRUCTURAL.has(s)), 'an operator'];
  }
  const all = [
    ...unique(others),
    ...unique(keywords).sort(),
    ...shownSymbols.map((s) => (s === 'an operator' ? s : JSON.stringify(s))),
    ...(end ? [endLabel] : []),
  ];
  if (all.length <= MAX_LISTED) return all;
  return [...all.slice(0, MAX_LISTED), `${all.length - MAX_LISTED} more`];
}

function joinAlternatives(items: readonly string[]): string {
  if (items.length === 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
