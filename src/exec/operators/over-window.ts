/**
 * Window function calls (`avg(x) OVER (PARTITION BY k ORDER BY t ROWS BETWEEN 10 PRECEDING AND
 * CURRENT ROW)`, lag, first_value, ...): any call may depend on any row of its partition, so state
 * keeps the input rows (one row per copy), and a batch computes the calls over the touched partitions
 * before and after applying the delta and emits the difference, as the rank operator does. When a
 * partition key is a window, partitions the watermark has closed are evicted.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { OverWindowOp } from '../../plan/incremental/nodes.js';
import { applyDeltaSql } from '../result-table.js';
import { closedWindowsEviction, fieldType, columnsMatch, deltaTable, differenceSql, inputRowsState, insertedRows, windowKey, type OperatorRule } from './rule.js';

const q = quoteIdent;

export const overWindowRule: OperatorRule<OverWindowOp> = {
  createState: inputRowsState,

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const rows = names.state(node.rowsTable);
    const input = names.inputs[0]!;
    const delta = names.scratch('delta');
    const touched = names.scratch('touched');
    const before = names.scratch('before');
    const inputNames = node.input.fields.map((f) => f.name);
    const inputFields = inputNames.map(q).join(', ');
    const calls = node.exprs.map((e, i) => `${e} AS ${q(node.fields[inputNames.length + i]!.name)}`).join(', ');
    const partitioned = node.partitionBy.length > 0;
    const ofTouched = partitioned ? ` AS s SEMI JOIN ${touched} AS t ON ${columnsMatch('s', 't', node.partitionBy, windowKey(node))}` : '';
    const computed = `SELECT ${inputFields}, ${calls} FROM (SELECT ${inputFields} FROM ${rows}${ofTouched})`;
    return [
      `CREATE OR REPLACE TEMP TABLE ${delta} AS SELECT ${inputFields}, sum(__op)::INTEGER AS __op FROM ${input} GROUP BY ALL HAVING sum(__op) <> 0`,
      ...(partitioned ? [`CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT ${node.partitionBy.map(q).join(', ')} FROM ${delta}`] : []),
      `CREATE OR REPLACE TEMP TABLE ${before} AS ${computed}`,
      ...applyDeltaSql(rows, inputNames, delta, inputNames),
      ...differenceSql(names.output, node.fields, before, `(${computed})`),
      ...closedWindowsEviction(node.windowEnd, node.windowEnd ? fieldType(node.input.fields, node.windowEnd.field) : undefined, rows, names),
    ];
  },

  // the copies the consolidated delta added
  stateWrites(node, names) {
    return [insertedRows(node.rowsTable, 'coalesce(sum(__op) FILTER (WHERE __op > 0), 0)', names.scratch('delta'))];
  },
};
