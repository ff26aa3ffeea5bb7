/**
 * Where a process's DuckDB time goes, statement by statement: every statement a Connection runs is
 * timed and added to its shape (the SQL with numbers and string literals replaced by `?`, so batch
 * ids and offsets do not split a statement into thousands of entries). Off unless switched on
 * (`EDDY_PROFILE_SQL=1`, or `eddy bench nexmark --profile`), since the clock and the map cost
 * a little per statement.
 */
export interface StatementShapeTotal {
  readonly shape: string;
  readonly count: number;
  readonly totalMs: number;
}

export class StatementProfile {
  private readonly totals = new Map<string, { count: number; totalMs: number }>();

  record(sql: string, ms: number): void {
    const shape = statementShape(sql);
    const entry = this.totals.get(shape);
    if (entry) {
      entry.count++;
      entry.totalMs += ms;
    } else {
      this.totals.set(shape, { count: 1, totalMs: ms });
    }
  }

  /** The shapes by total time, most expensive first. */
  top(limit = Infinity): StatementShapeTotal[] {
    return [...this.totals]
      .map(([shape, t]) => ({ shape, count: t.count, totalMs: t.totalMs }))
      .sort((a, b) => b.totalMs - a.totalMs)
      .slice(0, limit);
  }

  reset(): void {
    this.totals.clear();
  }
}

/** The SQL with literals replaced, whitespace collapsed. */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
}

// EDDY_PROFILE_SQL switches profiling on from the start: a diagnostic for the whole process (every
// connection of every database records into the one profile), not a knob of one engine; code that
// wants it switches it with profileStatements().
let active: StatementProfile | null = process.env.EDDY_PROFILE_SQL ? new StatementProfile() : null;

/** The process's statement profile, or null when profiling is off. */
export function statementProfile(): StatementProfile | null {
  return active;
}

/** Switches profiling on (returning the fresh profile) or off. */
export function profileStatements(on: boolean): StatementProfile | null {
  active = on ? new StatementProfile() : null;
  return active;
}
