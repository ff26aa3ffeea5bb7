/**
 * SESSION windows. Rows wait in state per partition; each batch finds the sessions (a new session
 * starts where a row comes at least `gap` after every earlier row of its partition), and a session
 * whose end (last row + gap) the watermark has passed is closed: its rows are emitted with the
 * session's window_start and window_end and leave the state. Sessions close in time order, so the
 * rows of closed sessions are those up to the last closed session's last row.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { SessionWindowOp } from '../../plan/incremental/nodes.js';
import { inputRowsState, columnsMatch, deltaTable, insertedRows, timeFromMicros, watermarkSql, type OperatorRule } from './rule.js';

const q = quoteIdent;

export const sessionWindowRule: OperatorRule<SessionWindowOp> = {
  createState: inputRowsState,

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const rows = names.state(node.rowsTable);
    const sessions = names.scratch('sessions');
    const closed = names.scratch('closed');
    const inputFields = node.input.fields.map((f) => q(f.name));
    const [start, end] = node.fields.slice(-2);
    const ts = `epoch_us(${q(node.timeField)})`;
    const partition = node.partitionBy.length ? `PARTITION BY ${node.partitionBy.map(q).join(', ')} ` : '';
    const partitionAnd = node.partitionBy.length ? `${node.partitionBy.map(q).join(', ')}, ` : '';
    const gap = node.gapMicros;
    return [
      `INSERT INTO ${rows} SELECT ${inputFields.join(', ')} FROM ${names.inputs[0]}, range(__op) WHERE __op > 0 AND ${q(node.timeField)} IS NOT NULL`,
      `CREATE OR REPLACE TEMP TABLE ${sessions} AS SELECT *, min(__ts) OVER (PARTITION BY ${partitionAnd}__sid) AS __start, ` +
        `max(__ts) OVER (PARTITION BY ${partitionAnd}__sid) + ${gap} AS __end FROM (` +
        `SELECT *, sum(__new) OVER (${partition}ORDER BY __ts ROWS UNBOUNDED PRECEDING) AS __sid FROM (` +
        `SELECT ${inputFields.join(', ')}, ${ts} AS __ts, CASE WHEN ${ts} - max(${ts}) OVER (${partition}ORDER BY ${ts} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) < ${gap} ` +
        `THEN 0 ELSE 1 END AS __new FROM ${rows}))`,
      `CREATE OR REPLACE TEMP TABLE ${closed} AS SELECT * FROM ${sessions} WHERE __end <= ${watermarkSql(names.watermark.current)}`,
      deltaTable(names.output, node.fields),
      `INSERT INTO ${names.output} SELECT ${inputFields.join(', ')}, ${timeFromMicros('__start', start!.type)}, ${timeFromMicros('__end', end!.type)}, 1 FROM ${closed}`,
      `DELETE FROM ${rows} AS s USING (SELECT ${partitionAnd}max(__ts) AS __last FROM ${closed}${node.partitionBy.length ? ` GROUP BY ${node.partitionBy.map(q).join(', ')}` : ''}) AS c ` +
        `WHERE ${node.partitionBy.length ? `${columnsMatch('s', 'c', node.partitionBy)} AND ` : ''}epoch_us(s.${q(node.timeField)}) <= c.__last`,
    ];
  },

  // the copies of the input rows the first statement stored
  stateWrites(node, names) {
    return [insertedRows(node.rowsTable, 'coalesce(sum(__op), 0)', `${names.inputs[0]} WHERE __op > 0 AND ${q(node.timeField)} IS NOT NULL`)];
  },
};
