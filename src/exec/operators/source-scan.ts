/** The delta of a source: the rows its reader loaded into the batch's source table, each inserted. */
import { quoteIdent } from '../../duck/quote.js';
import type { SourceScanOp } from '../../plan/incremental/nodes.js';
import type { OperatorRule } from './rule.js';

/** The temp table a source's rows are loaded into for a batch (one per source, shared by its scans). */
export function sourceBatchTable(source: string): string {
  return quoteIdent(`src_${source}`);
}

export const sourceScanRule: OperatorRule<SourceScanOp> = {
  createState: () => [],
  setup: (node, names) => {
    const cols = node.columns.map((c, i) => `${quoteIdent(c)} AS ${quoteIdent(node.fields[i]!.name)}`);
    return [`CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${[...cols, '1 AS __op'].join(', ')} FROM ${sourceBatchTable(node.source)}`];
  },
  step: () => [],
};
