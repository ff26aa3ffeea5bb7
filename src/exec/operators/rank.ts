/**
 * ROW_NUMBER / RANK / DENSE_RANK <= N per partition: deduplication and top-N.
 *
 * State: the candidate rows, one row per copy. A batch ranks the touched partitions before and
 * after applying the delta and emits the difference. Over an append-only input a row's rank can
 * only grow, so rows ranked beyond N are pruned; when a partition key is a window, partitions the
 * watermark has closed are evicted. Ties are broken by every column, so the rank is deterministic.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { RankOp } from '../../plan/incremental/nodes.js';
import { applyDeltaSql } from '../result-table.js';
import { inputRowsState, columnsMatch, deltaTable, windowClosed, type OperatorRule } from './rule.js';

const q = quoteIdent;

function ranked(node: RankOp, table: string, touched: string): string {
  const inputFields = node.input.fields.map((f) => q(f.name));
  const partition = node.partitionBy.length ? `PARTITION BY ${node.partitionBy.map(q).join(', ')} ` : '';
  const order = [
    ...node.orderBy.map((k) => `${k.expr}${k.descending ? ' DESC' : ' ASC'}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`),
    ...(node.rankFunction === 'row_number' ? inputFields : []),
  ];
  const semi = node.partitionBy.length ? ` SEMI JOIN ${touched} AS t ON ${columnsMatch('s', 't', node.partitionBy)}` : '';
  return `SELECT s.rowid AS __rid, ${inputFields.map((f) => `s.${f}`).join(', ')}, ${node.rankFunction}() OVER (${partition}ORDER BY ${order.join(', ')}) AS __rank FROM ${table} AS s${semi}`;
}

export const rankRule: OperatorRule<RankOp> = {
  createState: inputRowsState,

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const rows = names.state(`${node.id}_rows`);
    const input = names.inputs[0]!;
    const touched = names.scratch('touched');
    const delta = names.scratch('delta');
    const before = names.scratch('before');
    const inputFields = node.input.fields.map((f) => q(f.name));
    const outCols = [...inputFields, ...(node.rankField ? [`__rank AS ${q(node.rankField)}`] : [])];
    const outNames = node.fields.map((f) => q(f.name)).join(', ');
    const top = `SELECT ${outCols.join(', ')} FROM (${ranked(node, rows, touched)}) WHERE __rank <= ${node.limit}`;
    const partitionList = node.partitionBy.length ? node.partitionBy.map(q).join(', ') : '1 AS __all';
    const sql = [
      // An append-only delta has nothing to cancel: read it as it is rather than consolidating it.
      node.input.changelog === 'append-only'
        ? `CREATE OR REPLACE TEMP VIEW ${delta} AS SELECT ${inputFields.join(', ')}, __op FROM ${input}`
        : `CREATE OR REPLACE TEMP TABLE ${delta} AS SELECT ${inputFields.join(', ')}, sum(__op)::INTEGER AS __op FROM ${input} GROUP BY ALL HAVING sum(__op) <> 0`,
      `CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT ${partitionList} FROM ${delta}`,
      `CREATE OR REPLACE TEMP TABLE ${before} AS ${top}`,
      ...applyDeltaSql(rows, node.input.fields.map((f) => f.name), delta, node.input.fields.map((f) => f.name)),
      `DELETE FROM ${names.output}`,
      `INSERT INTO ${names.output} SELECT ${outNames}, sum(__op)::INTEGER FROM (` +
        `SELECT *, -1 AS __op FROM ${before} UNION ALL SELECT *, 1 AS __op FROM (${top})) GROUP BY ALL HAVING sum(__op) <> 0`,
    ];
    if (node.input.changelog === 'append-only') {
      sql.push(`DELETE FROM ${rows} WHERE rowid IN (SELECT __rid FROM (${ranked(node, rows, touched)}) WHERE __rank > ${node.limit})`);
    }
    if (node.windowEnd) sql.push(`DELETE FROM ${rows} WHERE ${windowClosed(q(node.windowEnd.field), node.windowEnd.plusMicros)}`);
    return sql;
  },
};
