/** The delta of a source: the rows its reader loaded into the batch's source table, each inserted. */
import { quoteIdent } from '../../duck/quote.js';
import type { SourceScanOp } from '../../plan/incremental/nodes.js';
import { watermarkSql, type OperatorRule, type RuleNames } from './rule.js';

/** The temp table a source's rows are loaded into for a batch (one per source, shared by its scans). */
export function sourceBatchTable(source: string): string {
  return quoteIdent(`src_${source}`);
}

export const sourceScanRule: OperatorRule<SourceScanOp> = {
  createState: () => [],
  setup: (node, names) => [scanView(node, names)],
  // A scan that drops late rows compares with the watermark: its view is made anew when that moved.
  step: (node, names) => (node.lateRowsColumn !== null && names.watermark.current !== names.watermark.previous ? [scanView(node, names)] : []),
};

function scanView(node: SourceScanOp, names: RuleNames): string {
  const cols = node.columns.map((c, i) => `${quoteIdent(c)} AS ${quoteIdent(node.fields[i]!.name)}`);
  const where = node.lateRowsColumn === null ? '' : ` WHERE NOT ${lateRow(node.lateRowsColumn, watermarkSql(names.watermark.current))}`;
  return `CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${[...cols, '1 AS __op'].join(', ')} FROM ${sourceBatchTable(node.source)}${where}`;
}

/** True for a row of the source batch table whose event time is below `watermark` (SQL). */
export function lateRow(column: string, watermark: string): string {
  return `coalesce(epoch_us(${quoteIdent(column)}) < ${watermark}, FALSE)`;
}
