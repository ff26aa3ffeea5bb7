/**
 * Fused filter and projection. Stateless, so it is a view over its input: a chain of maps becomes
 * nested views that DuckDB optimises into one statement where the next stateful operator reads it.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { MapOp } from '../../plan/incremental/nodes.js';
import type { OperatorRule } from './rule.js';

export const mapRule: OperatorRule<MapOp> = {
  createState: () => [],
  setup: (node, names) => {
    const cols = node.exprs === null
      ? node.fields.map((f) => quoteIdent(f.name))
      : node.exprs.map((e, i) => `${e} AS ${quoteIdent(node.fields[i]!.name)}`);
    const where = node.filter ? ` WHERE ${node.filter}` : '';
    return [`CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${[...cols, '__op'].join(', ')} FROM ${names.inputs[0]}${where}`];
  },
  step: () => [],
  stateWrites: () => [],
};
