/**
 * Row values as JSON: integers beyond 2^53 (bigint) become decimal strings so that no digit is lost;
 * everything else the engine returns is already JSON (numbers, strings, booleans, lists, structs).
 */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === 'object') {
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}

export function jsonRow(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) out[key] = jsonValue(row[key]);
  return out;
}

/** JSON.stringify that accepts bigint (as a string), for hand-written streams. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
