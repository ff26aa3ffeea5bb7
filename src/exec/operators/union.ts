/** UNION ALL of deltas: a view, renaming each input's fields to the union's. */
import { quoteIdent } from '../../duck/quote.js';
import type { UnionOp } from '../../plan/incremental/nodes.js';
import type { OperatorRule } from './rule.js';

export const unionRule: OperatorRule<UnionOp> = {
  createState: () => [],
  setup: (node, names) => {
    const selects = node.inputs.map((input, i) => {
      const cols = input.fields.map((f, j) => `${quoteIdent(f.name)} AS ${quoteIdent(node.fields[j]!.name)}`);
      return `SELECT ${[...cols, '__op'].join(', ')} FROM ${names.inputs[i]}`;
    });
    return [`CREATE OR REPLACE TEMP VIEW ${names.output} AS ${selects.join(' UNION ALL ')}`];
  },
  step: () => [],
  stateWrites: () => [],
};
