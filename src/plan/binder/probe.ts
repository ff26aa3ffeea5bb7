/**
 * Typing by probe: DuckDB's binder describes a query over a one-row relation of typed NULLs shaped
 * like the node's input, so every DuckDB function and cast is type-checked exactly as DuckDB will.
 */
import { quoteIdent } from '../../duck/quote.js';
import { EddyError, type SqlPosition } from '../../util/errors.js';
import type { Field } from '../logical/field.js';
import { SENTINEL, duckErrorToEddy } from './duck-errors.js';
import type { BinderState } from './state.js';

/** A relation with the fields' names and types (and the sentinel column). */
export function probeRelation(fields: readonly Field[]): string {
  const cols = fields.map((f) => `CAST(NULL AS ${f.type}) AS ${quoteIdent(f.name)}`);
  cols.push(`NULL AS ${quoteIdent(SENTINEL)}`);
  return `(SELECT ${cols.join(', ')}) AS ${quoteIdent('__eddy_input')}`;
}

/** An expression to type: SQL over the input's field names, and where the user wrote it. */
export interface ProbeItem {
  readonly sql: string;
  readonly position: SqlPosition | undefined;
  /** What the expression is, for messages (`WHERE clause`, `select expression "x + 1"`). */
  readonly what: string;
}

/**
 * The DuckDB types of scalar expressions over `input`. The sentinel column in the select list makes
 * DuckDB reject any aggregate hidden in them. On error the items are retried one by one, so the error
 * points at the offending expression.
 */
export async function typeScalars(state: BinderState, input: readonly Field[], items: readonly ProbeItem[]): Promise<string[]> {
  if (items.length === 0) return [];
  const from = probeRelation(input);
  const sqlFor = (list: readonly ProbeItem[]): string =>
    `SELECT ${[...list.map((it, i) => `${it.sql} AS ${quoteIdent(`c${i}`)}`), quoteIdent(SENTINEL)].join(', ')} FROM ${from}`;
  try {
    const cols = await state.ctx.describe(sqlFor(items));
    return cols.slice(0, items.length).map((c) => c.type);
  } catch (e) {
    for (const item of items) {
      try {
        await state.ctx.describe(sqlFor([item]));
      } catch (single) {
        throw duckErrorToEddy(single, item.position, item.what);
      }
    }
    throw duckErrorToEddy(e, items[0]!.position, items[0]!.what);
  }
}

/** Describes arbitrary probe SQL, mapping DuckDB's error to an EddyError at `position`. */
export async function describeProbe(state: BinderState, sql: string, position: SqlPosition | undefined, what: string): Promise<string[]> {
  try {
    return (await state.ctx.describe(sql)).map((c) => c.type);
  } catch (e) {
    throw duckErrorToEddy(e, position, what);
  }
}

/** A WHERE, HAVING or ON condition must be BOOLEAN (DuckDB would cast silently; PostgreSQL does not). */
export function requireBoolean(type: string, clause: string, position: SqlPosition): void {
  if (type !== 'BOOLEAN' && type !== '"NULL"') {
    throw new EddyError('DATATYPE_MISMATCH', `argument of ${clause} must be type BOOLEAN, not type ${type}`, { position });
  }
}
