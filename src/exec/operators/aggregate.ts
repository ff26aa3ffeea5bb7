/**
 * Grouped aggregation over an append-only or retracting delta (also SELECT DISTINCT: keys only).
 *
 * State: the node's groupsTable holds one row per group: the keys, `__cnt` (the group's row weight)
 * and per aggregate its accumulator (`a<i>`, and `n<i>` the weight of non-null inputs for sum/avg).
 * Aggregates that cannot subtract (count DISTINCT; min/max over retractions) keep a multiset in
 * their valuesTables entry (keys, value, weight) and recompute the value of each touched group.
 * General aggregates (string_agg, median, ...: GeneralCall) keep the multiset of the rows they read
 * (keys, one column per input, weight) and recompute their call over each touched group's rows,
 * expanded by weight (docs/design/20261207-whole-sql.md).
 * A batch emits, for each touched group, the old row deleted and the new row inserted, with
 * unchanged pairs cancelled out.
 */
import { quoteIdent } from '../../duck/quote.js';
import type { AggregateCall, GeneralCall } from '../../plan/logical/nodes.js';
import { accumulator, type Accumulator } from './accumulators.js';
import type { AggregateOp } from '../../plan/incremental/nodes.js';
import { closedWindowsEviction, columnDefs, columnsMatch, deltaTable, windowClosed, windowKey, windowsClose, type OperatorRule, type RuleNames } from './rule.js';

const q = quoteIdent;

interface Layout {
  readonly node: AggregateOp;
  readonly keyNames: readonly string[];
  readonly keyTypes: readonly string[];
  readonly global: boolean;
}

function layout(node: AggregateOp): Layout {
  const keyFields = node.fields.slice(0, node.keys.length);
  return { node, keyNames: keyFields.map((f) => f.name), keyTypes: keyFields.map((f) => f.type), global: node.keys.length === 0 };
}

function outputType(l: Layout, i: number): string {
  return l.node.fields[l.node.keys.length + i]!.type;
}

/** Whether aggregate i keeps a multiset of its values (the planner's needsMultiset). */
function multiset(l: Layout, i: number): boolean {
  return l.node.valuesTables[i] != null;
}

/** Aggregate i's multiset table, qualified. */
function valuesTable(node: AggregateOp, i: number, names: Pick<RuleNames, 'state'>): string {
  return names.state(node.valuesTables[i]!);
}

