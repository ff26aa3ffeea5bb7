/**
 * Rows given as objects (HTTP's POST /v1/sources/:name/rows) as one JSON text for DuckDB to read.
 */
import type { SourceObject } from '../../catalog/types.js';
import { numericKind, parseType } from '../../duck/type-tree.js';
import { EddyError } from '../../util/errors.js';
import type { Casts } from '../formats/casts.js';

/**
 * JSON of rows given as objects. JSON.parse has already turned a number beyond a double's range into
 * Infinity (which JSON.stringify writes as null) and rounded an integer beyond 2^53 to a neighbour:
 * under strict casts either is a bad value of its row, as the value that reaches DuckDB is not the
 * one sent.
 */
export function rowsJson(source: SourceObject, rows: readonly Record<string, unknown>[], casts: Casts): string {
  const strict = casts === 'strict';
  const integers = new Set(source.columns.filter((c) => numericKind(parseType(c.type) ?? { kind: 'scalar', text: '' }) === 'integer').map((c) => c.name));
  let row = 0;
  let column = '';
  return JSON.stringify(rows, function (this: unknown, key: string, value: unknown) {
    if (this === rows) row = Number(key);
    else if (this === rows[row]) column = key;
    if (typeof value === 'bigint') return value.toString();
    if (strict && typeof value === 'number' && !Number.isSafeInteger(value)) {
      const where = `source "${source.name}": row index ${row}, column "${column}"`;
      if (!Number.isFinite(value)) throw new EddyError('BAD_INPUT_ROW', `${where}: a number beyond the range of a double`);
      if (this === rows[row] && integers.has(key) && Number.isInteger(value)) {
        throw new EddyError('BAD_INPUT_ROW', `${where}: an integer beyond 2^53, which a JSON number cannot carry exactly here`, {
          hint: 'send integers beyond 9007199254740991 as strings, e.g. "12345678901234567890"',
        });
      }
    }
    return value;
  });
}
