/**
 * The few statements the wire layer handles itself because they are about the session, not the
 * data: COPY (...) TO STDOUT, DECLARE ... CURSOR FOR, FETCH, CLOSE. Each parser returns null when
 * the text is not that statement and throws a positioned SYNTAX_ERROR when it is but is malformed.
 */
import { EddyError, positionAt } from '../../util/errors.js';

const syntax = (sql: string, message: string, hint: string): EddyError => new EddyError('SYNTAX_ERROR', message, { position: positionAt(sql, 0), hint });

/** COPY (query) TO STDOUT [WITH (...)]: the query and its offset in the text. */
export function parseCopy(sql: string): { query: string; offset: number } | null {
  if (!/^copy\b/i.test(sql)) return null;
  const m = /^copy\s*\(([\s\S]*)\)\s*to\s+stdout\b[\s\S]*$/i.exec(sql);
  if (!m) throw syntax(sql, 'COPY supports only COPY (SUBSCRIBE name) TO STDOUT and COPY (SELECT ...) TO STDOUT', 'to add rows, INSERT INTO the source or table');
  return { query: m[1]!.trim(), offset: sql.indexOf(m[1]!) + (m[1]!.length - m[1]!.trimStart().length) };
}

/** DECLARE name [BINARY] [INSENSITIVE] [[NO] SCROLL] CURSOR [WITH[OUT] HOLD] FOR query. */
export function parseDeclare(sql: string): { name: string; query: string; offset: number } | null {
  if (!/^declare\b/i.test(sql)) return null;
  const m = /^declare\s+("(?:[^"]|"")+"|[\w$]+)\s+(?:binary\s+|insensitive\s+|asensitive\s+|no\s+scroll\s+|scroll\s+)*cursor\s+(?:with(?:out)?\s+hold\s+)?for\s+([\s\S]+)$/i.exec(sql);
  if (!m) throw syntax(sql, 'cannot read the DECLARE statement', 'write DECLARE c CURSOR FOR SUBSCRIBE name (or FOR SELECT ...)');
  return { name: identifier(m[1]!), query: m[2]!, offset: sql.length - m[2]!.length };
}

/** FETCH [FORWARD] [n | ALL | NEXT] [FROM | IN] name [WITH (timeout = '1s')]; count null means ALL. */
export function parseFetch(sql: string): { name: string; count: number | null; timeoutMs: number | null } | null {
  if (!/^fetch\b/i.test(sql)) return null;
  const m = /^fetch\s+(?:forward\s+)?(?:(all|next|\d+)\s+)?(?:(?:from|in)\s+)?("(?:[^"]|"")+"|[\w$]+)\s*(?:with\s*\(\s*timeout\s*=\s*'([^']*)'\s*\))?$/i.exec(sql);
  if (!m) throw syntax(sql, 'cannot read the FETCH statement', "write FETCH 10 c, FETCH ALL c or FETCH 10 c WITH (timeout = '1s')");
  const count = m[1] === undefined || /^next$/i.test(m[1]) ? 1 : /^all$/i.test(m[1]) ? null : Number(m[1]);
  return { name: identifier(m[2]!), count, timeoutMs: m[3] === undefined ? null : parseDuration(m[3]) };
}

/** CLOSE name | CLOSE ALL (name null). */
export function parseClose(sql: string): { name: string | null } | null {
  const m = /^close\s+("(?:[^"]|"")+"|[\w$]+)$/i.exec(sql);
  if (!m) return null;
  return { name: /^all$/i.test(m[1]!) ? null : identifier(m[1]!) };
}

function identifier(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text.toLowerCase();
}

/** '1s', '500ms', '2 minutes', '0' -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?|m|min|minutes?|h|hours?)?\s*$/i.exec(text);
  if (!m) throw new EddyError('INVALID_PARAMETER', `invalid timeout '${text}'`, { hint: "write a duration like '1s' or '500ms'" });
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit.startsWith('ms') || unit.startsWith('milli') ? 1 : unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return Number(m[1]) * factor;
}
