/**
 * Connector options that hold secrets (a SASL password, a key) are needed to connect but never shown:
 * SHOW SOURCES / SINKS / CREATE and the emulated pg_catalog print them as '********'. The DDL log
 * keeps them, as it must to reconnect after a restart (docs/SECURITY.md).
 */
import { segments } from '../duck/lexer.js';

const SECRET_KEY = /(password|secret|token|private_key|api_key|credential)/i;
const HIDDEN = '********';

export function isSecretOption(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** The options with every secret value hidden. */
export function redactOptions(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, isSecretOption(k) ? HIDDEN : v]));
}

/** The statement's text with the value of every secret option (`key = 'value'`) hidden. */
export function redactSql(sql: string): string {
  const code = [...segments(sql)].filter((s) => s.kind !== 'space' && s.kind !== 'line_comment' && s.kind !== 'block_comment');
  let out = '';
  let last = 0;
  for (let i = 0; i + 2 < code.length; i++) {
    const key = code[i]!;
    const eq = code[i + 1]!;
    const value = code[i + 2]!;
    const keyText = sql.slice(key.start, key.end).replaceAll('"', '');
    if ((key.kind !== 'code' && key.kind !== 'quoted_ident') || !isSecretOption(keyText) || sql.slice(eq.start, eq.end) !== '=' || (value.kind !== 'string' && value.kind !== 'dollar_string')) continue;
    out += `${sql.slice(last, value.start)}'${HIDDEN}'`;
    last = value.end;
  }
  return out + sql.slice(last);
}
