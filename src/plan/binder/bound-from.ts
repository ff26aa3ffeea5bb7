import { quoteIdent } from '../../duck/quote.js';
import type { Field } from '../logical/field.js';
import type { LogicalNode } from '../logical/nodes.js';
import type { Scope } from './scope.js';

/**
 * A bound FROM clause (or one item of it): the plan, the names the user's SQL may use, and `probe`,
 * a FROM clause of typed NULL relations shaped exactly like the user's (same aliases, user column
 * names, joins and USING lists), so DuckDB can tell the default names of the user's expressions.
 */
export interface BoundFrom {
  readonly node: LogicalNode;
  readonly scope: Scope;
  readonly probe: string;
}

/** The node with its fields seen under a new qualifier (and optionally new user names). */
export function requalify(node: LogicalNode, qualifier: string | null, userNames?: readonly string[]): LogicalNode {
  const fields = node.fields.map((f, i) => ({ ...f, qualifier, userName: userNames?.[i] ?? f.userName }));
  return { ...node, fields } as LogicalNode;
}

let unnamed = 0;

/** `(SELECT CAST(NULL AS T) AS "userName", ...) AS "qualifier"`: one relation of the naming probe. */
export function relationProbe(fields: readonly Field[], qualifier: string | null): string {
  const cols = fields.map((f) => `CAST(NULL AS ${f.type}) AS ${quoteIdent(f.userName)}`);
  const alias = qualifier ?? `__eddy_unnamed_${unnamed++}`;
  return `(SELECT ${cols.join(', ') || '1 AS __eddy_empty'}) AS ${quoteIdent(alias)}`;
}
