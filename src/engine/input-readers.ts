/** Which continuous queries read an input (a table, or a materialized view) as a changelog. */
import type { IncrementalPlan } from '../plan/incremental/plan.js';
import type { EngineContext } from './context.js';

/**
 * Whether a continuous query reads the table or materialized view `name` as a changelog. A query
 * that could not start (no plan) might: counted, so that its input keeps the changes it will need.
 */
export function readByQueries(ctx: Pick<EngineContext, 'queries'>, name: string): boolean {
  for (const handle of ctx.queries.values()) {
    if (handle.plan === null || handle.plan.sources.includes(name)) return true;
  }
  return false;
}

/**
 * What the queries reading the table or view `name` as a changelog still need of it: null when none
 * reads it, else the last position (statement number, batch id) every reader has committed; -1 when
 * one needs all of it (a query that has read nothing yet, or could not start).
 */
export function readersHold(ctx: Pick<EngineContext, 'queries'>, name: string): number | null {
  let hold: number | null = null;
  for (const handle of ctx.queries.values()) {
    if (handle.plan !== null && !handle.plan.sources.includes(name)) continue;
    const offset = handle.plan === null ? undefined : handle.query?.inputOffset(name);
    const committed = typeof offset === 'number' && Number.isSafeInteger(offset) ? offset : -1;
    hold = hold === null ? committed : Math.min(hold, committed);
  }
  return hold;
}

/**
 * Called once a new query that reads materialized views is registered, before it starts: waits for
 * each view's batch in flight. A view logs its changes from the first batch that sees a reader, so a
 * batch that built its statements earlier and committed after the reader's first batch planned its
 * range would be a change the reader never reads; after this, none can be.
 */
export async function settleUpstreams(ctx: Pick<EngineContext, 'queries'>, plan: IncrementalPlan): Promise<void> {
  for (const name of plan.sources) {
    await ctx.queries.get(name)?.query?.settled();
  }
}
