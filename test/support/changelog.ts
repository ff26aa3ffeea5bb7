/**
 * A tiny text format for changelog deltas in operator tests: one row per line, `+` or `-` (or a
 * weight like `+2`), then the values separated by spaces; `null` is NULL. E.g. `+ 1 a` / `- 2 b`.
 */
import type { Connection } from '../../src/duck/index.js';
import { quoteIdent, sqlValue } from '../../src/duck/quote.js';
import type { Field } from '../../src/plan/logical/field.js';

export function field(name: string, type: string, qualifier: string | null = null): Field {
  return { name, type, userName: name, qualifier };
}

function parseValue(text: string): unknown {
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Fills a delta table (fields + __op) from the text format. */
export async function loadDelta(conn: Connection, table: string, fields: readonly Field[], text: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (${fields.map((f) => `${quoteIdent(f.name)} ${f.type}`).join(', ')}, __op INTEGER)`);
  const rows = text.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of rows) {
    const [op, ...values] = line.split(/\s+/);
    const weight = op === '+' ? 1 : op === '-' ? -1 : Number(op);
    await conn.run(`INSERT INTO ${table} VALUES (${[...values.map((v) => sqlValue(parseValue(v))), String(weight)].join(', ')})`);
  }
}

/** Reads a delta relation back in the text format, sorted, weights summed per row. */
export async function readDelta(conn: Connection, relation: string, fields: readonly Field[]): Promise<string> {
  const cols = fields.map((f) => quoteIdent(f.name)).join(', ');
  const rows = await conn.query(`SELECT ${cols}, sum(__op)::INTEGER AS w FROM ${relation} GROUP BY ALL HAVING sum(__op) <> 0`);
  return rows.rows
    .map((row) => {
      const w = row[row.length - 1] as number;
      const sign = w === 1 ? '+' : w === -1 ? '-' : w > 0 ? `+${w}` : String(w);
      return [sign, ...row.slice(0, -1).map((v) => (v === null ? 'null' : String(v)))].join(' ');
    })
    .sort()
    .join('\n');
}
