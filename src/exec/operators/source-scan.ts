/** The delta of a source: the rows its reader loaded into the batch's source table, each inserted. */
import { quoteIdent } from '../../duck/quote.js';
import type { SourceScanOp } from '../../plan/incremental/nodes.js';
import { WATERMARK, type OperatorRule } from './rule.js';

/** The temp table a source's rows are loaded into for a batch (one per source, shared by its scans). */
export function sourceBatchTable(source: string): string {
  return quoteIdent(`src_${source}`);
}

export const sourceScanRule: OperatorRule<SourceScanOp> = {
  createState: () => [],
  setup: (node, names) => {
    const cols = node.columns.map((c, i) => `${quoteIdent(c)} AS ${quoteIdent(node.fields[i]!.name)}`);
    const where = node.lateRowsColumn === null ? '' : ` WHERE NOT ${lateRow(node.lateRowsColumn)}`;
    return [`CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${[...cols, '1 AS __op'].join(', ')} FROM ${sourceBatchTable(node.source)}${where}`];
  },
  step: () => [],
};

/** True for a row of the source batch table whose event time is below the batch's watermark. */
export function lateRow(column: string): string {
  return `coalesce(epoch_us(${quoteIdent(column)}) < ${WATERMARK}, FALSE)`;
}
