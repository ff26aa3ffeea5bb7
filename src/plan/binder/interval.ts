/**
 * Constant INTERVALs (window sizes, join time bounds) as microseconds. DuckDB evaluates them, so
 * every spelling it accepts works (`INTERVAL '10' SECOND`, `INTERVAL '10 seconds'`, `INTERVAL 1 DAY`).
 * Month-based intervals have no fixed length and are rejected.
 */
import { EddyError, type SqlPosition } from '../../util/errors.js';
import type { ExprNode } from './ast.js';
import { duckErrorToEddy } from './duck-errors.js';
import { printExpr } from './sql-printer.js';
import type { BinderState } from './state.js';

/** Whether the node is an INTERVAL literal or a cast of a constant to INTERVAL. */
export function isIntervalConstant(node: ExprNode): boolean {
  if (node.type === 'interval') return true;
  if (node.type !== 'cast') return false;
  const target = JSON.stringify(node.target ?? '').toUpperCase();
  return target.includes('INTERVAL') && !hasColumnRef(node.expr);
}

function hasColumnRef(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasColumnRef);
  if (node === null || typeof node !== 'object') return false;
  const obj = node as Record<string, unknown>;
  if (obj.type === 'column_ref') return true;
  return Object.entries(obj).some(([k, v]) => k !== 'loc' && hasColumnRef(v));
}

/** The interval's length in microseconds; INVALID_PARAMETER unless it is a fixed-length constant. */
export async function intervalMicros(node: ExprNode, state: BinderState, position: SqlPosition, what: string): Promise<number> {
  if (!isIntervalConstant(node)) {
    throw new EddyError('INVALID_PARAMETER', `${what} must be an INTERVAL literal such as INTERVAL '10' SECOND`, { position });
  }
  const sql = printExpr(node);
  const scalar = state.ctx.scalar;
  if (!scalar) throw new EddyError('INTERNAL', `cannot evaluate ${what}: the bind context has no scalar()`, { position });
  let raw: unknown;
  try {
    raw = await scalar(
      `SELECT CASE WHEN datepart('year', i) * 12 + datepart('month', i) <> 0 THEN NULL ELSE epoch_us(i) END FROM (SELECT CAST(${sql} AS INTERVAL) AS i)`,
    );
  } catch (e) {
    throw duckErrorToEddy(e, position, what);
  }
  if (raw === null || raw === undefined) {
    throw new EddyError('INVALID_PARAMETER', `${what} ${sql} has months or years, which have no fixed length`, {
      position,
      hint: 'use days, hours, minutes or seconds (e.g. INTERVAL \'30\' DAY)',
    });
  }
  return Number(raw);
}
