/** How `eddy run` prints a result: a psql-like table, JSON lines or CSV. */
import type { StatementResult } from '../engine/index.js';

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

/** The text printed for one statement's rows (ends with a newline), or '' for statements without rows. */
export function formatResult(result: StatementResult, format: OutputFormat): string {
  if (result.columns.length === 0) return '';
  switch (format) {
    case 'table':
      return formatTable(result);
    case 'json':
      return formatJsonLines(result);
    case 'csv':
      return formatCsv(result);
  }
}

/** Like psql's aligned output: centred headers, numbers right-aligned, a `(N rows)` footer and a blank line. */
export function formatTable(result: StatementResult): string {
  const headers = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => row.map(cellText));
  const numeric = result.columns.map((c) => isNumericType(c.type));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const header = headers.map((h, i) => centre(h, widths[i]!)).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w + 2)).join('+');
  const body = cells.map((r) =>
    r
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd(),
  );
  const count = result.rows.length;
  const lines = [` ${header}`.trimEnd(), rule, ...body.map((line) => ` ${line}`), `(${count} ${count === 1 ? 'row' : 'rows'})`, ''];
  return `${lines.join('\n')}\n`;
}

/** One JSON object per row, keyed by column name. */
export function formatJsonLines(result: StatementResult): string {
  return result.rows
    .map((row) => `${JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]])), jsonValue)}\n`)
    .join('');
}

/** A header line, then one line per row; fields quoted when they need it (RFC 4180). */
export function formatCsv(result: StatementResult): string {
  const line = (fields: readonly string[]) => `${fields.map(csvField).join(',')}\n`;
  return line(result.columns.map((c) => c.name)) + result.rows.map((row) => line(row.map(cellText))).join('');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return JSON.stringify(value, jsonValue);
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function centre(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return (' '.repeat(left) + text).padEnd(width);
}

function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL|REAL|NUMERIC)/i.test(type);
}