/** The condition under which an input row contributes to aggregate i. */
function contributes(call: AggregateCall): string {
  const parts: string[] = [];
  // a general aggregate sees its NULLs (list keeps them, string_agg skips them: the call decides)
  if (call.fn !== 'general' && call.arg !== null) parts.push(`${q(call.arg)} IS NOT NULL`);
  if (call.filter) parts.push(`(${call.filter})`);
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** Aggregate i's accumulator, or null when it keeps a multiset (its state is then its value `a<i>`). */
function accumulatorOf(l: Layout, i: number): Accumulator | null {
  const a = l.node.aggregates[i]!;
  if (multiset(l, i)) return null;
  if (a.fn === 'general') throw new Error(`general aggregate ${a.name} without its multiset`);
  const inputType = l.node.input.fields.find((f) => f.name === a.arg)?.type ?? 'BIGINT';
  return accumulator(a, i, contributes(a), inputType, outputType(l, i));
}

function stateColumns(l: Layout): { name: string; type: string }[] {
  const cols = l.keyNames.map((name, i) => ({ name, type: l.keyTypes[i]! }));
  cols.push({ name: '__cnt', type: 'BIGINT' });
  l.node.aggregates.forEach((_, i) => cols.push(...(accumulatorOf(l, i)?.columns ?? [{ name: `a${i}`, type: outputType(l, i) }])));
  return cols;
}

/** The output value of aggregate i from a state row aliased `r`. */
function finalValue(l: Layout, i: number, r: string): string {
  return accumulatorOf(l, i)?.final(r) ?? `${r}.a${i}`;
}

/** The column of the touched groups' table (step 3) holding state column `c` as it was before the batch. */
function before(c: string): string {
  return q(`__old_${c}`);
}

/** The touched groups after the batch, with their state before (step 3); the MERGE of step 4 reads it. */
function touchedGroups(names: RuleNames): string {
  return names.scratch('new');
}

function outputColumns(l: Layout, r: string): string[] {
  const keys = l.keyNames.map((k) => `${r}.${q(k)} AS ${q(k)}`);
  const aggs = l.node.aggregates.map((_, i) => `${finalValue(l, i, r)} AS ${q(l.node.fields[l.node.keys.length + i]!.name)}`);
  return [...keys, ...aggs];
}

/** The general call's stored inputs under the names its SQL reads (`i0 AS "url"`). */
function storedInputs(a: GeneralCall): string[] {
  return a.inputs.map((f, k) => `m.i${k} AS ${q(f)}`);
}

/**
 * The touched groups' values of a general call, recomputed over their stored rows expanded by
 * weight (a DISTINCT call reads each stored row once). Keys are renamed apart from the inputs, which
 * may share a name with a key.
 */
function recomputeGeneral(l: Layout, a: GeneralCall, values: string, touched: string): string {
  const keys = l.keyNames.map((k, j) => `m.${q(k)} AS __eddy_k${j}`);
  const expand = a.distinct ? '' : ', range(m.w) AS __eddy_r(__eddy_i)';
  const rows = `(SELECT ${[...keys, ...storedInputs(a)].join(', ')} FROM (SELECT m.* FROM ${values} AS m${touched}) AS m${expand})`;
  const outKeys = l.keyNames.map((k, j) => `__eddy_k${j} AS ${q(k)}`);
  const groupBy = l.global ? '' : ` GROUP BY ${l.keyNames.map((_, j) => `__eddy_k${j}`).join(', ')}`;
  return `(SELECT ${[...outKeys, `${a.sql} AS v`, 'TRUE AS __present'].join(', ')} FROM ${rows} AS g${groupBy})`;
}

/** The call's value over no rows, as DuckDB computes it (count_if gives 0, list NULL). */
function overNoRows(a: GeneralCall, values: string): string {
  return `(SELECT ${a.sql} FROM (SELECT ${storedInputs(a).join(', ')} FROM ${values} AS m WHERE false) AS g)`;
}

export const aggregateRule: OperatorRule<AggregateOp> = {
  createState(node, names) {
    const l = layout(node);
    const ddl = [`CREATE TABLE IF NOT EXISTS ${names.state(node.groupsTable)} (${columnDefs(stateColumns(l))})`];
    node.aggregates.forEach((a, i) => {
      if (!multiset(l, i)) return;
      const typeOf = (field: string | null) => node.input.fields.find((f) => f.name === field)?.type ?? 'VARCHAR';
      const values = a.fn === 'general' ? a.inputs.map((f, k) => ({ name: `i${k}`, type: typeOf(f) })) : [{ name: 'v', type: typeOf(a.arg) }];
      const cols = [...l.keyNames.map((name, k) => ({ name, type: l.keyTypes[k]! })), ...values, { name: 'w', type: 'BIGINT' }];
      ddl.push(`CREATE TABLE IF NOT EXISTS ${valuesTable(node, i, names)} (${columnDefs(cols)})`);
    });
    return ddl;
  },

  setup(node, names) {
    return [deltaTable(names.output, node.fields)];
  },

  step(node, names) {
    const l = layout(node);
    const input = names.inputs[0]!;
    const groups = names.state(node.groupsTable);
    const dagg = names.scratch('dagg');
    const fresh = touchedGroups(names);
    const keySelect = node.keys.map((k, i) => `${q(k)} AS ${q(l.keyNames[i]!)}`);
    // a window bound among the keys is matched with =, which lets DuckDB prune the state by time
    const timeKey = windowKey(node);
    const groupBy = node.keys.length ? ` GROUP BY ${node.keys.map(q).join(', ')}` : '';
    const sql: string[] = [];

    // 1. The delta of every accumulator, per group.
    const deltas = ['coalesce(sum(__op), 0)::BIGINT AS __cnt'];
    node.aggregates.forEach((_, i) => deltas.push(...(accumulatorOf(l, i)?.deltas ?? [])));
    const deltaSelect = `SELECT ${[...keySelect, ...deltas].join(', ')} FROM ${input}${groupBy}`;
    // Only multisets read the per-group deltas twice; otherwise they are a subquery of step 3 (a
    // statement fewer: in a small batch each statement costs more to plan than to run).
    const hasMultisets = node.aggregates.some((_, i) => multiset(l, i));
    if (hasMultisets) sql.push(`CREATE OR REPLACE TEMP TABLE ${dagg} AS ${deltaSelect}`);
    const deltaRelation = hasMultisets ? dagg : `(${deltaSelect})`;

    // 2. Multisets: merge the delta's value weights, then recompute each touched group's value (a
    //    subquery of step 3). Each is read once, so neither is a table of its own: a statement fewer.
    const recomputed: string[] = [];
    node.aggregates.forEach((a, i) => {
      if (!multiset(l, i)) return;
      const values = valuesTable(node, i, names);
      const stored = a.fn === 'general' ? a.inputs.map((f, k) => ({ field: f, column: `i${k}` })) : [{ field: a.arg!, column: 'v' }];
      const keyAndValue = [...l.keyNames, ...stored.map((v) => v.column)];
      const dv = `(SELECT ${[...keySelect, ...stored.map((v) => `${q(v.field)} AS ${q(v.column)}`)].join(', ')}, sum(__op)::BIGINT AS w FROM ${input} ` +
        `WHERE ${contributes(a)} GROUP BY ${[...node.keys.map(q), ...stored.map((v) => q(v.field))].join(', ')} HAVING sum(__op) <> 0)`;
      sql.push(
        // add the weights in place; a value whose weight reaches zero leaves the multiset
        `MERGE INTO ${values} AS m USING ${dv} AS d ON ${columnsMatch('m', 'd', keyAndValue, timeKey)} ` +
          `WHEN MATCHED AND m.w + d.w = 0 THEN DELETE WHEN MATCHED THEN UPDATE SET w = m.w + d.w ` +
          `WHEN NOT MATCHED THEN INSERT VALUES (${keyAndValue.map((c) => `d.${q(c)}`).join(', ')}, d.w)`,
      );
      const touched = l.global ? '' : ` SEMI JOIN ${dagg} AS d ON ${columnsMatch('m', 'd', l.keyNames, timeKey)}`;
      if (a.fn === 'general') {
        recomputed.push(recomputeGeneral(l, a, values, touched));
        return;
      }
      const valueGroupBy = l.global ? '' : ` GROUP BY ${l.keyNames.map((k) => `m.${q(k)}`).join(', ')}`;
      recomputed.push(
        `(SELECT ${[...l.keyNames.map((k) => `m.${q(k)} AS ${q(k)}`), `${a.fn}(m.v) AS v`].join(', ')} FROM ${values} AS m${touched}${valueGroupBy})`,
      );
    });

    // 3. The touched groups after the batch, each with its state before (`__old_<column>`, NULL for a
    //    new group): one probe of the state serves the output and the state update.
    const state = stateColumns(l).map((c) => c.name).filter((c) => !l.keyNames.includes(c));
    const newCols = [...l.keyNames.map((k) => `d.${q(k)} AS ${q(k)}`), 'coalesce(o.__cnt, 0) + d.__cnt AS __cnt'];
    const joins: string[] = [];
    let recomputedIndex = 0;
    node.aggregates.forEach((a, i) => {
      if (multiset(l, i)) {
        const rv = recomputed[recomputedIndex++]!;
        const alias = `v${i}`;
        joins.push(` LEFT JOIN ${rv} AS ${alias} ON ${columnsMatch(alias, 'd', l.keyNames, timeKey)}`);
        if (a.fn === 'general' && !l.global) newCols.push(`CASE WHEN ${alias}.__present THEN ${alias}.v ELSE ${overNoRows(a, valuesTable(node, i, names))} END AS a${i}`);
        else newCols.push(a.fn === 'count' ? `coalesce(${alias}.v, 0) AS a${i}` : `${alias}.v AS a${i}`);
      } else newCols.push(...accumulatorOf(l, i)!.merged);
    });
    newCols.push(...state.map((c) => `o.${q(c)} AS ${before(c)}`));
    sql.push(
      `CREATE OR REPLACE TEMP TABLE ${fresh} AS SELECT ${newCols.join(', ')} FROM ${deltaRelation} AS d ` +
        `LEFT JOIN ${groups} AS o ON ${columnsMatch('o', 'd', l.keyNames, timeKey)}${joins.join('')}`,
    );
    const old = `(SELECT ${[...l.keyNames.map(q), ...state.map((c) => `${before(c)} AS ${q(c)}`)].join(', ')} FROM ${fresh})`;

    // 4. The state: update the touched groups in place; a group whose weight reaches zero disappears
    //    (a global aggregate's single row always exists, as in SQL).
    const n = (c: string) => `n.${q(c)}`;
    sql.push(
      `MERGE INTO ${groups} AS s USING ${fresh} AS n ON ${columnsMatch('s', 'n', l.keyNames, timeKey)} ` +
        (l.global ? '' : `WHEN MATCHED AND n.__cnt = 0 THEN DELETE `) +
        `WHEN MATCHED THEN UPDATE SET ${state.map((c) => `${q(c)} = ${n(c)}`).join(', ')} ` +
        `WHEN NOT MATCHED${l.global ? '' : ' AND n.__cnt <> 0'} THEN INSERT VALUES (${stateColumns(l).map((c) => n(c.name)).join(', ')})`,
    );

    // 5. The output delta. Emit on update: old rows out, new rows in, unchanged pairs cancelled.
    //    Emit on close: the rows of the groups whose window the watermark closes in this batch.
    const exists = l.global ? '' : ' WHERE r.__cnt > 0';
    const existed = l.global ? ' WHERE r.__cnt IS NOT NULL' : ' WHERE r.__cnt > 0';
    const outNames = node.fields.map((f) => q(f.name)).join(', ');
    sql.push(deltaTable(names.output, node.fields));
    const endType = node.windowEnd ? l.keyTypes[l.keyNames.indexOf(node.windowEnd.field)] : undefined;
    const closed = node.windowEnd ? windowClosed(`r.${q(node.windowEnd.field)}`, endType, node.windowEnd.plusMicros, names.watermark) : null;
    if (node.emit === 'close' && closed) {
      if (windowsClose(node.windowEnd, names)) sql.push(`INSERT INTO ${names.output} SELECT ${outputColumns(l, 'r').join(', ')}, 1 AS __op FROM ${groups} AS r WHERE r.__cnt > 0 AND ${closed}`);
    } else {
      sql.push(
        `INSERT INTO ${names.output} SELECT ${outNames}, sum(__op)::INTEGER AS __op FROM (` +
          `SELECT ${outputColumns(l, 'r').join(', ')}, -1 AS __op FROM ${old} AS r${existed} UNION ALL ` +
          `SELECT ${outputColumns(l, 'r').join(', ')}, 1 AS __op FROM ${fresh} AS r${exists}` +
          `) AS changes GROUP BY ALL HAVING sum(__op) <> 0`,
      );
    }

    // 6. Closed windows: evicted from the groups and the multisets.
    sql.push(...closedWindowsEviction(node.windowEnd, endType, groups, names));
    node.aggregates.forEach((_, i) => {
      if (multiset(l, i)) sql.push(...closedWindowsEviction(node.windowEnd, endType, valuesTable(node, i, names), names));
    });
    return sql;
  },

  // The groups the MERGE of step 4 inserted (no state before) and updated, read from its source. A
  // multiset's writes would take another probe of it per batch: not counted.
  stateWrites(node, names) {
    const present = node.keys.length === 0 ? 'TRUE' : '__cnt <> 0';
    return [{
      table: node.groupsTable,
      sql: `SELECT count(*) FILTER (WHERE ${before('__cnt')} IS NULL AND ${present}) AS inserted, ` +
        `count(*) FILTER (WHERE ${before('__cnt')} IS NOT NULL AND ${present}) AS updated FROM ${touchedGroups(names)}`,
    }];
  },
};
