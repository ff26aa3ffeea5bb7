/**
 * Output modes are projections of a plan's changelog (DESIGN.md §4), checked when a query is
 * created so that a sink never receives a change it cannot represent.
 */
import type { OutputMode } from '../../catalog/output-mode.js';
import { EddyError } from '../../util/errors.js';
import { aggregateSql } from '../logical/aggregate-sql.js';
import type { AggregateOp, IncrementalNode } from './nodes.js';
import { topologicalOrder } from './nodes.js';

function hasAggregate(root: IncrementalNode): boolean {
  return topologicalOrder(root).some((n) => n.kind === 'aggregate');
}

export function allowedOutputModes(root: IncrementalNode, appendPossible: boolean): OutputMode[] {
  const modes: OutputMode[] = [];
  if (root.changelog === 'append-only' || appendPossible) modes.push('append');
  modes.push('update');
  if (hasAggregate(root)) modes.push('complete');
  modes.push('changelog');
  return modes;
}

/** The retracting aggregate nearest the root, for the error that names it. */
function firstRetractingAggregate(root: IncrementalNode): AggregateOp | undefined {
  return topologicalOrder(root).reverse().find((n): n is AggregateOp => n.kind === 'aggregate' && n.changelog === 'retracting');
}

function describeAggregate(op: AggregateOp): string {
  if (op.distinct) return 'DISTINCT';
  const calls = op.aggregates.map((a) => a.display || aggregateSql(a)).join(', ');
  const groups = op.fields.slice(0, op.keys.length).map((f) => f.userName).join(', ');
  return `aggregate ${calls || 'GROUP BY'}${groups ? ` (GROUP BY ${groups})` : ''}`;
}

/**
 * Checks the requested mode against the plan and returns the mode to use. A materialized view
 * (requested === null) keeps a result table, which every plan supports.
 */
export function checkOutputMode(name: string, root: IncrementalNode, ordered: boolean, requested: OutputMode | null, appendPossible: boolean): OutputMode {
  const allowed = allowedOutputModes(root, appendPossible);
  const mode: OutputMode = requested ?? (root.changelog === 'append-only' ? 'append' : 'update');
  if (ordered && mode !== 'complete') {
    throw new EddyError('INVALID_OUTPUT_MODE',
      `ORDER BY / LIMIT in continuous query "${name}" needs output_mode = 'complete': in other modes the result is a changing set of rows with no order`, {
        hint: requested === null
          ? 'remove ORDER BY / LIMIT from the materialized view and use them in the SELECT that reads it'
          : "use output_mode = 'complete' on an aggregating query, or remove ORDER BY / LIMIT",
      });
  }
  if (!allowed.includes(mode)) {
    if (mode === 'append') {
      const agg = firstRetractingAggregate(root);
      const what = agg ? describeAggregate(agg) : 'the query';
      throw new EddyError('INVALID_OUTPUT_MODE',
        `output_mode 'append' is not possible for "${name}": ${what} updates rows it has already emitted as data arrives`, {
          hint: "use output_mode = 'update' or 'complete', or aggregate over an event-time window (TUMBLE/HOP with a WATERMARK) so that each row is final when its window closes",
        });
    }
    throw new EddyError('INVALID_OUTPUT_MODE',
      `output_mode '${mode}' is not possible for "${name}": ${mode === 'complete' ? 'complete mode re-emits the whole result, which only an aggregating query keeps' : 'not supported by this query'}`, {
        hint: `allowed output modes: ${allowed.join(', ')}`,
      });
  }
  return mode;
}
