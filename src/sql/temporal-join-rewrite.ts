/**
 * `JOIN t FOR SYSTEM_TIME AS OF PROCTIME() [AS d]` (Flink's and RisingWave's temporal join) asks to
 * join with the table as of processing time: each row meets the table's rows as they are when its
 * batch runs, and later changes of the table do not change what was joined. node-sql-parser cannot
 * read the clause, so it is blanked with spaces (offsets stay, as for window-tvf-rewrite.ts), and the
 * relations it applied to are returned by the name the query refers to them by (alias, else table).
 */
import { segments } from '../duck/lexer.js';

const IDENT = String.raw`"(?:[^"]|"")*"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*`;
const CLAUSE = new RegExp(String.raw`(${IDENT})(\s+)(FOR\s+SYSTEM_TIME\s+AS\s+OF\s+PROCTIME\s*\(\s*\))(?:(\s+)(?:AS\s+)?(${IDENT}))?`, 'gi');

/** Words after the clause that begin the next part of the query rather than name an alias. */
const NOT_ALIASES = new Set([
  'on', 'using', 'where', 'join', 'left', 'right', 'full', 'inner', 'outer', 'cross', 'natural', 'group', 'order', 'having',
  'limit', 'offset', 'union', 'except', 'intersect', 'window', 'qualify', 'as', 'lateral', 'positional', 'asof', 'anti', 'semi',
]);

export interface TemporalJoins {
  /** The text with each clause blanked. */
  readonly text: string;
  /** The names (lower-cased, unquoted) of the relations read as of processing time. */
  readonly relations: readonly string[];
}

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replaceAll('""', '"') : ident.toLowerCase();
}

export function rewriteTemporalJoins(sql: string): TemporalJoins {
  if (!/system_time/i.test(sql)) return { text: sql, relations: [] };
  // Comments and string literals cannot hold the clause: masked out before matching.
  let masked = '';
  for (const s of segments(sql)) {
    const piece = sql.slice(s.start, s.end);
    masked += s.kind === 'code' || s.kind === 'space' || s.kind === 'quoted_ident' ? piece : piece.replace(/[^\n]/g, ' ');
  }
  const relations: string[] = [];
  let text = sql;
  for (const m of masked.matchAll(CLAUSE)) {
    const [, name, gap, clause, , alias] = m;
    const aliasIsName = alias !== undefined && !NOT_ALIASES.has(alias.toLowerCase());
    relations.push(unquote(aliasIsName ? alias! : name!));
    const at = m.index! + name!.length + gap!.length;
    text = text.slice(0, at) + clause!.replace(/[^\n]/g, ' ') + text.slice(at + clause!.length);
  }
  return { text, relations };
}
