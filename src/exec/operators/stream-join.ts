/**
 * Inner join of two streams. Both inputs are kept in state as weighted rows; a batch emits
 * ΔL⋈R + L⋈ΔR + ΔL⋈ΔR (R and L as before the batch), weights multiplied, then adds the deltas to
 * the state. A retracting input's state is consolidated so that cancelled rows do not accumulate.
 * (Time-bounded joins that evict state by watermark extend this rule.)
 */
import type { StreamJoinOp } from '../../plan/incremental/nodes.js';
import { columnDefs, deltaTable, fieldList, type OperatorRule } from './rule.js';

export const streamJoinRule: OperatorRule<StreamJoinOp> = {
  createState(node, names) {
    return [
      `CREATE TABLE IF NOT EXISTS ${names.state(`${node.id}_left`)} (${columnDefs([...node.left.fields, { name: '__w', type: 'BIGINT' }])})`,
      `CREATE TABLE IF NOT EXISTS ${names.state(`${node.id}_right`)} (${columnDefs([...node.right.fields, { name: '__w', type: 'BIGINT' }])})`,
    ];
  },

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const [dl, dr] = names.inputs as [string, string];
    const left = names.state(`${node.id}_left`);
    const right = names.state(`${node.id}_right`);
    const on = node.condition ?? 'TRUE';
    const cols = `${fieldList(node.left.fields, 'l')}, ${fieldList(node.right.fields, 'r')}`;
    const sql = [
      `DELETE FROM ${names.output}`,
      `INSERT INTO ${names.output} ` +
        `SELECT ${cols}, l.__op * r.__w FROM ${dl} AS l JOIN ${right} AS r ON ${on} UNION ALL ` +
        `SELECT ${cols}, l.__w * r.__op FROM ${left} AS l JOIN ${dr} AS r ON ${on} UNION ALL ` +
        `SELECT ${cols}, l.__op * r.__op FROM ${dl} AS l JOIN ${dr} AS r ON ${on}`,
      `INSERT INTO ${left} SELECT ${fieldList(node.left.fields)}, __op FROM ${dl}`,
      `INSERT INTO ${right} SELECT ${fieldList(node.right.fields)}, __op FROM ${dr}`,
    ];
    for (const [table, input] of [[left, node.left], [right, node.right]] as const) {
      if (input.changelog !== 'retracting') continue;
      const fields = fieldList(input.fields);
      const compact = names.scratch(`compact_${table === left ? 'l' : 'r'}`);
      sql.push(
        `CREATE OR REPLACE TEMP TABLE ${compact} AS SELECT ${fields}, sum(__w)::BIGINT AS __w FROM ${table} GROUP BY ALL HAVING sum(__w) <> 0`,
        `DELETE FROM ${table}`,
        `INSERT INTO ${table} SELECT * FROM ${compact}`,
      );
    }
    return sql;
  },
};

