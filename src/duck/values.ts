import type { DuckDBValue } from '@duckdb/node-api';

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Maps a DuckDB value to a plain JS value: integers that fit in a double become numbers (larger ones
 * stay bigint), decimals, dates, times, timestamps and intervals become their DuckDB text form,
 * lists become arrays and structs objects. Text forms keep results exact and print as DuckDB prints them.
 */
export function fromDuckValue(value: DuckDBValue): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'number':
    case 'string':
      return value;
    case 'bigint':
      return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : value;
    default:
      break;
  }
  const v = value as unknown as { items?: DuckDBValue[]; entries?: Record<string, DuckDBValue>; toString(): string };
  if (Array.isArray(v.items)) return v.items.map(fromDuckValue);
  if (v.entries && typeof v.entries === 'object' && !Array.isArray(v.entries)) {
    return Object.fromEntries(Object.entries(v.entries).map(([k, x]) => [k, fromDuckValue(x)]));
  }
  return v.toString();
}
