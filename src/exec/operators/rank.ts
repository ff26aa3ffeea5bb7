/**
 * ROW_NUMBER / RANK / DENSE_RANK <= N per partition: deduplication and top-N.
 *
 * State: the candidate rows, one row per copy. A batch ranks the touched partitions before and
 * after applying the delta and emits the difference. Over an append-only input a row's rank can
 * only grow, so the state holds just the rows ranked within N, and the new top of a touched partition
 * is ranked from its old top and the delta alone (appendOnlyStep). When a partition key is a window,
 * partitions the watermark has closed are evicted. Ties are broken by a hash of every column, so the
 * rank is deterministic.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { RankOp } from '../../plan/incremental/nodes.js';
import { rankOrderSql, tieBreakSql } from '../../plan/logical/sort-key.js';
import { applyDeltaSql } from '../result-table.js';
import { inputRowsState, closedWindowsEviction, fieldType, columnsMatch, deltaTable, differenceSql, insertedRows, windowKey, type OperatorRule, type RuleNames } from './rule.js';

const q = quoteIdent;

/** ` SEMI JOIN touched`: restricts the state rows `s` to the partitions a batch touched. */
function ofTouchedPartitions(node: RankOp, touched: string): string {
  return ` SEMI JOIN ${touched} AS t ON ${columnsMatch('s', 't', node.partitionBy, windowKey(node))}`;
}

/**
 * The rows of `table` (of the partitions in `touched`, when given) ranked within the limit: the input
 * fields, and the rank as the rank field when the query selects it.
 */
function top(node: RankOp, table: string, touched: string | null): string {
  if (node.rankFunction === 'row_number' && node.limit === 1 && node.partitionBy.length > 0) return firstPerPartition(node, table, touched);
  const inputFields = node.input.fields.map((f) => q(f.name));
  const partition = node.partitionBy.length ? `PARTITION BY ${node.partitionBy.map(q).join(', ')} ` : '';
  const semi = node.partitionBy.length && touched !== null ? ofTouchedPartitions(node, touched) : '';
  const ranked = `SELECT ${inputFields.map((f) => `s.${f}`).join(', ')}, ${node.rankFunction}() OVER (${partition}ORDER BY ${rankOrderSql(node, node.input.fields).join(', ')}) AS __rank FROM ${table} AS s${semi}`;
  const out = [...inputFields, ...(node.rankField ? [`__rank AS ${q(node.rankField)}`] : [])];
  return `SELECT ${out.join(', ')} FROM (${ranked}) WHERE __rank <= ${node.limit}`;
}

/**
 * ROW_NUMBER() ... <= 1 per partition (deduplication, the top row per key): each partition's first row
 * by the rank's order, ties broken as the window breaks them, as one hash aggregate (arg_min of the
 * row over a binary sort key) instead of a window sorting every candidate: 19 against 43 ms for
 * 110k of Nexmark q9's wide join rows (docs/BENCHMARKS.md).
 */
function firstPerPartition(node: RankOp, table: string, touched: string | null): string {
  const inputFields = node.input.fields.map((f) => q(f.name));
  const semi = touched !== null ? ofTouchedPartitions(node, touched) : '';
  const row = `struct_pack(${inputFields.map((f) => `${f} := s.${f}`).join(', ')})`;
  // create_sort_key wants every NULL order spelled out; unspecified is DuckDB's default, NULLS LAST
  const order = [
    ...node.orderBy.map((k) => `${k.expr}, '${k.descending ? 'DESC' : 'ASC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}'`),
    `${tieBreakSql(node.input.fields)}, 'ASC NULLS LAST'`,
  ];
  const firsts = `SELECT arg_min(${row}, create_sort_key(${order.join(', ')})) AS __first FROM ${table} AS s${semi} GROUP BY ${node.partitionBy.map(q).join(', ')}`;
  return `SELECT __first.*${node.rankField ? `, 1::BIGINT AS ${q(node.rankField)}` : ''} FROM (${firsts})`;
}

