/** The delta of an input: the rows its reader loaded into the batch's table, inserted or with their weights. */
import { quoteIdent } from '../../duck/quote.js';
import type { SourceScanOp } from '../../plan/incremental/nodes.js';
import { timeBelow, watermarkSql, type OperatorRule, type RuleNames } from './rule.js';

/** The temp table a source's rows are loaded into for a batch (one per source, shared by its scans). */
export function sourceBatchTable(source: string): string {
  return quoteIdent(`src_${source}`);
}

export const sourceScanRule: OperatorRule<SourceScanOp> = {
  createState: () => [],
  setup: (node, names) => [scanView(node, names)],
  // A scan that drops late rows compares with the watermark: its view is made anew when that moved.
  step: (node, names) => (node.lateRowsColumn !== null && names.watermark.current !== names.watermark.previous ? [scanView(node, names)] : []),
  stateWrites: () => [],
};

function scanView(node: SourceScanOp, names: RuleNames): string {
  const cols = node.columns.map((c, i) => `${quoteIdent(c)} AS ${quoteIdent(node.fields[i]!.name)}`);
  const timeType = node.fields[node.columns.indexOf(node.lateRowsColumn ?? '')]?.type;
  const where = node.lateRowsColumn === null ? '' : ` WHERE NOT ${lateRow(node.lateRowsColumn, timeType, watermarkSql(names.watermark.current))}`;
  return `CREATE OR REPLACE TEMP VIEW ${names.output} AS SELECT ${[...cols, node.weighted ? '__op' : '1 AS __op'].join(', ')} FROM ${sourceBatchTable(node.source)}${where}`;
}

/**
 * True for a row of the source batch table whose event time (`column`, of type `type`) is below
 * `watermark` (SQL, epoch microseconds). A TIMESTAMP is compared as one (timeBelow): the batch's
 * event-time scan over 100k rows 1.5-1.9 -> 0.8-0.9 ms.
 */
export function lateRow(column: string, type: string | undefined, watermark: string): string {
  return `coalesce(${timeBelow(quoteIdent(column), type, watermark)}, FALSE)`;
}
