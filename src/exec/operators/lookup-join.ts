/**
 * A stream joined with a table as of the batch: each delta row meets the table's current rows, and
 * the row's weight carries over. A view over the delta, so it fuses with what follows.
 */
import type { LookupJoinOp } from '../../plan/incremental/nodes.js';
import { fieldList, type OperatorRule } from './rule.js';

export const lookupJoinRule: OperatorRule<LookupJoinOp> = {
  createState: () => [],
  setup: (node, names) => {
    const streamFields = node.streamIsLeft ? node.fields.slice(0, node.fields.length - node.tableFields.length) : node.fields.slice(node.tableFields.length);
    const cols = node.streamIsLeft
      ? `${fieldList(streamFields, 's')}, ${fieldList(node.tableFields, 't')}`
      : `${fieldList(node.tableFields, 't')}, ${fieldList(streamFields, 's')}`;
    const join = node.joinType === 'left' ? 'LEFT JOIN' : 'JOIN';
    return [
      `CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${cols}, s.__op FROM ${names.inputs[0]} AS s ${join} (${node.table}) AS t ON ${node.condition ?? 'TRUE'}`,
    ];
  },
  step: () => [],
  stateWrites: () => [],
};
