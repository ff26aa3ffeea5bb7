/**
 * A keyed source's commands as a changelog (UpsertOp): the batch's last command per key wins
 * (by the position field: a push source's sequence number, a Kafka offset); the output retracts
 * the key's stored row, if any, and inserts the new one unless the command deletes the key. A
 * TRUNCATE (command 0, from CDC) deletes every stored row, and the commands before it in the batch.
 */
import type { UpsertOp } from '../../plan/incremental/nodes.js';
import { columnDefs, columnsMatch, deltaTable, fieldList, insertedRows, type OperatorRule } from './rule.js';
import { quoteIdent } from '../../duck/quote.js';

export const upsertRule: OperatorRule<UpsertOp> = {
  createState: (node, names) => [`CREATE TABLE IF NOT EXISTS ${names.state(node.rowsTable)} (${columnDefs(node.fields)})`],
  setup: (node, names) => [deltaTable(names.output, node.fields)],
  step(node, names) {
    const input = names.inputs[0]!;
    const rows = names.state(node.rowsTable);
    const last = names.scratch('last');
    const keys = node.key.map(quoteIdent).join(', ');
    const matches = columnsMatch('s', 'l', node.key);
    const position = quoteIdent(node.positionField);
    if (node.truncates) {
      const truncated = names.scratch('truncated');
      const cut = `(SELECT cut_at FROM ${truncated})`;
      return [
        deltaTable(names.output, node.fields),
        `CREATE OR REPLACE TEMP TABLE ${truncated} AS SELECT max(${position}) AS cut_at FROM ${input} WHERE __op = 0`,
        `CREATE OR REPLACE TEMP TABLE ${last} AS SELECT ${fieldList(node.fields)}, __op FROM ${input} ` +
          `WHERE __op <> 0 AND (${cut} IS NULL OR ${position} > ${cut}) ` +
          `QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${position} DESC) = 1`,
        `INSERT INTO ${names.output} SELECT ${fieldList(node.fields, 's')}, -1 FROM ${rows} AS s WHERE ${cut} IS NOT NULL ` +
          `UNION ALL SELECT ${fieldList(node.fields, 's')}, -1 FROM ${rows} AS s SEMI JOIN ${last} AS l ON ${matches} WHERE ${cut} IS NULL`,
        `INSERT INTO ${names.output} SELECT ${fieldList(node.fields)}, 1 FROM ${last} WHERE __op > 0`,
        `DELETE FROM ${rows} WHERE ${cut} IS NOT NULL`,
        `DELETE FROM ${rows} AS s USING ${last} AS l WHERE ${matches}`,
        `INSERT INTO ${rows} SELECT ${fieldList(node.fields)} FROM ${last} WHERE __op > 0`,
      ];
    }
    return [
      deltaTable(names.output, node.fields),
      `CREATE OR REPLACE TEMP TABLE ${last} AS SELECT ${fieldList(node.fields)}, __op FROM ${input} ` +
        `QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${position} DESC) = 1`,
      `INSERT INTO ${names.output} SELECT ${fieldList(node.fields, 's')}, -1 FROM ${rows} AS s SEMI JOIN ${last} AS l ON ${matches}`,
      `INSERT INTO ${names.output} SELECT ${fieldList(node.fields)}, 1 FROM ${last} WHERE __op > 0`,
      `DELETE FROM ${rows} AS s USING ${last} AS l WHERE ${matches}`,
      `INSERT INTO ${rows} SELECT ${fieldList(node.fields)} FROM ${last} WHERE __op > 0`,
    ];
  },
  stateWrites: (node, names) => [insertedRows(node.rowsTable, 'count(*) FILTER (WHERE __op > 0)', names.scratch('last'))],
};
