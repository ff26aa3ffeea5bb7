/**
 * Table functions in FROM. The window table functions TUMBLE, HOP and SESSION are planned for a later
 * issue: they will bind their input relation (a FromItem), the time column and the sizes, and produce a
 * new logical node kind that adds `window_start` and `window_end`; that node plugs in here.
 */
import { EddyError } from '../../util/errors.js';
import type { FromItem } from './ast.js';
import { functionName } from './ast.js';
import type { BoundFrom } from './bound-from.js';
import type { BinderState } from './state.js';

const WINDOW_FUNCTIONS = new Set(['tumble', 'hop', 'session']);

export async function bindTableFunction(item: FromItem, state: BinderState): Promise<BoundFrom> {
  const call = item.expr!;
  const name = functionName(call) ?? 'unknown';
  const position = state.loc.positionOf(call, state.loc.whole);
  if (WINDOW_FUNCTIONS.has(name)) {
    throw new EddyError('FEATURE_NOT_SUPPORTED', `window table function ${name.toUpperCase()} is not supported yet`, {
      position,
      hint: 'group by date_trunc(...) of the event time column for fixed windows meanwhile',
    });
  }
  throw new EddyError('FEATURE_NOT_SUPPORTED', `table function ${name} is not supported in FROM`, {
    position,
    hint: 'FROM may name sources, tables, views, materialized views, CTEs and subqueries',
  });
}
