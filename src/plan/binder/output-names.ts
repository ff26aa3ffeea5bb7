/**
 * The names of a select's output columns, as DuckDB itself would call them: the alias, the column's
 * name, or for other expressions DuckDB's default name (`count_star()`, `(x + 1)`), obtained by
 * describing the user's select list over the naming probe (see BoundFrom.probe). Duplicate names are
 * made unique (`x`, `x_1`), because every output becomes a column of a result table.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { ExprNode } from './ast.js';
import { columnIdent, isColumnRef, qualifierOf } from './ast.js';
import type { BoundFrom } from './bound-from.js';
import { NameAllocator } from './names.js';
import type { SelectEntry } from './select-entry.js';
import { printExpr } from './sql-printer.js';
import type { BinderState } from './state.js';

export async function outputNames(
  state: BinderState,
  entries: readonly SelectEntry[],
  from: BoundFrom,
  groupBy: readonly ExprNode[] | null,
): Promise<string[]> {
  const names: (string | null)[] = entries.map((e) => {
    if (e.kind === 'field') return e.field.userName;
    if (e.alias !== null) return e.alias;
    if (isColumnRef(e.node) && e.node.column !== '*') {
      const id = columnIdent(e.node);
      const ref = { qualifier: qualifierOf(e.node), name: id.name, quoted: id.quoted };
      return from.scope.resolve(ref, state.loc.position(0)).userName;
    }
    return null;
  });
  if (names.some((n) => n === null)) {
    const described = await describeNames(state, entries, from, groupBy);
    entries.forEach((e, i) => {
      if (names[i] === null) names[i] = described?.[i] ?? (e.kind === 'expr' ? printExpr(e.node) : `column${i}`);
    });
  }
  // The first of equal names keeps it; later ones get a suffix that no other output uses.
  const seen = new Set<string>();
  const firsts = names.map((n) => {
    const first = !seen.has(n!.toLowerCase());
    seen.add(n!.toLowerCase());
    return first;
  });
  const allocator = new NameAllocator(names.filter((_, i) => firsts[i]) as string[]);
  return names.map((n, i) => (firsts[i] ? n! : allocator.allocate(n!)));
}

async function describeNames(
  state: BinderState,
  entries: readonly SelectEntry[],
  from: BoundFrom,
  groupBy: readonly ExprNode[] | null,
): Promise<string[] | null> {
  const items = entries.map((e) => {
    if (e.kind === 'field') {
      const col = quoteIdent(e.field.userName);
      return e.field.qualifier === null ? col : `${quoteIdent(e.field.qualifier)}.${col}`;
    }
    const sql = printExpr(e.node);
    return e.alias === null ? sql : `${sql} AS ${quoteIdent(e.alias)}`;
  });
  const group = groupBy && groupBy.length > 0 ? ` GROUP BY ${groupBy.map(printExpr).join(', ')}` : '';
  try {
    const cols = await state.ctx.describe(`SELECT ${items.join(', ')} FROM ${from.probe}${group}`);
    return cols.length === entries.length ? cols.map((c) => c.name) : null;
  } catch {
    // Naming is best effort: the expressions were already type-checked, so fall back to their text.
    return null;
  }
}
