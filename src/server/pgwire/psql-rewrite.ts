/**
 * psql's spellings that DuckDB does not read, rewritten in a catalog query's code before the emulated
 * pg_catalog (catalog-emulation.ts) runs it. The rules match tokens (sql-text.ts codeTokens, read as
 * DuckDB reads them), so a string literal, quoted name or comment that happens to hold `pg_catalog.`
 * or `::regclass` is left as written:
 * - `OPERATOR(pg_catalog.~)` becomes `~`;
 * - `COLLATE pg_catalog.default` (or "C") goes: the emulation compares plain strings;
 * - casts to regclass, regtype, ..., name and "char" become ::VARCHAR, to oid ::BIGINT;
 * - `pg_catalog.` goes, so that the search path finds the emulation's tables and macros;
 * - `generate_series(...) s` and `unnest(...) s` name their column `s`, as PostgreSQL does (DuckDB
 *   names it after the function).
 */
import { offThreadAbove } from '../../util/off-thread.js';
import { codeTokens, isChar, isWord, type CodeToken } from '../../duck/code-tokens.js';

const OPERATOR_CHARS = new Set([...'~!<>=*+-/^%|&']);
const TEXT_CASTS = new Set(['regclass', 'regtype', 'regproc', 'regprocedure', 'regnamespace', 'regrole', 'name']);
const ALIASED_FUNCTIONS = new Set(['generate_series', 'unnest']);

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A rule looks at tokens[i]: it records its edits and returns the index to go on from, or null. */
type Rule = (tokens: readonly CodeToken[], i: number, edits: Edit[]) => number | null;

export function rewritePsqlSpellings(sql: string): string {
  const tokens = codeTokens(sql);
  const edits: Edit[] = [];
  const rules: readonly Rule[] = [operatorCall, collate, cast, catalogQualifier, setReturningAlias];
  for (let i = 0; i < tokens.length; ) {
    let next: number | null = null;
    for (const rule of rules) {
      next = rule(tokens, i, edits);
      if (next !== null) break;
    }
    i = next ?? i + 1;
  }
  return applied(sql, edits);
}

/** The index after `pg_catalog .` at i, or i when there is none. */
function afterQualifier(tokens: readonly CodeToken[], i: number): number {
  return isWord(tokens[i], 'pg_catalog') && isChar(tokens[i + 1], '.') ? i + 2 : i;
}

const operatorCall: Rule = (tokens, i, edits) => {
  if (!isWord(tokens[i], 'operator') || !isChar(tokens[i + 1], '(')) return null;
  const first = afterQualifier(tokens, i + 2);
  let j = first;
  while (tokens[j]?.kind === 'char' && OPERATOR_CHARS.has(tokens[j]!.text)) j++;
  if (j === first || !isChar(tokens[j], ')')) return null;
  edits.push({ start: tokens[i]!.start, end: tokens[j]!.end, text: tokens.slice(first, j).map((t) => t.text).join('') });
  return j + 1;
};

const collate: Rule = (tokens, i, edits) => {
  if (!isWord(tokens[i], 'collate')) return null;
  const j = afterQualifier(tokens, i + 1);
  const name = tokens[j];
  const plain = isWord(name, 'default') || isWord(name, 'c') || (name?.kind === 'quoted_ident' && (name.text === '"default"' || name.text === '"C"'));
  if (!plain) return null;
  // the blank before COLLATE goes with it
  edits.push({ start: tokens[i - 1]?.end ?? tokens[i]!.start, end: name!.end, text: '' });
  return j + 1;
};

const cast: Rule = (tokens, i, edits) => {
  const second = tokens[i + 1];
  if (!isChar(tokens[i], ':') || !isChar(second, ':') || second!.start !== tokens[i]!.end) return null;
  const j = afterQualifier(tokens, i + 2);
  const type = tokens[j];
  const word = type?.kind === 'word' ? type.text.toLowerCase() : '';
  const target = TEXT_CASTS.has(word) || (type?.kind === 'quoted_ident' && type.text === '"char"') ? 'VARCHAR' : word === 'oid' ? 'BIGINT' : null;
  if (target === null) return null;
  edits.push({ start: tokens[i]!.start, end: type!.end, text: `::${target}` });
  return j + 1;
};

const catalogQualifier: Rule = (tokens, i, edits) => {
  if (afterQualifier(tokens, i) === i) return null;
  edits.push({ start: tokens[i]!.start, end: tokens[i + 1]!.end, text: '' });
  return i + 2;
};

const setReturningAlias: Rule = (tokens, i, edits) => {
  const fn = tokens[i];
  if (fn?.kind !== 'word' || !ALIASED_FUNCTIONS.has(fn.text.toLowerCase()) || !isChar(tokens[i + 1], '(')) return null;
  const close = matchingParen(tokens, i + 1);
  if (close === null) return null;
  const at = isWord(tokens[close + 1], 'as') ? close + 2 : close + 1;
  const alias = tokens[at];
  const after = tokens[at + 1];
  if (alias?.kind !== 'word' || !/^[a-z_][a-z0-9_]*$/i.test(alias.text)) return null;
  if (!isChar(after, ',') && !isChar(after, ')') && !isWord(after, 'where')) return null;
  edits.push({ start: tokens[close]!.end, end: alias.end, text: ` AS ${alias.text}(${alias.text})` });
  // the arguments may hold rewrites of their own
  return i + 2;
};

function matchingParen(tokens: readonly CodeToken[], open: number): number | null {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    if (isChar(tokens[j], '(')) depth++;
    else if (isChar(tokens[j], ')') && --depth === 0) return j;
  }
  return null;
}

/** The text with its edits made; an edit overlapping an earlier one is dropped. */
function applied(sql: string, edits: readonly Edit[]): string {
  let out = '';
  let last = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    if (edit.start < last) continue;
    out += sql.slice(last, edit.start) + edit.text;
    last = edit.end;
  }
  return out + sql.slice(last);
}

/** rewritePsqlSpellings without stopping the event loop: a long text is rewritten on the parse worker. */
export const rewritePsqlSpellingsAsync = offThreadAbove(import.meta.url, 'rewritePsqlSpellings', rewritePsqlSpellings, (sql: string) => sql.length);
