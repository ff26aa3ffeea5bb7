import type { LogicalNode } from '../logical/nodes.js';
import type { BindContext } from '../bind-context.js';
import type { Locator } from './locator.js';

/** A bound CTE: its plan, and its output fields as the query that names it sees them. */
export interface BoundCte {
  readonly name: string;
  readonly node: LogicalNode;
}

/** What the binder carries while binding one query text (a view's query gets its own). */
export interface BinderState {
  readonly ctx: BindContext;
  readonly loc: Locator;
  /** CTEs in scope, keyed by lower-cased name; later WITH entries see earlier ones. */
  readonly ctes: ReadonlyMap<string, BoundCte>;
  /** Views being inlined, outermost first, to detect cycles. */
  readonly viewStack: readonly string[];
  /** Relations of this query text joined FOR SYSTEM_TIME AS OF PROCTIME(), by qualifier (lower-cased). */
  readonly asOfProctime: ReadonlySet<string>;
}

export function withCtes(state: BinderState, ctes: ReadonlyMap<string, BoundCte>): BinderState {
  return { ...state, ctes };
}
