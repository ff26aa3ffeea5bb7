/**
 * Connector options as zod schemas. A connector lists the options it reads; whatever is left over is an
 * error that names the unknown options and the connector, so a typo never silently falls back to a
 * default.
 */
import { z } from 'zod';
import type { OptionValue, Options } from '../sql/ast.js';
import { EddyError } from '../util/errors.js';

/** Options that belong to the statement, not the connector (the engine reads them). */
const STATEMENT_OPTIONS = new Set(['connector']);

const intText = z.string().regex(/^-?\d+$/).transform(Number);

/** Schemas for option values, with messages that read well after `option "x": `. */
export const opt = {
  string: () => z.string({ error: 'expected a string' }).min(1, { error: 'must not be empty' }),
  int: (min: number) =>
    z
      .union([z.number(), intText], { error: 'expected an integer' })
      .pipe(z.number().int({ error: 'expected an integer' }).min(min, { error: `must be at least ${min}` })),
  bool: () =>
    z
      .union([z.boolean(), z.enum(['true', 'false'])], { error: 'expected true or false' })
      .transform((v) => v === true || v === 'true'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { error: `expected one of ${values.map((v) => `'${v}'`).join(', ')}` }),
};

export interface OptionContext {
  /** 'source' or 'sink': how the error names the object. */
  readonly objectKind: 'source' | 'sink';
  readonly objectName: string;
  readonly connector: string;
}

/**
 * Reads `options` with `shape`: unknown keys are an INVALID_PARAMETER error naming them and the
 * connector; a bad value is an error naming the option. Returns the parsed values.
 */
export function readOptions<S extends z.ZodRawShape>(ctx: OptionContext, shape: S, options: Options): z.output<z.ZodObject<S>> {
  const where = `${ctx.objectKind} "${ctx.objectName}"`;
  const given = Object.keys(options).filter((k) => !STATEMENT_OPTIONS.has(k));
  const unknown = given.filter((k) => !Object.hasOwn(shape, k));
  if (unknown.length > 0) {
    const known = Object.keys(shape);
    throw new EddyError(
      'INVALID_PARAMETER',
      `${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} for connector "${ctx.connector}"`,
      { hint: known.length > 0 ? `connector "${ctx.connector}" accepts: ${known.join(', ')}` : `connector "${ctx.connector}" takes no options` },
    );
  }
  const input = Object.fromEntries(given.map((k) => [k, options[k]]));
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue?.path[0];
    const message = typeof key === 'string' && input[key] === undefined ? 'is required' : issue?.message ?? 'is invalid';
    const detail = message.startsWith('is ') ? ` ${message}` : `: ${message}`;
    throw new EddyError('INVALID_PARAMETER', `${where}: option "${String(key)}"${detail} (connector "${ctx.connector}")`);
  }
  return result.data;
}

/** Drops undefined values, so the result is a plain Options record the catalog can store. */
export function toOptions(values: Record<string, OptionValue | undefined>): Options {
  const out: Record<string, OptionValue> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}
