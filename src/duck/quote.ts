/**
 * Quoting for every identifier and literal that Eddy puts into generated SQL. Nothing user-supplied
 * is ever spliced into SQL text without passing through one of these.
 */

/** Quotes an identifier: `a"b` becomes `"a""b"`. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a possibly qualified name given as parts: ['q_hot', 'main', 'result'] -> "q_hot"."main"."result". */
export function quoteQualified(...parts: string[]): string {
  return parts.map(quoteIdent).join('.');
}

/** Quotes a string literal: `it's` becomes `'it''s'`. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Renders a JS value as a DuckDB literal (strings quoted, numbers and booleans as they are). */
export function sqlValue(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `'${String(value)}'::DOUBLE`;
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return `TIMESTAMP ${quoteLiteral(value.toISOString().replace('T', ' ').replace('Z', ''))}`;
  if (typeof value === 'object') return quoteLiteral(JSON.stringify(value));
  return quoteLiteral(String(value));
}