export const rankRule: OperatorRule<RankOp> = {
  createState: inputRowsState,

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const sql = node.input.changelog === 'append-only' ? appendOnlyStep(node, names) : retractingStep(node, names);
    const endType = node.windowEnd ? fieldType(node.input.fields, node.windowEnd.field) : undefined;
    return [...sql, ...closedWindowsEviction(node.windowEnd, endType, names.state(node.rowsTable), names)];
  },

  // Over an append-only input, the touched partitions' new top less their old top (the state of a
  // touched partition is replaced, but the rows in both stay); over a retracting one, the delta's inserts.
  stateWrites(node, names) {
    if (node.input.changelog !== 'append-only') return [insertedRows(node.rowsTable, 'coalesce(sum(__op) FILTER (WHERE __op > 0), 0)', names.scratch('delta'))];
    const cols = node.input.fields.map((f) => q(f.name)).join(', ');
    return [insertedRows(node.rowsTable, 'count(*)', `(SELECT ${cols} FROM ${names.scratch('after')} EXCEPT ALL SELECT ${cols} FROM ${names.scratch('before')})`)];
  },
};

/** Over a retracting input: the touched partitions ranked before and after applying the delta. */
function retractingStep(node: RankOp, names: RuleNames): string[] {
  const rows = names.state(node.rowsTable);
  const input = names.inputs[0]!;
  const touched = names.scratch('touched');
  const delta = names.scratch('delta');
  const before = names.scratch('before');
  const inputFields = node.input.fields.map((f) => q(f.name));
  const ranks = top(node, rows, touched);
  const partitionList = node.partitionBy.length ? node.partitionBy.map(q).join(', ') : '1 AS __all';
  return [
    `CREATE OR REPLACE TEMP TABLE ${delta} AS SELECT ${inputFields.join(', ')}, sum(__op)::INTEGER AS __op FROM ${input} GROUP BY ALL HAVING sum(__op) <> 0`,
    `CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT ${partitionList} FROM ${delta}`,
    `CREATE OR REPLACE TEMP TABLE ${before} AS ${ranks}`,
    ...applyDeltaSql(rows, node.input.fields.map((f) => f.name), delta, node.input.fields.map((f) => f.name)),
    ...differenceSql(names.output, node.fields, before, `(${ranks})`),
  ];
}

/**
 * Over an append-only input the state holds exactly the rows ranked within the limit (a row outside
 * it never comes back: new rows only push ranks up). So a touched partition's new top is ranked from
 * its old top plus the batch's rows, the output is new top minus old top, and the state of the
 * touched partitions is replaced by the new top: two rankings of a few rows per touched partition.
 */
function appendOnlyStep(node: RankOp, names: RuleNames): string[] {
  const rows = names.state(node.rowsTable);
  const input = names.inputs[0]!;
  const touched = names.scratch('touched');
  const before = names.scratch('before');
  const after = names.scratch('after');
  const cols = node.input.fields.map((f) => q(f.name)).join(', ');
  const partitioned = node.partitionBy.length > 0;
  const ofTouched = partitioned ? ` AS s${ofTouchedPartitions(node, touched)}` : '';
  return [
    ...(partitioned ? [`CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT DISTINCT ${node.partitionBy.map(q).join(', ')} FROM ${input}`] : []),
    `CREATE OR REPLACE TEMP TABLE ${before} AS ${top(node, `(SELECT ${cols} FROM ${rows}${ofTouched})`, null)}`,
    `CREATE OR REPLACE TEMP TABLE ${after} AS ${top(node, `(SELECT ${cols} FROM ${rows}${ofTouched} UNION ALL SELECT ${cols} FROM ${input}, range(__op))`, null)}`,
    ...differenceSql(names.output, node.fields, before, after),
    partitioned ? `DELETE FROM ${rows} AS s USING ${touched} AS t WHERE ${columnsMatch('s', 't', node.partitionBy, windowKey(node))}` : `DELETE FROM ${rows}`,
    `INSERT INTO ${rows} SELECT ${cols} FROM ${after}`,
  ];
}
