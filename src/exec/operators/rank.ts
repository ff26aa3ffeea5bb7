/**
 * ROW_NUMBER / RANK / DENSE_RANK <= N per partition: deduplication and top-N.
 *
 * State: the candidate rows, one row per copy. A batch ranks the touched partitions before and
 * after applying the delta and emits the difference. Over an append-only input a row's rank can
 * only grow, so the state holds just the rows ranked within N, and the new top of a touched partition
 * is ranked from its old top and the delta alone (appendOnlyStep). When a partition key is a window,
 * partitions the watermark has closed are evicted. Ties are broken by every column, so the rank is
 * deterministic.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { RankOp } from '../../plan/incremental/nodes.js';
import { applyDeltaSql } from '../result-table.js';
import { inputRowsState, columnsMatch, deltaTable, differenceSql, windowClosed, type OperatorRule, type RuleNames } from './rule.js';

const q = quoteIdent;

function ranked(node: RankOp, table: string, touched: string | null, withRowid = true): string {
  const inputFields = node.input.fields.map((f) => q(f.name));
  const partition = node.partitionBy.length ? `PARTITION BY ${node.partitionBy.map(q).join(', ')} ` : '';
  const order = [
    ...node.orderBy.map((k) => `${k.expr}${k.descending ? ' DESC' : ' ASC'}${k.nullsFirst === null ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`),
    ...(node.rankFunction === 'row_number' ? inputFields : []),
  ];
  const semi = node.partitionBy.length && touched !== null ? ` SEMI JOIN ${touched} AS t ON ${columnsMatch('s', 't', node.partitionBy)}` : '';
  return `SELECT ${withRowid ? 's.rowid AS __rid, ' : ''}${inputFields.map((f) => `s.${f}`).join(', ')}, ${node.rankFunction}() OVER (${partition}ORDER BY ${order.join(', ')}) AS __rank FROM ${table} AS s${semi}`;
}

export const rankRule: OperatorRule<RankOp> = {
  createState: inputRowsState,

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    if (node.input.changelog === 'append-only') return appendOnlyStep(node, names);
    const rows = names.state(`${node.id}_rows`);
    const input = names.inputs[0]!;
    const touched = names.scratch('touched');
    const delta = names.scratch('delta');
    const before = names.scratch('before');
    const inputFields = node.input.fields.map((f) => q(f.name));
    const outCols = [...inputFields, ...(node.rankField ? [`__rank AS ${q(node.rankField)}`] : [])];
    const top = `SELECT ${outCols.join(', ')} FROM (${ranked(node, rows, touched)}) WHERE __rank <= ${node.limit}`;
    const partitionList = node.partitionBy.length ? node.partitionBy.map(q).join(', ') : '1 AS __all';
    const sql = [
      `CREATE OR REPLACE TEMP TABLE ${delta} AS SELECT ${inputFields.join(', ')}, sum(__op)::INTEGER AS __op FROM ${input} GROUP BY ALL HAVING sum(__op) <> 0`,
      `CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT ${partitionList} FROM ${delta}`,
      `CREATE OR REPLACE TEMP TABLE ${before} AS ${top}`,
      ...applyDeltaSql(rows, node.input.fields.map((f) => f.name), delta, node.input.fields.map((f) => f.name)),
      ...differenceSql(names.output, node.fields, before, `(${top})`),
    ];
    if (node.windowEnd) sql.push(`DELETE FROM ${rows} WHERE ${windowClosed(q(node.windowEnd.field), node.windowEnd.plusMicros)}`);
    return sql;
  },
};

/**
 * Over an append-only input the state holds exactly the rows ranked within the limit (a row outside
 * it never comes back: new rows only push ranks up). So a touched partition's new top is ranked from
 * its old top plus the batch's rows, the output is new top minus old top, and the state of the
 * touched partitions is replaced by the new top: two rankings of a few rows per touched partition.
 */
function appendOnlyStep(node: RankOp, names: RuleNames): string[] {
  const rows = names.state(`${node.id}_rows`);
  const input = names.inputs[0]!;
  const touched = names.scratch('touched');
  const before = names.scratch('before');
  const after = names.scratch('after');
  const inputFields = node.input.fields.map((f) => q(f.name));
  const cols = inputFields.join(', ');
  const outCols = [...inputFields, ...(node.rankField ? [`__rank AS ${q(node.rankField)}`] : [])].join(', ');
  const partitioned = node.partitionBy.length > 0;
  const ofTouched = partitioned ? ` AS s SEMI JOIN ${touched} AS t ON ${columnsMatch('s', 't', node.partitionBy)}` : '';
  const top = (table: string) => `SELECT ${outCols} FROM (${ranked(node, table, null, false)}) WHERE __rank <= ${node.limit}`;
  const sql = [
    ...(partitioned ? [`CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT ${node.partitionBy.map(q).join(', ')} FROM ${input}`] : []),
    `CREATE OR REPLACE TEMP TABLE ${before} AS ${top(`(SELECT ${cols} FROM ${rows}${ofTouched})`)}`,
    `CREATE OR REPLACE TEMP TABLE ${after} AS ${top(`(SELECT ${cols} FROM ${rows}${ofTouched} UNION ALL SELECT ${cols} FROM ${input}, range(__op))`)}`,
    ...differenceSql(names.output, node.fields, before, after),
    partitioned ? `DELETE FROM ${rows} AS s USING ${touched} AS t WHERE ${columnsMatch('s', 't', node.partitionBy)}` : `DELETE FROM ${rows}`,
    `INSERT INTO ${rows} SELECT ${cols} FROM ${after}`,
  ];
  if (node.windowEnd) sql.push(`DELETE FROM ${rows} WHERE ${windowClosed(q(node.windowEnd.field), node.windowEnd.plusMicros)}`);
  return sql;
}
