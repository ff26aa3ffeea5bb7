/**
 * How deeply a JSON request body may nest. JSON.parse follows any depth, but what handles the value
 * afterwards may recurse (a 100k-deep row value overflowed the push source's JSON.stringify with a
 * 500); a body past the limit is refused before any of that, as a 400 naming the limit.
 */
import { EddyError } from '../../util/errors.js';

/** Far beyond any row of nested STRUCTs and LISTs; the body's own array and object count too. */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** Throws STATEMENT_TOO_COMPLEX when `value` nests deeper than `limit`; walks with an explicit stack. */
export function checkJsonDepth(value: unknown, limit: number): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) {
      throw new EddyError('STATEMENT_TOO_COMPLEX', `the request body nests deeper than ${limit} levels of arrays and objects`, {
        hint: 'flatten the values, or raise the limit (eddy serve --http-max-json-depth)',
      });
    }
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}
