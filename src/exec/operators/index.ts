/** Every operator kind's rule, keyed by kind: adding a kind fails to compile until it has one. */
import type { IncrementalKind, IncrementalNode } from '../../plan/incremental/nodes.js';
import { aggregateRule } from './aggregate.js';
import { lookupJoinRule } from './lookup-join.js';
import { mapRule } from './map.js';
import type { OperatorRule, RuleNames } from './rule.js';
import { sourceScanRule } from './source-scan.js';
import { streamJoinRule } from './stream-join.js';
import { unionRule } from './union.js';
import { overWindowRule } from './over-window.js';
import { rankRule } from './rank.js';
import { sessionWindowRule } from './session-window.js';
import { upsertRule } from './upsert.js';
import { windowAssignRule } from './window-assign.js';

type Rules = { [K in IncrementalKind]: OperatorRule<Extract<IncrementalNode, { kind: K }>> };

const rules: Rules = {
  source_scan: sourceScanRule,
  map: mapRule,
  aggregate: aggregateRule,
  lookup_join: lookupJoinRule,
  stream_join: streamJoinRule,
  union: unionRule,
  window_assign: windowAssignRule,
  session_window: sessionWindowRule,
  rank: rankRule,
  over_window: overWindowRule,
  upsert: upsertRule,
};

export function ruleFor<N extends IncrementalNode>(node: N): OperatorRule<N> {
  return rules[node.kind] as unknown as OperatorRule<N>;
}

export type { RuleNames } from './rule.js';
export { sourceBatchTable } from './source-scan.js';
